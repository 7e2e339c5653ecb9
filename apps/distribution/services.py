"""Depot <-> vehicle handovers."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.core.db import service_atomic, set_prefetched
from apps.core.exceptions import ValidationFailed
from apps.core.locks import lock_entity
from apps.core.sequences import distribution_number
from apps.depots.models import CylinderType, Depot, Vehicle
from apps.distribution import policies
from apps.distribution.enums import DistributionStatus
from apps.distribution.models import DistributionHeader, DistributionItem
from apps.inventory.enums import CylinderState, MovementType
from apps.inventory.locations import location_for_depot, location_for_vehicle
from apps.inventory.move_line import MoveLine
from apps.inventory.services import stock_document_reverse, stock_post

DOCUMENT_TYPE = "distribution.distributionheader"

# movement -> (state, True when the cylinders go depot -> vehicle)
_DIRECTION = {
    MovementType.COLLECTION: (CylinderState.FULL, True),
    MovementType.EMPTY_RETURN: (CylinderState.EMPTY, False),
    MovementType.FULL_RETURN: (CylinderState.FULL, False),
}


@dataclass(frozen=True)
class DistributionLine:
    """One line of a distribution: ``quantity`` cylinders of a type between a
    depot and the truck, in the direction of ``movement_type``."""

    depot: Depot
    cylinder_type: CylinderType
    quantity: int
    movement_type: str
    serials: tuple[str, ...] = ()  # one per cylinder; required for a serialised type

    @classmethod
    def of(cls, line: "DistributionLine | Mapping[str, Any]") -> "DistributionLine":
        """A line as given: already typed, or a mapping with the same keys."""
        if isinstance(line, DistributionLine):
            return line
        return cls(
            line["depot"],
            line["cylinder_type"],
            line["quantity"],
            line["movement_type"],
            tuple(line.get("serials") or ()),
        )


@service_atomic
def distribution_create(
    *,
    actor: User,
    vehicle: Vehicle,
    items: Sequence[DistributionLine],
    driver: User | None = None,
    occurred_at: datetime | None = None,
) -> DistributionHeader:
    """Record a load-out / return as one document: header, items, ledger moves,
    audit and a DIST-YYYYMMDD-NNNN number (taken last), or nothing at all.
    Who may: ``policies.distribution_create_check``."""
    items = [DistributionLine.of(item) for item in items]
    if not items:
        raise ValidationFailed({"items": ["A distribution needs at least one line."]})
    policies.distribution_create_check(actor, vehicle=vehicle, depot_ids={item.depot.pk for item in items})
    for i, item in enumerate(items):
        if item.movement_type not in _DIRECTION:
            raise ValidationFailed({"items": {i: {"movement_type": ["Not a distribution movement."]}}})
    driver = policies.distribution_record_as(actor, driver)
    when = occurred_at or timezone.now()
    totals: Counter[str] = Counter()
    for item in items:
        totals[item.movement_type] += item.quantity

    header = DistributionHeader.objects.create(
        driver=driver,
        vehicle=vehicle,
        status=DistributionStatus.CONFIRMED,
        total_collection=totals[MovementType.COLLECTION],
        total_return=totals[MovementType.EMPTY_RETURN] + totals[MovementType.FULL_RETURN],
        created_by=actor,
        occurred_at=when,
    )
    created = DistributionItem.objects.bulk_create(
        [
            DistributionItem(
                header=header,
                depot=item.depot,
                cylinder_type=item.cylinder_type,
                quantity=item.quantity,
                movement_type=item.movement_type,
            )
            for item in items
        ]
    )
    set_prefetched(header, "items", created)  # the answer lists them
    truck = location_for_vehicle(vehicle)
    lines = []
    for i, item in enumerate(items):
        state, outbound = _DIRECTION[MovementType(item.movement_type)]
        depot = location_for_depot(item.depot)
        src, dst = (depot, truck) if outbound else (truck, depot)
        lines.append(
            MoveLine(
                item.movement_type,
                item.cylinder_type.pk,
                state,
                item.quantity,
                src,
                dst,
                serials=item.serials,
                serialised=item.cylinder_type.serialised,
                error_path=("items", i, "serials"),
            )
        )
    posting = stock_post(
        actor=actor, document_type=DOCUMENT_TYPE, document_id=header.pk, lines=lines, occurred_at=when, audit=False
    )

    header.number = distribution_number(timezone.localdate(when))
    header.save(update_fields=["number"])
    audit_record(
        action=AuditAction.DISTRIBUTION_CREATED,
        user=actor,
        entity_type=DOCUMENT_TYPE,
        entity_id=header.pk,
        before={"balances": posting.balances_before},
        after={
            "posting": posting.audit_after(),
            "number": header.number,
            "vehicle": vehicle.pk,
            "driver": driver.pk if driver else None,
            "items": [
                {
                    "depot": i.depot.pk,
                    "cylinder_type": i.cylinder_type.pk,
                    "quantity": i.quantity,
                    "movement_type": i.movement_type,
                    **({"serials": list(i.serials)} if i.serials else {}),
                }
                for i in items
            ],
        },
    )
    return header


@transaction.atomic
def distribution_reverse(*, actor: User, header: DistributionHeader, reason: str) -> DistributionHeader:
    """Undo a distribution with a reversal document; the header is marked reversed."""
    policies.distribution_reverse_allowed(actor)
    locked = lock_entity(DistributionHeader.objects.filter(pk=header.pk))
    if locked.status == DistributionStatus.REVERSED:
        raise ValidationFailed({"status": ["This distribution is already reversed."]})
    stock_document_reverse(actor=actor, document_type=DOCUMENT_TYPE, document_id=locked.pk, reason=reason)
    DistributionHeader.objects.filter(pk=locked.pk).update(status=DistributionStatus.REVERSED)
    locked.refresh_from_db()
    return locked
