"""The customer's own writes: an order (and its cancel) placed by a contact.
The rules of the self-service channel live here (docs/customers.md); the
order itself is made by ``apps.orders.services.order_create`` with source
CUSTOMER, exactly as the office's, so dispatch sees no difference."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.locks import lock_entity
from apps.core.typing import AnyRequest
from apps.customers.enums import CustomerAuditAction
from apps.customers.models import Customer
from apps.finance.selectors import open_invoices
from apps.orders.enums import OPEN_STATUSES, OrderSource
from apps.orders.models import Order
from apps.orders.services import order_cancel_by_customer, order_create
from apps.portal.enums import NotificationStatus
from apps.portal.selectors import customer_of, types_bought

# The driver reads the order's notes at the stop: this line tells them to collect.
PAY_AT_DOOR = "PAYMENT AT THE DOOR"


class OpenOrdersLimit(ApplicationError):
    code = "open_orders_limit"
    status_code = 409


class OrderRateLimit(ApplicationError):
    code = "order_rate_limit"
    status_code = 429


@dataclass(frozen=True)
class CreditHold:
    reason: str


def credit_hold(customer: Customer, *, today: date) -> CreditHold | None:
    """On hold when an invoice is overdue by more than
    CUSTOMER_CREDIT_HOLD_OVERDUE_DAYS (the customer model has no credit
    limit to be over)."""
    days = settings.CUSTOMER_CREDIT_HOLD_OVERDUE_DAYS
    overdue = [i for i in open_invoices(as_of=today, customer_id=customer.pk) if i.days_past_due > days]
    if not overdue:
        return None
    oldest = max(overdue, key=lambda i: i.days_past_due)
    return CreditHold(
        f"Invoice {oldest.number} is {oldest.days_past_due} days overdue (SGD {oldest.outstanding}): "
        f"this order is delivered against payment at the door."
    )


def _check_request(
    customer: Customer, *, lines: list[dict], scheduled_for: date, window_start: time | None, window_end: time | None
) -> None:
    """Every bad field at once (400 ``invalid``), before anything is written."""
    errors: dict = {}
    bought = types_bought(customer)
    line_errors = {}
    for i, line in enumerate(lines):
        if line["cylinder_type"].pk not in bought:
            line_errors[i] = {"cylinder_type": ["You have not bought this cylinder type from us; call the office."]}
    if line_errors:
        errors["lines"] = line_errors
    now = timezone.localtime()
    if scheduled_for < now.date():
        errors["scheduled_for"] = ["The day is in the past."]
    elif scheduled_for > now.date() + timedelta(days=settings.CUSTOMER_ORDER_DAYS_AHEAD):
        errors["scheduled_for"] = [f"Order at most {settings.CUSTOMER_ORDER_DAYS_AHEAD} days ahead."]
    elif scheduled_for == now.date() and window_end is not None and window_end <= now.time():
        errors["window_end"] = ["This window has already passed today."]
    if errors:
        raise ValidationFailed(errors)


def _check_limits(customer: Customer) -> None:
    open_count = Order.objects.filter(customer=customer, status__in=OPEN_STATUSES).count()
    if open_count >= settings.CUSTOMER_OPEN_ORDERS_MAX:
        raise OpenOrdersLimit(
            f"You have {open_count} orders still open (at most {settings.CUSTOMER_OPEN_ORDERS_MAX}); "
            "wait for a delivery or cancel one."
        )
    since: datetime = timezone.now() - timedelta(days=1)
    recent = Order.objects.filter(customer=customer, source=OrderSource.CUSTOMER, created_at__gte=since).count()
    if recent >= settings.CUSTOMER_ORDERS_PER_DAY:
        raise OrderRateLimit(f"At most {settings.CUSTOMER_ORDERS_PER_DAY} orders a day from the app; call the office.")


@transaction.atomic
def customer_order_place(
    *,
    actor: User,
    lines: list[dict],
    scheduled_for: date,
    window_start: time | None = None,
    window_end: time | None = None,
    notes: str = "",
) -> Order:
    """A contact orders for its customer. Invariants: only types the customer
    buys, a day from today within CUSTOMER_ORDER_DAYS_AHEAD, a window not yet
    passed (a household's inside 07:00-21:00, checked by ``order_create``);
    at most CUSTOMER_OPEN_ORDERS_MAX open orders and CUSTOMER_ORDERS_PER_DAY
    app orders in 24 hours (the customer row is locked, so two taps cannot
    both pass); on credit hold the order is still taken, marked for payment
    at the door in the notes the driver reads."""
    customer = customer_of(actor)
    _check_request(customer, lines=lines, scheduled_for=scheduled_for, window_start=window_start,
                   window_end=window_end)  # fmt: skip
    lock_entity(Customer.objects.filter(pk=customer.pk))
    _check_limits(customer)
    hold = credit_hold(customer, today=timezone.localdate())
    if hold is not None:
        notes = f"{PAY_AT_DOOR}: {hold.reason}\n{notes}".strip()
    order = order_create(
        actor=actor,
        customer=customer,
        scheduled_for=scheduled_for,
        lines=lines,
        notes=notes,
        window_start=window_start,
        window_end=window_end,
        source=OrderSource.CUSTOMER,
    )
    return order


@transaction.atomic
def customer_order_cancel(*, actor: User, order: Order, reason: str = "") -> Order:
    customer_of(actor)  # 403 customer_inactive once the customer is closed
    return order_cancel_by_customer(actor=actor, order=order, reason=reason)


def order_quote(*, actor: User, lines: list[dict], scheduled_for: date) -> dict:
    """What an order would cost, written nowhere: per line the customer's
    price in force on the day (contract, else list), GST at that day's rate,
    and the deposit that would be charged, assuming the contact hands back
    an empty for each full (up to the cylinders at its site) as at the door;
    deposits carry no GST. The same checks on types and day as an order."""
    from apps.billing.models import DepositHolding
    from apps.billing.pricing import cylinder_price, deposit_rates_on, gst_rate_on, invoice_totals, line_amount
    from apps.inventory.models import StockBalance

    customer = customer_of(actor)
    _check_request(customer, lines=lines, scheduled_for=scheduled_for, window_start=None, window_end=None)
    type_ids = [line["cylinder_type"].pk for line in lines]
    rates = deposit_rates_on(type_ids, scheduled_for)
    held = {
        t: full + empty
        for t, full, empty in StockBalance.objects.filter(
            location__customer=customer, cylinder_type_id__in=type_ids
        ).values_list("cylinder_type_id", "full_qty", "empty_qty")
    }
    covered = dict(
        DepositHolding.objects.filter(customer=customer, cylinder_type_id__in=type_ids).values_list(
            "cylinder_type_id", "units"
        )
    )
    out = []
    for line in lines:
        ct, quantity = line["cylinder_type"], line["quantity"]
        price = cylinder_price(customer=customer, cylinder_type=ct, day=scheduled_for)
        before = held.get(ct.pk, 0)
        after = before + quantity - min(quantity, before)
        units = max(0, after - max(covered.get(ct.pk, 0), before)) if ct.pk in rates else 0
        out.append({
            "cylinder_type": ct.pk, "name": ct.name, "quantity": quantity, "unit_price": price,
            "amount": line_amount(quantity, price), "deposit_units": units,
            "deposit_amount": line_amount(units, rates.get(ct.pk, Decimal("0"))),
        })  # fmt: skip
    rate = gst_rate_on(scheduled_for)
    subtotal, gst, deposit_total, total = invoice_totals(
        [o["amount"] for o in out], [o["deposit_amount"] for o in out], rate
    )
    return {"scheduled_for": scheduled_for, "lines": out, "subtotal": subtotal, "gst_rate": rate, "gst_amount": gst,
            "deposit_total": deposit_total, "total": total}  # fmt: skip


# -- personal data: the contact's access request (docs/customers.md, "Personal data") ------------------


def contact_data_export(*, actor: User, request: AnyRequest | None = None) -> dict:
    """Everything the contact may see, for one JSON document
    (``DataExportOutput``): its own personal data (login, settings, the
    e-mails sent to it, its own audited actions) and its customer's records
    it can read in the app (orders, deliveries with their proof, invoices,
    credit notes, payments). Written nowhere but the audit row that records
    the export (with counts)."""
    from apps.audit.models import AuditLog
    from apps.deliveries.models import Delivery
    from apps.portal.models import OrderNotification
    from apps.portal.selectors import (
        contact_of,
        customer_credit_note_list,
        customer_invoice_list,
        customer_order_list,
        customer_payment_list,
    )

    customer = customer_of(actor)
    contact = contact_of(actor)
    assert contact is not None  # customer_of refused a login that is not a contact
    user = actor
    # the customer's sent e-mails, kept where this address was among the recipients
    notifications = OrderNotification.objects.filter(order__customer_id=customer.pk, status=NotificationStatus.SENT)
    sent = [n for n in notifications.order_by("id") if user.email in n.recipients]
    actions = list(
        AuditLog.objects.filter(user_id=user.pk)
        .order_by("id")
        .values("action", "entity_type", "entity_id", "created_at", "ip_address")
    )
    deliveries = (
        Delivery.objects.filter(customer_id=customer.pk)
        .select_related("proof", "invoice")
        .prefetch_related("lines__cylinder_type", "attachments")
        .order_by("id")
    )
    body = {
        "exported_at": timezone.now(),
        "contact": {
            "id": contact.pk, "name": user.name, "email": user.email, "phone": user.phone,
            "notify_orders": contact.notify_orders, "since": contact.created_at, "last_login": user.last_login,
        },
        "customer": customer,
        "orders": list(customer_order_list(customer=customer)),
        "deliveries": list(deliveries),
        "invoices": list(customer_invoice_list(customer=customer)),
        "credit_notes": list(customer_credit_note_list(customer=customer)),
        "payments": list(customer_payment_list(customer=customer)),
        "emails_sent_to_you": sent,
        "your_actions": actions,
    }  # fmt: skip
    counts = {k: len(v) for k, v in body.items() if isinstance(v, list)}
    with transaction.atomic():
        audit_record(
            action=CustomerAuditAction.DATA_EXPORTED,
            user=actor,
            entity_type="customers.customercontact",
            entity_id=contact.pk,
            after={"customer": customer.pk, **counts},
            request=request,
        )
    return body
