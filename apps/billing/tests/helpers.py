"""Building delivery/invoice state through the services (never by hand)."""

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.deliveries.services import delivery_create
from apps.distribution.services import distribution_create
from apps.inventory.enums import MovementType

SGT = ZoneInfo("Asia/Singapore")


def sgt(*args) -> datetime:
    return datetime(*args, tzinfo=SGT)


def load_vehicle(world, *, vehicle=None, quantity: int = 30, types=None) -> None:
    """Fulls from the depot onto the truck (a COLLECTION distribution)."""
    distribution_create(
        actor=world.users["admin"],
        vehicle=vehicle or world.vehicle,
        items=[
            {"depot": world.depot, "cylinder_type": t, "quantity": quantity, "movement_type": MovementType.COLLECTION}
            for t in (types or world.types)
        ],
    )


def deliver(world, *, customer=None, actor=None, vehicle=None, lines=None, payment_method="CHEQUE", **kwargs):
    """A delivery through the service. CHEQUE by default: the invoice stays
    ISSUED (a CASH or PAYNOW delivery is paid at the door, in full)."""
    return delivery_create(
        actor=actor or world.users["driver"],
        customer=customer or world.customers[0],
        vehicle=vehicle or world.vehicle,
        lines=lines or [{"cylinder_type": world.gas, "delivered_full": 3, "returned_empty": 3}],
        payment_method=payment_method,
        **kwargs,
    )


def delivery_body(world, **overrides) -> dict:
    body = {
        "customer": world.customers[0].pk,
        "vehicle": world.vehicle.pk,
        "order": None,
        "payment_method": "CASH",
        "lines": [{"cylinder_type": world.gas.pk, "delivered_full": 3, "returned_empty": 3}],
    }
    body.update(overrides)
    return body


def post_delivery(client, body, key=None):
    return client.post("/api/deliveries/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(key or uuid.uuid4()))


def on_server_date(monkeypatch, day) -> None:
    """Run as if the server's Singapore date were ``day`` (the issue date of
    invoices and credit notes numbered from now on); the device time of a
    delivery stays whatever its ``occurred_at`` says."""
    from apps.billing import services as billing_services

    monkeypatch.setattr(billing_services, "server_today", lambda: day)


def money(value) -> Decimal:
    return Decimal(str(value))
