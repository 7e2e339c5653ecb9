from django.db.models import QuerySet

from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.deliveries.models import Delivery


def delivery_list(*, user) -> QuerySet[Delivery]:
    """A driver sees their own deliveries; depot staff those of their depot's vehicles."""
    qs = Delivery.objects.select_related("invoice").prefetch_related("lines", "invoice__payments").order_by("-id")
    role = role_of(user)
    if role in (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE, Role.AUDITOR):
        return qs
    if role == Role.DRIVER:
        return qs.filter(driver=user)
    if role == Role.DEPOT_STAFF and user.depot_id:
        return qs.filter(vehicle__home_depot_id=user.depot_id)
    return qs.none()
