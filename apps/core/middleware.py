"""The project's own middleware, besides the request context (``request_context``).

``ApiCommonMiddleware``: Django's CommonMiddleware, except that an API write is
never redirected. With APPEND_SLASH a POST to ``/api/deliveries`` would get a 301 to
``/api/deliveries/``, which HTTP clients follow as a GET: nothing is
recorded and no error is shown. Under /api/ a write without its trailing
slash falls through to the JSON 404 (which names the right URL) instead.

``DatabaseUnavailableMiddleware``: a lost database connection or a missing
table that escapes a view under /api/ without DRF's handler answering it is a
503 ``database_unavailable`` in the error contract, not Django's 500 page."""

from django.middleware.common import CommonMiddleware

from apps.core.db import means_database_unavailable
from apps.core.exceptions import DatabaseUnavailable, is_api, json_error, log_database_error

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ApiCommonMiddleware(CommonMiddleware):
    def should_redirect_with_slash(self, request):
        if request.path_info.startswith("/api/") and request.method not in SAFE_METHODS:
            return False
        return super().should_redirect_with_slash(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_api(request) and means_database_unavailable(exception):
            log_database_error(exception)
            error = DatabaseUnavailable()
            return json_error(error.status_code, error.code, str(error.detail), request)
        return None
