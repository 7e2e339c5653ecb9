from django.db.models import QuerySet

from apps.core.roles import Role
from apps.core.scoping import scope_by_role
from apps.sync.models import Device, RejectedEvent

REVIEWERS = (Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR)  # who reads every device and event


def device_list(*, user) -> QuerySet[Device]:
    qs = Device.objects.select_related("user").order_by("-created_at")
    return scope_by_role(qs, user, read_all=REVIEWERS, owner="user")


def rejected_event_list(*, user) -> QuerySet[RejectedEvent]:
    """Supervisors review every rejected event; everyone else sees their own."""
    qs = RejectedEvent.objects.select_related("user", "device").order_by("-id")
    return scope_by_role(qs, user, read_all=REVIEWERS, owner="user")
