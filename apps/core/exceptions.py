"""One error contract for the whole API: every 4xx is
``{"code": "<machine_code>", "detail": "<sentence>", "fields": {...}}``."""

import errno
import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from apps.core.db import means_database_unavailable
from apps.core.request_context import current_request_id


class ApplicationError(Exception):
    """A refused business action. Subclasses set a stable ``code`` and status."""

    code = "application_error"
    status_code: int = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request could not be carried out."

    def __init__(self, detail: str | None = None, *, code: str | None = None, extra: dict | None = None):
        self.detail = detail or self.default_detail
        if code:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.detail)


class ConflictError(ApplicationError):
    code = "conflict"
    status_code = status.HTTP_409_CONFLICT


class InvalidMovement(ApplicationError):
    code = "invalid_movement"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class IdempotencyConflict(ConflictError):
    code = "idempotency_conflict"
    default_detail = "This Idempotency-Key was already used with a different request."


class IdempotencyKeyRequired(ApplicationError):
    code = "idempotency_key_required"
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "This request creates a document: send an Idempotency-Key header (a UUID)."


class DatabaseUnavailable(ApplicationError):
    code = "database_unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is not reachable just now; try again shortly. Nothing was recorded."


class ReplicaUnavailable(DatabaseUnavailable):
    """The read replica went away while a report read from it; the primary is
    fine. The next reports read from the primary (config/routers.py)."""

    code = "replica_unavailable"
    default_detail = "The reporting replica is not reachable just now; try again (the primary answers meanwhile)."


class StorageFull(ApplicationError):
    """The media storage refused the bytes for want of space (ENOSPC, EDQUOT):
    nothing was stored, what the request would have recorded was not; the
    client sends it again later (the phone's outbox does). Logged CRITICAL on
    ``apps.core.storage``."""

    code = "storage_full"
    status_code = status.HTTP_507_INSUFFICIENT_STORAGE
    default_detail = "The file store is full just now; nothing was stored. Send it again later."


class ThrottleUnavailable(ApplicationError):
    """A rate that guards a credential (sign-in, password change, invite) could
    not be counted: its store (the cache: Redis in production) is not
    reachable. Refused rather than let guesses through uncounted
    (apps.core.throttling)."""

    code = "throttle_unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Sign-in is paused for a moment (its guard is not reachable); try again shortly."


def means_storage_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class ValidationFailed(ApplicationError):
    """Domain-level input validation with per-field messages (400)."""

    code = "invalid"
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, fields: dict, detail: str = "Invalid input."):
        super().__init__(detail, extra={"fields": fields})


class Forbidden(ApplicationError):
    code = "permission_denied"
    status_code = status.HTTP_403_FORBIDDEN


_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    exceptions.ValidationError: "invalid",
}


def _first_code(exc: exceptions.APIException) -> str:
    for klass, code in _DRF_CODES.items():
        if isinstance(exc, klass):
            return code
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return "error"


def _flatten_detail(detail: Any) -> str:
    if isinstance(detail, dict):
        if "detail" in detail:
            return _flatten_detail(detail["detail"])
        return "Invalid input."
    if isinstance(detail, list):
        return " ".join(_flatten_detail(d) for d in detail) if detail else "Invalid input."
    return str(detail)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every error as the one contract, with the request's id as ``request_id``."""
    response = _contract_response(exc, context)
    if response is not None and isinstance(response.data, dict):
        response.data["request_id"] = current_request_id()
    return response


def _contract_response(exc: Exception, context: dict) -> Response | None:
    if means_database_unavailable(exc):
        log_database_error(exc)
        exc = DatabaseUnavailable()
    elif means_storage_full(exc):
        logging.getLogger("apps.core.storage").critical("media storage full: %r", exc)
        exc = StorageFull()
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "detail": str(exc.detail)}
        body.update(exc.extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        return Response(
            {"code": "protected", "detail": "This record is referenced by other records and cannot be deleted."},
            status=status.HTTP_409_CONFLICT,
        )

    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = _first_code(exc)
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": code, "detail": "Invalid input.", "fields": fields}
    else:
        data = response.data
        # simplejwt puts its own code in the body ("token_not_valid", ...): keep it.
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            code = data["code"]
        response.data = {"code": code, "detail": _flatten_detail(data)}
    return response


def log_database_error(exc: BaseException) -> None:
    logging.getLogger("apps.core.database").error("database unavailable: %r", exc, exc_info=exc)


def json_error(status_code: int, code: str, detail: str, request=None, **extra):
    """A JsonResponse in the error contract, outside DRF (Django handlers, middleware)."""
    from django.http import JsonResponse

    request_id = getattr(request, "request_id", None) or current_request_id()
    return JsonResponse({"code": code, "detail": detail, **extra, "request_id": request_id}, status=status_code)


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def json_400(request, exception=None):
    """Django-level 400s (oversized or malformed form bodies, bad Host):
    JSON under /api/, Django's page elsewhere."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
    from django.views.defaults import bad_request

    if not is_api(request):
        return bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return json_error(400, "request_too_large", "The request body is too large.", request)
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return json_error(400, "too_many_fields", "The request has too many fields.", request)
    return json_error(400, "bad_request", "The request could not be understood.", request)


def json_403(request, exception=None):
    from django.views.defaults import permission_denied

    if is_api(request):
        return json_error(403, "permission_denied", "You do not have permission to perform this action.", request)
    return permission_denied(request, exception)


def json_404(request, exception=None):
    """Unmatched URLs: JSON under /api/, Django's page elsewhere. A write to an
    API URL without its trailing slash is told so (it is not redirected: a
    client would follow the redirect as a GET and record nothing)."""
    from django.urls import is_valid_path
    from django.views.defaults import page_not_found

    if is_api(request):
        detail = "No such endpoint or object."
        if not request.path_info.endswith("/") and is_valid_path(request.path_info + "/"):
            detail = f"No such endpoint. API URLs end with a slash: {request.path}/"
        return json_error(404, "not_found", detail, request)
    return page_not_found(request, exception)


def json_500(request):
    from django.views.defaults import server_error

    if is_api(request):
        return json_error(500, "server_error", "Unexpected error; it has been logged.", request)
    return server_error(request)


def require_reason(reason: str | None, message: str) -> str:
    """The stripped reason, or a 400 on ``reason`` with ``message`` when blank."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [message]})
    return reason
