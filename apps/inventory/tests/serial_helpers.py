"""A serialised cylinder type with its cylinders received at the world's
depot, through the real posting service."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.core.tests.factories import CylinderTypeFactory
from apps.depots.models import Equipment
from apps.inventory.enums import StockDocumentKind
from apps.inventory.models import StockBalance
from apps.inventory.services import StockDocumentLine, stock_document_create


def serial_names(n: int, prefix: str = "SN") -> list[str]:
    return [f"{prefix}-{i:04d}" for i in range(1, n + 1)]


def serialised_world(world, *, count: int = 14, received: int | None = None, prefix: str = "SN"):
    """A serialised 45 kg type with ``count`` cylinders (retest in a year),
    the first ``received`` of them (default all) received FULL at world.depot."""
    kind = CylinderTypeFactory(
        name="45 kg serialised", weight_kg=Decimal("45.00"), list_price=Decimal("84.35"), serialised=True
    )
    due = timezone.localdate() + timedelta(days=365)
    serials = serial_names(count, prefix)
    Equipment.objects.bulk_create(
        [Equipment(serial_number=s, cylinder_type=kind, depot=world.depot, next_inspection_due=due) for s in serials]
    )
    take = serials[: count if received is None else received]
    if take:
        stock_document_create(
            actor=world.users["admin"],
            kind=StockDocumentKind.RECEIPT,
            depot=world.depot,
            reason="serialised opening",
            lines=[StockDocumentLine(kind, len(take), serials=tuple(take))],
        )
    return kind, serials


def position(serial: str) -> tuple[int | None, str]:
    row = Equipment.objects.get(serial_number=serial)
    return row.location_id, row.state


def balance(location, kind) -> tuple[int, int]:
    row = StockBalance.objects.filter(location=location, cylinder_type=kind).first()
    return (row.full_qty, row.empty_qty) if row else (0, 0)
