"""Depot <-> vehicle handovers."""

from collections import Counter
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import Forbidden, ValidationFailed
from apps.core.locks import lock_entity
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.core.sequences import distribution_number
from apps.depots.models import Vehicle
from apps.distribution.enums import DistributionStatus
from apps.distribution.models import DistributionHeader, DistributionItem
from apps.inventory.enums import CylinderState, MovementType
from apps.inventory.locations import location_for_depot, location_for_vehicle
from apps.inventory.services import MoveLine, stock_document_reverse, stock_post

DOCUMENT_TYPE = "distribution.distributionheader"

# movement -> (state, True when the cylinders go depot -> vehicle)
_DIRECTION = {
    MovementType.COLLECTION: (CylinderState.FULL, True),
    MovementType.EMPTY_RETURN: (CylinderState.EMPTY, False),
    MovementType.FULL_RETURN: (CylinderState.FULL, False),
}


def _check_may_distribute(actor: User, vehicle: Vehicle, items: list[dict]) -> None:
    """Drivers record only for their own vehicle (at any depot: a truck may load
    elsewhere); depot staff only at their own depot, every line of it (any
    vehicle: the cylinders leave or enter their depot). Refusals are 403:
    ``permission_denied`` for another driver's vehicle, ``depot_scope`` for
    another depot."""
    role = role_of(actor)
    if role in (Role.ADMIN, Role.SUPERVISOR):
        return
    if role == Role.DRIVER:
        if actor.vehicle_id != vehicle.pk:
            raise Forbidden("A driver may only record distributions for their own vehicle.")
        return
    if role == Role.DEPOT_STAFF:
        if not actor.depot_id or any(item["depot"].pk != actor.depot_id for item in items):
            raise Forbidden("Depot staff may only record distributions at their own depot.", code="depot_scope")
        return
    raise Forbidden("Your role may not record distributions.")


@transaction.atomic
def distribution_create(
    *, actor: User, vehicle: Vehicle, items: list[dict], driver: User | None = None, occurred_at: datetime | None = None
) -> DistributionHeader:
    """Record a load-out / return as one document: header, items, ledger moves,
    audit and a DIST-YYYYMMDD-NNNN number (taken last), or nothing at all.

    ``items``: ``{"depot": Depot, "cylinder_type": CylinderType, "quantity": int, "movement_type": str}``"""
    if not items:
        raise ValidationFailed({"items": ["A distribution needs at least one line."]})
    _check_may_distribute(actor, vehicle, items)
    for i, item in enumerate(items):
        if item["movement_type"] not in _DIRECTION:
            raise ValidationFailed({"items": {i: {"movement_type": ["Not a distribution movement."]}}})
    if role_of(actor) == Role.DRIVER:  # a driver records only as themselves
        if driver is not None and driver.pk != actor.pk:
            raise Forbidden("A driver may only record distributions as themselves.")
        driver = actor
    when = occurred_at or timezone.now()
    totals: Counter[str] = Counter()
    for item in items:
        totals[item["movement_type"]] += item["quantity"]

    header = DistributionHeader.objects.create(
        driver=driver,
        vehicle=vehicle,
        status=DistributionStatus.CONFIRMED,
        total_collection=totals[MovementType.COLLECTION],
        total_return=totals[MovementType.EMPTY_RETURN] + totals[MovementType.FULL_RETURN],
        created_by=actor,
        occurred_at=when,
    )
    DistributionItem.objects.bulk_create(
        [
            DistributionItem(
                header=header,
                depot=item["depot"],
                cylinder_type=item["cylinder_type"],
                quantity=item["quantity"],
                movement_type=item["movement_type"],
            )
            for item in items
        ]
    )
    truck = location_for_vehicle(vehicle)
    lines = []
    for item in items:
        state, outbound = _DIRECTION[item["movement_type"]]
        depot = location_for_depot(item["depot"])
        src, dst = (depot, truck) if outbound else (truck, depot)
        lines.append(MoveLine(item["movement_type"], item["cylinder_type"].pk, state, item["quantity"], src, dst))
    stock_post(actor=actor, document_type=DOCUMENT_TYPE, document_id=header.pk, lines=lines, occurred_at=when)

    header.number = distribution_number(timezone.localdate(when))
    header.save(update_fields=["number"])
    audit_record(
        action=AuditAction.DISTRIBUTION_CREATED,
        user=actor,
        entity_type=DOCUMENT_TYPE,
        entity_id=header.pk,
        after={
            "number": header.number,
            "vehicle": vehicle.pk,
            "driver": driver.pk if driver else None,
            "items": [
                {
                    "depot": i["depot"].pk,
                    "cylinder_type": i["cylinder_type"].pk,
                    "quantity": i["quantity"],
                    "movement_type": i["movement_type"],
                }
                for i in items
            ],
        },
    )
    return header


@transaction.atomic
def distribution_reverse(*, actor: User, header: DistributionHeader, reason: str) -> DistributionHeader:
    """Undo a distribution with a reversal document; the header is marked reversed."""
    locked = lock_entity(DistributionHeader.objects.filter(pk=header.pk))
    if locked.status == DistributionStatus.REVERSED:
        raise ValidationFailed({"status": ["This distribution is already reversed."]})
    stock_document_reverse(actor=actor, document_type=DOCUMENT_TYPE, document_id=locked.pk, reason=reason)
    DistributionHeader.objects.filter(pk=locked.pk).update(status=DistributionStatus.REVERSED)
    locked.refresh_from_db()
    return locked
