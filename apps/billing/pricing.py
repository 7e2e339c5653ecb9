"""Money, prices and GST. One GST method everywhere: each line amount is
quantity x unit price rounded half-up to the cent; GST is computed ONCE on the
invoice subtotal (the sum of the rounded line amounts) and rounded half-up to
the cent; total = subtotal + GST. So the printed figures always add up."""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from apps.billing.models import CustomerPrice, CylinderTypePrice, DepositRate, GstRate, ServiceItemPrice
from apps.core.exceptions import ApplicationError

CENT = Decimal("0.01")


class PriceMissing(ApplicationError):
    code = "price_missing"
    status_code = 422


def money(value: Decimal) -> Decimal:
    """Half-up to the cent (never banker's rounding)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal | int, unit_price: Decimal) -> Decimal:
    return money(Decimal(quantity) * Decimal(unit_price))


def gst_rate_on(day: date) -> Decimal:
    """The rate in force on ``day`` (dated rows; settings.DEFAULT_GST_RATE only
    if the table is empty, which the data migration prevents)."""
    row = GstRate.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    return row.rate if row is not None else Decimal(settings.DEFAULT_GST_RATE)


def totals(amounts: Iterable[Decimal], rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, gst, total) for rounded line amounts at ``rate``."""
    subtotal = money(sum(amounts, Decimal("0")))
    gst = money(subtotal * rate)
    return subtotal, gst, subtotal + gst


def invoice_totals(
    taxable: Iterable[Decimal], deposits: Iterable[Decimal], rate: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(subtotal, gst, deposit_total, total): GST once on the taxable lines
    only (the GST base); deposits are not a supply, added after GST."""
    subtotal, gst, _ = totals(taxable, rate)
    deposit_total = money(sum(deposits, Decimal("0")))
    return subtotal, gst, deposit_total, subtotal + gst + deposit_total


def split_gross(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """A GST-inclusive amount as (net, gst) that add up to it exactly."""
    net = money(gross / (1 + rate))
    return net, gross - net


def cylinder_price(*, customer, cylinder_type, day: date) -> Decimal:
    """Customer price in force on ``day``, else dated list price, else CylinderType.list_price."""
    own = (
        CustomerPrice.objects.filter(customer=customer, cylinder_type=cylinder_type, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("price", flat=True)
        .first()
    )
    if own is not None:
        return own
    listed = (
        CylinderTypePrice.objects.filter(cylinder_type=cylinder_type, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("price", flat=True)
        .first()
    )
    return listed if listed is not None else cylinder_type.list_price


def service_price(*, service_item, day: date) -> Decimal:
    price = (
        ServiceItemPrice.objects.filter(service_item=service_item, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("price", flat=True)
        .first()
    )
    if price is None:
        raise PriceMissing(f"{service_item.name} has no price on {day:%d/%m/%Y}.")
    return price


def deposit_rates_on(cylinder_type_ids: Iterable[int], day: date) -> dict[int, Decimal]:
    """The deposit per cylinder in force on ``day`` for each type that has
    one (a type without a dated row in force charges no deposit); one query."""
    out: dict[int, Decimal] = {}
    rows = (
        DepositRate.objects.filter(cylinder_type_id__in=list(cylinder_type_ids), valid_from__lte=day)
        .order_by("cylinder_type_id", "valid_from")
        .values_list("cylinder_type_id", "amount")
    )
    for type_id, amount in rows:
        out[type_id] = amount  # the latest valid_from wins
    return out
