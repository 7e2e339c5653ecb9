"""One id per request, and the request itself, available to code that was
not handed the request (services writing audit rows, error handlers).

``RequestContextMiddleware`` runs first: it takes the client's
``X-Request-ID`` when it is a short token of safe characters, else makes a
UUID4, keeps the request in a context variable for the duration of the
request, and echoes the id in the ``X-Request-ID`` response header. Every
audit row written during the request carries that id, IP and user agent
(``apps.audit.services.audit_record`` reads the context), and every JSON error
body carries it as ``request_id``. This module imports nothing of the project:
the error contract (``apps.core.exceptions``) reads it, not the other way."""

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_current_request: ContextVar = ContextVar("current_request", default=None)


def request_id_from(raw: str | None) -> str:
    """The client's id when it is at most 64 of [A-Za-z0-9._-], else a new UUID4."""
    if isinstance(raw, str) and _VALID.fullmatch(raw):
        return raw
    return str(uuid.uuid4())


def current_request():
    """The request being served in this context, or None (shell, Celery, tests)."""
    return _current_request.get()


def current_request_id() -> str | None:
    request = _current_request.get()
    return getattr(request, "request_id", None) if request is not None else None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(HEADER))
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response[HEADER] = request.request_id
        return response
