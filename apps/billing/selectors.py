"""Billing reads, scoped by role in the queryset: finance, admin and
supervisors see every invoice; a driver only those of their own deliveries;
depot staff none."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.billing.models import CreditNote, DepositHolding, Invoice
from apps.core.scoping import scope_by_role
from apps.customers.models import Customer
from apps.depots.models import CylinderType
from apps.inventory.enums import MovementType
from apps.inventory.models import Location, StockBalance, StockMove


def invoice_list(*, user) -> QuerySet[Invoice]:
    qs = Invoice.objects.select_related("delivery").order_by("-issue_date", "-id")
    return scope_by_role(qs, user, driver="delivery__driver")


def invoice_detail_list(*, user) -> QuerySet[Invoice]:
    return invoice_list(user=user).prefetch_related("lines", "payments", "credit_notes")


def credit_note_list(*, user) -> QuerySet[CreditNote]:
    qs = CreditNote.objects.select_related("invoice").prefetch_related("lines").order_by("-id")
    return scope_by_role(qs, user)


def delivery_deposit_credit_note(delivery_id: int) -> CreditNote | None:
    """The credit note that refunded deposits on a delivery (the first, if
    the cylinders returned were charged on several invoices), or None."""
    return (
        CreditNote.objects.filter(lines__deposit_moves__delivery_id=delivery_id)
        .order_by("id")
        .only("id", "number", "total")
        .first()
    )


# -- cylinders and deposits held by customers --------------------------------------


def _oldest_since(location_id: int | None) -> dict[int, date]:
    """Per cylinder type, the date (Singapore) of the oldest cylinder the
    customer still holds, first in first out over its ledger moves: cylinders
    in (deliveries) and out (returns); the gas-used conversion at the site
    (CONSUMPTION, full -> empty in place) is neither."""
    if location_id is None:
        return {}
    moves = (
        StockMove.objects.filter(Q(to_location_id=location_id) | Q(from_location_id=location_id))
        .exclude(movement_type=MovementType.CONSUMPTION)
        .order_by("occurred_at", "id")
        .values_list("cylinder_type_id", "to_location_id", "quantity", "occurred_at")
    )
    lots: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    gone: dict[int, int] = defaultdict(int)
    for type_id, to_id, quantity, occurred_at in moves:
        if to_id == location_id:
            lots[type_id].append((occurred_at, quantity))
        else:
            gone[type_id] += quantity
    out = {}
    for type_id, rows in lots.items():
        left = gone[type_id]
        for occurred_at, quantity in rows:
            if quantity > left:
                out[type_id] = timezone.localdate(occurred_at)
                break
            left -= quantity
    return out


def customer_cylinders(*, customer: Customer) -> dict:
    """GET /api/customers/<id>/cylinders/: per cylinder type the customer
    holds or has deposits for, its cylinders at the site (full, empty,
    held), the deposits held (units, amount) and the oldest cylinder held."""
    location_id = Location.objects.filter(customer=customer).values_list("id", flat=True).first()
    held = {
        t: (full, empty)
        for t, full, empty in StockBalance.objects.filter(location__customer=customer).values_list(
            "cylinder_type_id", "full_qty", "empty_qty"
        )
    }
    deposits = {
        t: (units, amount)
        for t, units, amount in DepositHolding.objects.filter(customer=customer).values_list(
            "cylinder_type_id", "units", "amount"
        )
    }
    type_ids = sorted(t for t in set(held) | set(deposits) if any(held.get(t, (0, 0))) or any(deposits.get(t, (0, 0))))
    names = dict(CylinderType.objects.filter(pk__in=type_ids).values_list("id", "name"))
    oldest = _oldest_since(location_id)
    types = []
    for t in type_ids:
        full, empty = held.get(t, (0, 0))
        units, amount = deposits.get(t, (0, Decimal("0.00")))
        types.append(
            {
                "cylinder_type": t,
                "name": names[t],
                "full": full,
                "empty": empty,
                "held": full + empty,
                "deposit_units": units,
                "deposit_amount": f"{amount:.2f}",
                "oldest_since": oldest.get(t) if full + empty else None,
                "oldest_serial": None,
            }
        )
    total = sum((amount for _, amount in deposits.values()), Decimal("0.00"))
    return {"customer": customer.pk, "types": types, "deposit_total": f"{total:.2f}"}


def customers_cylinders_held(held: dict[int, dict[int, int]]) -> dict[int, dict]:
    """For the driver's stops, one query whatever their number: per customer
    of ``held`` ({customer: {cylinder type: cylinders at the site}}, read by
    the caller), ``cylinders`` ([{cylinder_type, held, deposit_units}]) and
    ``deposit_total``."""
    units: dict[int, dict[int, int]] = defaultdict(dict)
    totals: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for customer_id, t, n, amount in DepositHolding.objects.filter(customer_id__in=list(held)).values_list(
        "customer_id", "cylinder_type_id", "units", "amount"
    ):
        units[customer_id][t] = n
        totals[customer_id] += amount
    out = {}
    for customer_id, at_site in held.items():
        mine = units[customer_id]
        out[customer_id] = {
            "cylinders": [
                {"cylinder_type": t, "held": at_site.get(t, 0), "deposit_units": mine.get(t, 0)}
                for t in sorted(set(at_site) | set(mine))
                if at_site.get(t, 0) or mine.get(t, 0)
            ],
            "deposit_total": f"{totals[customer_id]:.2f}",
        }
    return out
