from django.db.models import QuerySet

from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle

OFFICE = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE, Role.AUDITOR)


def depot_list(*, user) -> QuerySet[Depot]:
    return Depot.objects.all() if role_of(user) in OFFICE else Depot.objects.filter(is_active=True)


def vehicle_list(*, user) -> QuerySet[Vehicle]:
    role = role_of(user)
    qs = Vehicle.objects.select_related("home_depot")
    if role in OFFICE:
        return qs
    if role == Role.DRIVER:
        return qs.filter(pk=user.vehicle_id)
    if role == Role.DEPOT_STAFF:
        return qs.filter(home_depot_id=user.depot_id, is_active=True)
    return qs.none()


def cylinder_type_list(*, user) -> QuerySet[CylinderType]:
    return CylinderType.objects.all() if role_of(user) in OFFICE else CylinderType.objects.filter(is_active=True)


def equipment_list(*, user) -> QuerySet[Equipment]:
    role = role_of(user)
    qs = Equipment.objects.select_related("cylinder_type", "depot")
    if role in OFFICE:
        return qs
    if role == Role.DEPOT_STAFF:
        return qs.filter(depot_id=user.depot_id)
    if role == Role.DRIVER and user.vehicle_id:
        return qs.filter(depot__vehicles=user.vehicle_id)
    return qs.none()
