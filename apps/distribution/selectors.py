from django.db.models import QuerySet

from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.distribution.models import DistributionHeader


def distribution_list(*, user) -> QuerySet[DistributionHeader]:
    """A driver sees their own distributions; depot staff those at their depot."""
    qs = DistributionHeader.objects.select_related("vehicle", "driver").prefetch_related("items").order_by("-id")
    role = role_of(user)
    if role in (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE, Role.AUDITOR):
        return qs
    if role == Role.DRIVER:
        return qs.filter(driver=user)
    if role == Role.DEPOT_STAFF and user.depot_id:
        return qs.filter(items__depot_id=user.depot_id).distinct()
    return qs.none()
