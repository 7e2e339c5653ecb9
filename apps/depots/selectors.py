from django.db.models import Q, QuerySet

from apps.core.permissions import role_of
from apps.core.scoping import NOTHING, OFFICE, scope_by_role
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle


def depot_list(*, user) -> QuerySet[Depot]:
    return Depot.objects.all() if role_of(user) in OFFICE else Depot.objects.filter(is_active=True)


def vehicle_list(*, user) -> QuerySet[Vehicle]:
    """A driver sees their vehicle; depot staff the active vehicles based at their depot."""
    return scope_by_role(
        Vehicle.objects.select_related("home_depot").prefetch_related("capacities"),
        user,
        driver_rule=lambda driver: Q(pk=driver.vehicle_id),
        depot_staff_rule=lambda staff: Q(home_depot_id=staff.depot_id, is_active=True),
    )


def cylinder_type_list(*, user) -> QuerySet[CylinderType]:
    return CylinderType.objects.all() if role_of(user) in OFFICE else CylinderType.objects.filter(is_active=True)


def equipment_list(*, user) -> QuerySet[Equipment]:
    """Depot staff see their depot's equipment (homed there, or now at their
    depot or on one of its vehicles); a driver that of their vehicle's home
    depot and whatever is on their vehicle."""

    def driver_rule(driver) -> Q:
        if not driver.vehicle_id:
            return NOTHING
        home = Vehicle.objects.filter(pk=driver.vehicle_id).values("home_depot_id")
        return Q(depot_id__in=home) | Q(location__vehicle_id=driver.vehicle_id)

    def depot_staff_rule(staff) -> Q:
        if not staff.depot_id:
            return NOTHING
        return (
            Q(depot_id=staff.depot_id)
            | Q(location__depot_id=staff.depot_id)
            | Q(location__vehicle__home_depot_id=staff.depot_id)
        )

    return scope_by_role(
        Equipment.objects.select_related("cylinder_type", "depot", "location"),
        user,
        driver_rule=driver_rule,
        depot_staff_rule=depot_staff_rule,
    ).order_by("serial_number")
