"""The customer's own rows. Every query here is cut to the contact's one
customer: another customer's record is simply not in the queryset (404)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from apps.billing.models import CreditNote, CustomerPrice, Invoice, InvoiceLine, Payment
from apps.customers.models import Customer, CustomerContact
from apps.customers.services import CustomerInactive
from apps.depots.models import CylinderType, Equipment
from apps.dispatch.planning import at, loaded_on
from apps.orders.enums import OrderStatus
from apps.orders.models import Order, OrderLine, RouteStop
from apps.portal.enums import TrackingState


def contact_of(user) -> CustomerContact | None:
    """The contact a signed-in customer user is, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return CustomerContact.objects.select_related("customer").filter(user_id=user.pk).first()


def customer_of(user) -> Customer:
    """The contact's customer; 403 ``customer_inactive`` once it is deactivated."""
    contact = contact_of(user)
    if contact is None:  # the permission class lets only contacts in
        raise CustomerInactive("This login is not a customer's contact.")
    if not contact.customer.is_active:
        raise CustomerInactive()
    return contact.customer


def customer_invoice_list(*, customer: Customer) -> QuerySet[Invoice]:
    return Invoice.objects.filter(customer_id=customer.pk).prefetch_related("lines", "payments").order_by("-id")


def customer_credit_note_list(*, customer: Customer) -> QuerySet[CreditNote]:
    return (
        CreditNote.objects.filter(invoice__customer_id=customer.pk)
        .select_related("invoice")
        .prefetch_related("lines")
        .order_by("-id")
    )


def customer_payment_list(*, customer: Customer) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(invoice__customer_id=customer.pk)
        .select_related("invoice")
        .order_by("-received_at", "-id")
    )


def customer_serials(*, customer: Customer) -> QuerySet[Equipment]:
    """The serialised cylinders at the customer's site now."""
    return (
        Equipment.objects.filter(location__customer_id=customer.pk)
        .select_related("cylinder_type")
        .order_by("cylinder_type_id", "serial_number")
    )


def _tracked(orders: QuerySet[Order]) -> QuerySet[Order]:
    """With what ``order_tracking`` reads: the lines and the newest route stop first."""
    stops = RouteStop.objects.select_related("plan").order_by("-plan__date", "-id")
    return orders.prefetch_related("lines", Prefetch("route_stops", queryset=stops))


def customer_order_list(*, customer: Customer) -> QuerySet[Order]:
    return _tracked(Order.objects.filter(customer_id=customer.pk)).order_by("-scheduled_for", "-id")


def order_tracked(*, order_id: int) -> QuerySet[Order]:
    """One order (any customer's: for the order e-mails, never an API) with its tracking's data."""
    return _tracked(Order.objects.filter(pk=order_id))


Tracking = TrackingState


@dataclass(frozen=True)
class OrderTracking:
    state: str
    eta: datetime | None = None
    window_start: datetime | None = None  # the arrival window the plan gave it
    window_end: datetime | None = None
    invoice: Invoice | None = None


def _stop_done_today(stop: RouteStop, today: date) -> bool:
    """The truck has started the route: loaded at its depot today, or a stop
    of the route delivered today. (A datetime range, not ``__date``: MariaDB
    without its time zone tables answers NULL to CONVERT_TZ.)"""
    if stop.plan.date != today:
        return False
    start = at(today, 0)
    if stop.plan.vehicle_id is not None and loaded_on([stop.plan.vehicle_id], today):
        return True
    return Order.objects.filter(
        route_stops__plan_id=stop.plan_id, delivered_at__gte=start, delivered_at__lt=start + timedelta(days=1)
    ).exists()


def order_tracking(order: Order, *, today: date | None = None) -> OrderTracking:
    """received -> planned (a route stop with its ETA) -> on the way (a stop
    of its route done today) -> delivered / partly delivered (with the invoice)."""
    today = today or timezone.localdate()
    if order.status == OrderStatus.CANCELLED:
        return OrderTracking(Tracking.CANCELLED)
    if order.status in (OrderStatus.DELIVERED, OrderStatus.PARTLY_DELIVERED):
        invoice = Invoice.objects.filter(delivery__pk=order.delivery_id).first() if order.delivery_id else None
        state = Tracking.DELIVERED if order.status == OrderStatus.DELIVERED else Tracking.PARTLY_DELIVERED
        return OrderTracking(state, invoice=invoice)
    stops = list(order.route_stops.all())
    if not stops:
        return OrderTracking(Tracking.RECEIVED)
    stop = stops[0]
    start, end = _window(stop)
    state = Tracking.ON_THE_WAY if _stop_done_today(stop, today) else Tracking.PLANNED
    return OrderTracking(state, eta=stop.eta, window_start=start, window_end=end)


def _window(stop: RouteStop) -> tuple[datetime | None, datetime | None]:
    """The arrival window shown to the customer: the ETA to one hour after,
    cut to the stop's delivery window."""
    if stop.eta is None:
        return None, None
    from datetime import timedelta

    eta = timezone.localtime(stop.eta)
    start, end = eta, eta + timedelta(hours=1)
    if stop.window_end is not None:
        latest = eta.replace(hour=stop.window_end.hour, minute=stop.window_end.minute, second=0, microsecond=0)
        end = max(min(end, latest), start)
    return start, end


def customer_types_bought(*, customer: Customer) -> QuerySet:
    """The active cylinder types the customer may order in the app (the
    order rule's ``types_bought``), by name."""
    return CylinderType.objects.filter(pk__in=types_bought(customer), is_active=True).order_by("name", "id")


def types_bought(customer: Customer) -> set[int]:
    """The cylinder types this customer buys: its contract prices, its
    invoices' lines and its earlier orders."""
    found = set(CustomerPrice.objects.filter(customer=customer).values_list("cylinder_type_id", flat=True))
    found |= set(
        InvoiceLine.objects.filter(invoice__customer=customer, cylinder_type__isnull=False).values_list(
            "cylinder_type_id", flat=True
        )
    )
    found |= set(OrderLine.objects.filter(order__customer=customer).values_list("cylinder_type_id", flat=True))
    return found
