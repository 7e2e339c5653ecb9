"""Depots, vehicles, cylinder types and equipment: written by admins only,
from the API or the Django admin, through these functions (each one atomic,
with its audit row; see apps.audit.audited). Nothing is deleted: deactivate."""

from collections.abc import Mapping
from typing import Any

from apps.accounts.models import User
from apps.audit.audited import row_create, row_update
from apps.core.exceptions import ValidationFailed
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle, VehicleCapacity


def depot_create(*, actor: User, data: Mapping[str, Any]) -> Depot:
    return row_create(actor=actor, model=Depot, data=data)


def depot_update(*, actor: User, depot: Depot, data: Mapping[str, Any]) -> Depot:
    return row_update(actor=actor, instance=depot, data=data)


def _vehicle_check(_before: Vehicle | None, after: Vehicle) -> None:
    """The shift as stored after the change (a PATCH may name one end only):
    400 on ``shift_end`` rather than the database's check constraint."""
    if after.shift_start >= after.shift_end:
        raise ValidationFailed({"shift_end": [f"Must be after the shift's start ({after.shift_start:%H:%M})."]})


def vehicle_create(*, actor: User, data: Mapping[str, Any]) -> Vehicle:
    return row_create(actor=actor, model=Vehicle, data=data, check=_vehicle_check)


def vehicle_update(*, actor: User, vehicle: Vehicle, data: Mapping[str, Any]) -> Vehicle:
    return row_update(actor=actor, instance=vehicle, data=data, check=_vehicle_check)


def vehicle_capacity_create(*, actor: User, data: Mapping[str, Any]) -> VehicleCapacity:
    """How many cylinders of a type the truck's racks hold (the planner's limit)."""
    return row_create(actor=actor, model=VehicleCapacity, data=data)


def vehicle_capacity_update(*, actor: User, capacity: VehicleCapacity, data: Mapping[str, Any]) -> VehicleCapacity:
    """No longer carried: set ``max_qty`` to 0 (capacity rows are not deleted either)."""
    return row_update(actor=actor, instance=capacity, data=data)


def cylinder_type_create(*, actor: User, data: Mapping[str, Any]) -> CylinderType:
    return row_create(actor=actor, model=CylinderType, data=data)


def cylinder_type_update(*, actor: User, cylinder_type: CylinderType, data: Mapping[str, Any]) -> CylinderType:
    """``list_price`` is the undated fallback price: issued invoices keep
    their own figures; a dated change is a CylinderTypePrice row."""
    return row_update(actor=actor, instance=cylinder_type, data=data)


def equipment_create(*, actor: User, data: Mapping[str, Any]) -> Equipment:
    return row_create(actor=actor, model=Equipment, data=data)


def equipment_update(*, actor: User, equipment: Equipment, data: Mapping[str, Any]) -> Equipment:
    return row_update(actor=actor, instance=equipment, data=data)
