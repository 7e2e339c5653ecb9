from django.db.models import QuerySet

from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.sync.models import Device, RejectedEvent

REVIEWERS = (Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR)  # who reads every device and event


def device_list(*, user) -> QuerySet[Device]:
    qs = Device.objects.select_related("user").order_by("-created_at")
    return qs if role_of(user) in REVIEWERS else qs.filter(user=user)


def rejected_event_list(*, user) -> QuerySet[RejectedEvent]:
    """Supervisors review every rejected event; everyone else sees their own."""
    qs = RejectedEvent.objects.select_related("user", "device").order_by("-id")
    if role_of(user) in REVIEWERS:
        return qs
    if role_of(user) is None:
        return qs.none()
    return qs.filter(user=user)
