from django.db.models import QuerySet

from apps.audit.models import AuditLog
from apps.core.permissions import role_of
from apps.core.roles import Role


def audit_log_list(*, user) -> QuerySet[AuditLog]:
    """Admins, supervisors and auditors read the whole log; nobody else any of it."""
    if role_of(user) in (Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR):
        return AuditLog.objects.select_related("user").order_by("-id")
    return AuditLog.objects.none()
