"""Django's CommonMiddleware, except that an API write is never redirected.

With APPEND_SLASH a POST to ``/api/deliveries`` would get a 301 to
``/api/deliveries/``, which HTTP clients follow as a GET: nothing is
recorded and no error is shown. Under /api/ a write without its trailing
slash falls through to the JSON 404 (which names the right URL) instead."""

from django.middleware.common import CommonMiddleware

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ApiCommonMiddleware(CommonMiddleware):
    def should_redirect_with_slash(self, request):
        if request.path_info.startswith("/api/") and request.method not in SAFE_METHODS:
            return False
        return super().should_redirect_with_slash(request)
