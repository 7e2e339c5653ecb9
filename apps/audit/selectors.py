from django.db.models import QuerySet

from apps.audit.models import AuditLog
from apps.core.roles import Role
from apps.core.scoping import scope_by_role


def audit_log_list(*, user) -> QuerySet[AuditLog]:
    """Admins, supervisors and auditors read the whole log; nobody else any of it."""
    qs = AuditLog.objects.select_related("user").order_by("-id")
    return scope_by_role(qs, user, read_all=(Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR))
