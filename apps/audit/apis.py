from apps.audit.filters import AuditLogFilter
from apps.audit.selectors import audit_log_list
from apps.audit.serializers import AuditLogSerializer
from apps.core.api import ReadOnlyViewSet
from apps.core.permissions import roles
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
