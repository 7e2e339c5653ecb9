"""Records every mutating API request (method, path, status, user, IP) after
the response is made, in its own transaction: refused requests are recorded
too, since the view's transaction rolled back without them."""

import logging

from apps.audit.enums import AuditAction
from apps.audit.services import audit_record

logger = logging.getLogger(__name__)

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in MUTATING and request.path.startswith("/api/"):
            try:
                self._record(request, response)
            except Exception:  # the audit must never turn an answer into a 500
                logger.exception("audit middleware failed")
        return response

    def _record(self, request, response) -> None:
        user = getattr(request, "user", None)
        meta = {"status": response.status_code}
        data = getattr(response, "data", None)
        if response.status_code >= 400 and isinstance(data, dict) and isinstance(data.get("code"), str):
            meta["code"] = data["code"]
        audit_record(
            action=AuditAction.API_REQUEST,
            user=user if user is not None and user.is_authenticated else None,
            request=request,
            meta=meta,
        )
