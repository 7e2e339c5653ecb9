from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit.filters import AuditLogFilter
from apps.audit.health import guard_problems_cached
from apps.audit.selectors import audit_log_list
from apps.audit.serializers import AuditLogSerializer
from apps.core.api import ReadOnlyViewSet
from apps.core.permissions import roles
from apps.core.request_context import current_request_id
from apps.core.roles import Role


class AuditLogViewSet(ReadOnlyViewSet):
    """The audit log, read-only, for admins and supervisors."""

    serializer_class = AuditLogSerializer
    permission_classes = [roles(Role.ADMIN, Role.SUPERVISOR)]
    filterset_class = AuditLogFilter
    search_fields: list = []
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return audit_log_list(user=self.request.user)


class HealthApi(APIView):
    """``GET /api/health/``: 200 when the database answers and every append-only
    trigger is in place, else 503 (``apps.audit.health``). No sign-in, not in
    the schema (a probe for nginx, docker and monitoring, not for the apps), so
    it says how many guards are missing, never which: the names go to the
    CRITICAL log and to ``manage.py check --deploy --database default``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request):
        from django.db import connection

        connection.ensure_connection()
        problems = guard_problems_cached()
        if problems:
            return Response(
                {
                    "code": "append_only_guard_missing",
                    "detail": "Append-only triggers are missing: audit rows, the ledger or invoices can be "
                    "changed. Stop writes, investigate (the CRITICAL log on apps.audit.health and "
                    "`manage.py check --deploy --database default` name them), run migrate.",
                    "problem_count": len(problems),
                    "request_id": current_request_id(),
                },
                status=503,
            )
        return Response({"status": "ok", "database": "ok", "append_only_guards": "ok"})
