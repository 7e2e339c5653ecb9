from django.db.models import QuerySet

from apps.accounts.enums import Role
from apps.accounts.scoping import scope_by_role
from apps.audit.models import AuditLog


def audit_log_list(*, user) -> QuerySet[AuditLog]:
    """Admins, supervisors and auditors read the whole log; nobody else any of it."""
    qs = AuditLog.objects.select_related("user").order_by("-id")
    return scope_by_role(qs, user, read_all=(Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR))
