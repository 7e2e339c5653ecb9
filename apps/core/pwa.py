"""Serve the built PWA (frontend/dist) under /app/ from the same process and
origin as the API, through WhiteNoise.

Compression: `npm run build` writes a gzip (`.gz`) and a brotli (`.br`) copy
next to every text file (frontend/scripts/precompress.mjs); WhiteNoise picks
the copy the browser accepts (`Accept-Encoding`), answers with
`Content-Encoding` and `Vary: Accept-Encoding`, and never compresses at
request time. Caching: files whose name carries Vite's content hash are
cached for a year and marked immutable; the app shell (index.html, sw.js,
the manifest) is `no-cache`, so a new build reaches phones at once."""

import re

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from whitenoise.media_types import MediaTypes
from whitenoise.middleware import WhiteNoiseMiddleware

# The app shell must be revalidated, or phones keep an old service worker.
NO_CACHE = (
    "/app/", "/app/index.html", "/app/sw.js", "/app/manifest.webmanifest", "/app/registerSW.js",
    "/app/customer/", "/app/customer/index.html", "/app/customer/manifest.webmanifest",
)  # fmt: skip

# Vite's output names: assets/index-B9cD3f_x.js; workbox-5f4e3d2c.js
HASHED = re.compile(r"^/app/(assets/.+-[A-Za-z0-9_-]{8,}|workbox-[0-9a-f]{8,})\.[a-z0-9]+$")


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
            # Vite's build manifest (dist/.vite/, read by the bundle budget
            # check) is build metadata, not part of the app: not served.
            for url in [u for u in self.files if u.startswith("/app/.vite/")]:
                del self.files[url]

    def immutable_file_test(self, path: str, url: str) -> bool:
        # A year, immutable ("max-age=315360000, public, immutable" from WhiteNoise).
        if HASHED.match(url):
            return True
        return super().immutable_file_test(path, url)


def pwa_index(request: HttpRequest, path: str = "") -> FileResponse:
    """Any /app/ route the client-side router owns gets the app shell: the
    customer app's under /app/customer/, the driver's everywhere else."""
    index = settings.FRONTEND_DIST / ("customer/index.html" if path.startswith("customer") else "index.html")
    if not index.is_file():
        raise Http404("The PWA is not built: run `make run` (or `make frontend-build`).")
    response = FileResponse(index.open("rb"), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
