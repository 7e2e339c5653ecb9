"""Finance test state, built through billing's services (never by hand)."""

import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

from django.utils import timezone

from apps.billing.services import credit_note_create, payment_record
from apps.billing.tests.helpers import deliver, load_vehicle, sgt

CENT = Decimal("0.01")


def credit_customer(customer, days: int = 30, email: str = "accounts@ahseng.example"):
    customer.payment_terms = "CREDIT"
    customer.credit_term_days = days
    customer.email = email
    customer.save()
    return customer


def invoice_on(world, day: date, *, customer=None, lines=None, method="CREDIT"):
    """A delivery (and its tax invoice) supplied and issued on ``day`` in
    Singapore: the server's clock is set to that day while the number is taken
    (billing issues invoices on the server's date)."""
    with mock.patch("apps.billing.services.server_today", return_value=day):
        delivery = deliver(
            world,
            customer=customer or world.customers[0],
            occurred_at=sgt(day.year, day.month, day.day, 10, 15),
            payment_method=method,
            lines=lines,
            actor=world.users["admin"],
        )
    return delivery.invoice


def cylinders(world, qty: int, type_index: int = 0) -> list[dict]:
    return [{"cylinder_type": world.types[type_index], "delivered_full": qty, "returned_empty": 0}]


def pay(world, invoice, amount: str, day: date):
    return payment_record(
        actor=world.users["finance"], invoice=invoice, amount=Decimal(amount), method="BANK_TRANSFER",
        reference=f"FAST {invoice.number}", received_at=sgt(day.year, day.month, day.day, 16, 40),
    )  # fmt: skip


def credit_one(world, invoice, quantity: str = "1"):
    """A credit note (dated today: billing dates credit notes when issued)."""
    line = invoice.lines.order_by("position").first()
    return credit_note_create(
        actor=world.users["finance"], invoice=invoice, reason="One cylinder returned unused",
        lines=[{"invoice_line": line, "quantity": Decimal(quantity)}],
    )  # fmt: skip


def gst(amount: Decimal, rate: str) -> Decimal:
    return (amount * Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def key() -> str:
    return str(uuid.uuid4())


__all__ = ["load_vehicle", "sgt"]
