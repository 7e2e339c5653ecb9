from django.db.models import Q, QuerySet

from apps.core.permissions import role_of
from apps.core.scoping import NOTHING, OFFICE, scope_by_role
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle


def depot_list(*, user) -> QuerySet[Depot]:
    return Depot.objects.all() if role_of(user) in OFFICE else Depot.objects.filter(is_active=True)


def vehicle_list(*, user) -> QuerySet[Vehicle]:
    """A driver sees their vehicle; depot staff the active vehicles based at their depot."""
    return scope_by_role(
        Vehicle.objects.select_related("home_depot"),
        user,
        driver_rule=lambda driver: Q(pk=driver.vehicle_id),
        depot_staff_rule=lambda staff: Q(home_depot_id=staff.depot_id, is_active=True),
    )


def cylinder_type_list(*, user) -> QuerySet[CylinderType]:
    return CylinderType.objects.all() if role_of(user) in OFFICE else CylinderType.objects.filter(is_active=True)


def equipment_list(*, user) -> QuerySet[Equipment]:
    """Depot staff see their depot's equipment; a driver that of their vehicle's home depot."""
    return scope_by_role(
        Equipment.objects.select_related("cylinder_type", "depot"),
        user,
        depot="depot",
        driver_rule=lambda driver: Q(depot__vehicles=driver.vehicle_id) if driver.vehicle_id else NOTHING,
    )
