"""Serve the built PWA (frontend/dist) under /app/ from the same process and
origin as the API, through WhiteNoise."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from whitenoise.media_types import MediaTypes
from whitenoise.middleware import WhiteNoiseMiddleware

# The app shell must be revalidated, or phones keep an old service worker.
NO_CACHE = ("/app/", "/app/index.html", "/app/sw.js", "/app/manifest.webmanifest", "/app/registerSW.js")


def _pwa_headers(headers, path: str, url: str) -> None:
    if url in NO_CACHE:
        headers["Cache-Control"] = "no-cache"


class PWAWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    def __init__(self, get_response=None, settings_=None):
        super().__init__(get_response)
        self.media_types = MediaTypes(extra_types={".webmanifest": "application/manifest+json"})
        self.add_headers_function = _pwa_headers
        dist = settings.FRONTEND_DIST
        if dist.is_dir():
            self.add_files(str(dist), prefix="app/")


def pwa_index(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any /app/ route the client-side router owns gets the app shell."""
    index = settings.FRONTEND_DIST / "index.html"
    if not index.is_file():
        raise Http404("The PWA is not built: run `make run` (or `make frontend-build`).")
    response = FileResponse(index.open("rb"), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
