"""Order e-mails to a customer's contacts (docs/customers.md, "Order e-mails").

Told by ``apps.orders.events`` after commit (received, planned, delivered),
each order's e-mail is decided and recorded here in a transaction (an
``OrderNotification`` row, unique per order, kind and key), then sent by the
Celery task ``apps.portal.tasks.order_notify``, every attempt recorded, as
the finance e-mails are. A row once SENT is never sent again: a retried or
redelivered task finds it and stops. (Should a worker die between the SMTP
answer and the SENT mark, the row stays SENDING and the sweep sends it again
after ``CLAIM_STALE``: at least once, never twice in the normal course.) A
row a lost task left (a worker killed) is sent by ``order_notification_sweep``
(Celery beat). An event whose task cannot be queued (the broker away) is
recorded by the listener itself, for the sweep; a task lost after it was
queued (its worker killed) is delivered again by the broker (``acks_late``).

Who gets it: the customer's contacts whose login is active and set up (the
invite accepted) and whose ``notify_orders`` is on. No one: nothing is recorded."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from apps.audit.services import audit_record
from apps.billing.models import Invoice
from apps.core.background import sweep_enqueue
from apps.core.locks import lock_entity_or_none
from apps.core.mail import new_message_id
from apps.customers.enums import CustomerAuditAction
from apps.customers.models import CustomerContact
from apps.deliveries.models import Delivery
from apps.orders.enums import OPEN_STATUSES, OrderEvent, OrderStatus
from apps.orders.models import Order
from apps.portal.enums import NotificationKind, NotificationStatus
from apps.portal.models import OrderNotification
from apps.portal.selectors import order_tracked, order_tracking

log = logging.getLogger(__name__)

ENTITY = "portal.ordernotification"
# A row left SENDING this long (the worker died mid-send) may be claimed again.
CLAIM_STALE = timedelta(minutes=15)


class PdfNotReady(Exception):
    """The delivered e-mail waits for the invoice PDF (rendered after commit by billing)."""


def recipients_of(customer_id: int) -> list[str]:
    """The addresses of the customer's contacts who want order e-mails:
    active login with a password set (invite accepted), ``notify_orders`` on,
    the customer active."""
    rows = (
        CustomerContact.objects.filter(
            customer_id=customer_id, customer__is_active=True, notify_orders=True, user__is_active=True
        )
        .exclude(user__password__startswith="!")  # invited, never accepted: no usable password
        .order_by("id")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(rows))


@dataclass(frozen=True)
class Due:
    kind: str
    key: str
    window_start: datetime | None = None
    window_end: datetime | None = None
    delivery_id: int | None = None


def _material(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is not b
    return abs(a - b) >= timedelta(minutes=settings.ORDER_EMAIL_WINDOW_SHIFT_MINUTES)


def _due(order: Order, event: str, delivery_id: int | None) -> Due | None:
    """What this event makes due for this order, or None."""
    if event == OrderEvent.RECEIVED:
        if order.source not in settings.ORDER_EMAIL_SOURCES or order.status == OrderStatus.CANCELLED:
            return None
        return Due(NotificationKind.RECEIVED, "")
    if event == OrderEvent.PLANNED:
        tracking = order_tracking(order)
        if tracking.window_start is None or order.status not in OPEN_STATUSES:
            return None
        last = (
            order.notifications.filter(kind=NotificationKind.PLANNED)
            .exclude(status=NotificationStatus.SUPERSEDED)
            .first()
        )  # newest first
        if last is not None and not (
            _material(last.window_start, tracking.window_start) or _material(last.window_end, tracking.window_end)
        ):
            return None  # told already (or about to be), and the window has not moved enough to tell again
        revision = order.notifications.filter(kind=NotificationKind.PLANNED).count() + 1
        key = f"{revision}:{timezone.localtime(tracking.window_start):%Y%m%dT%H%M}"
        return Due(NotificationKind.PLANNED, key, tracking.window_start, tracking.window_end)
    if event == OrderEvent.DELIVERED and delivery_id is not None:
        if order.delivery_id == delivery_id:
            if order.status == OrderStatus.DELIVERED:
                kind = NotificationKind.DELIVERED
            elif order.status == OrderStatus.PARTLY_DELIVERED:
                kind = NotificationKind.PARTLY_DELIVERED
            else:
                return None
        elif order.delivery_id is not None and order.delivery_id > delivery_id:
            kind = NotificationKind.PARTLY_DELIVERED  # a later delivery completed it
        else:
            return None  # the delivery did not count towards the order (cancelled, other types)
        return Due(kind, f"delivery:{delivery_id}", delivery_id=delivery_id)
    return None


@transaction.atomic
def order_notification_prepare(*, event: str, order_id: int, delivery_id: int | None = None) -> int | None:
    """Record the e-mail this event makes due (the order row locked, so two
    tasks of one order decide one after the other), or find the one recorded
    already; None when nothing is to be sent. Returns the row's id."""
    order = lock_entity_or_none(order_tracked(order_id=order_id))
    if order is None:
        return None
    due = _due(order, event, delivery_id)
    if due is None:
        return None
    found = OrderNotification.objects.filter(order=order, kind=due.kind, key=due.key).first()
    if found is not None:
        return found.pk if found.status in (NotificationStatus.QUEUED, NotificationStatus.SENDING) else None
    to = recipients_of(order.customer_id)
    if not to:
        return None
    if due.kind == NotificationKind.PLANNED:  # an older window not sent yet is not sent at all
        order.notifications.filter(kind=NotificationKind.PLANNED, status=NotificationStatus.QUEUED).update(
            status=NotificationStatus.SUPERSEDED
        )
    try:
        with transaction.atomic():
            row = OrderNotification.objects.create(
                order=order, kind=due.kind, key=due.key, window_start=due.window_start, window_end=due.window_end,
                delivery_id=due.delivery_id, recipients=to, subject=_subject(order, due.kind)[:200],
            )  # fmt: skip
    except IntegrityError:  # recorded meanwhile by another task of the same event
        return None
    return row.pk


def _subject(order: Order, kind: str) -> str:
    company = settings.COMPANY["name"]
    subjects: dict[str, str] = {
        NotificationKind.RECEIVED: f"Order #{order.pk} received - {company}",
        NotificationKind.PLANNED: f"Order #{order.pk}: your delivery window - {company}",
        NotificationKind.DELIVERED: f"Order #{order.pk} delivered - {company}",
        NotificationKind.PARTLY_DELIVERED: f"Order #{order.pk} partly delivered - {company}",
    }
    return subjects[kind]


def _claim(notification_id: int) -> OrderNotification | None:
    """Take the row for one attempt: QUEUED (or SENDING left stale) -> SENDING.
    Only one worker wins; a SENT row is never taken again."""
    now = timezone.now()
    claimable = OrderNotification.objects.filter(pk=notification_id).filter(
        status=NotificationStatus.QUEUED
    ) | OrderNotification.objects.filter(
        pk=notification_id, status=NotificationStatus.SENDING, claimed_at__lt=now - CLAIM_STALE
    )
    row = claimable.first()
    if row is None:
        return None
    taken = OrderNotification.objects.filter(pk=row.pk, status=row.status, attempts=row.attempts).update(
        status=NotificationStatus.SENDING,
        claimed_at=now,
        attempts=row.attempts + 1,
        message_id=row.message_id or new_message_id("order"),  # kept for every attempt (apps.core.mail)
    )
    if not taken:
        return None
    row.refresh_from_db()
    return row


def _invoice_pdf(invoice: Invoice, *, may_render: bool) -> tuple[str, bytes]:
    """The stored tax invoice PDF: only a file billing finished storing (its
    name is written to the invoice after the bytes are saved, so a
    half-written file is never read). Not there yet: wait (PdfNotReady),
    or on the last try render it here as the finance e-mails do."""
    from apps.billing.services import invoice_pdf_render

    if not invoice.pdf.name or not invoice.pdf.storage.exists(invoice.pdf.name):
        if not may_render:
            raise PdfNotReady(f"The PDF of {invoice.number} is not rendered yet.")
        invoice = invoice_pdf_render(invoice_id=invoice.pk, only_if_missing=True)
    with invoice.pdf.open("rb") as fh:
        return f"{invoice.number}.pdf", fh.read()


def _message(row: OrderNotification, *, may_render: bool) -> EmailMultiAlternatives:
    order = order_tracked(order_id=row.order_id).select_related("customer").get()
    company = settings.COMPANY
    delivery = invoice = None
    if row.delivery_id is not None:
        delivery = Delivery.objects.select_related("invoice").get(pk=row.delivery_id)
        invoice = delivery.invoice
    context = {
        "company": company,
        "order": order,
        "customer": order.customer,
        "kind": row.kind,
        "lines": list(order.lines.select_related("cylinder_type").order_by("id")),
        "window_start": timezone.localtime(row.window_start) if row.window_start else None,
        "window_end": timezone.localtime(row.window_end) if row.window_end else None,
        "delivery": delivery,
        "invoice": invoice,
        "app_url": settings.CUSTOMER_APP_URL,
    }
    text = render_to_string("portal/email/order.txt", context)
    html = render_to_string("portal/email/order.html", context)
    message = EmailMultiAlternatives(
        subject=row.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=list(row.recipients),
        reply_to=[company["email"]], headers={"Message-ID": row.message_id} if row.message_id else None,
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    if invoice is not None:
        name, data = _invoice_pdf(invoice, may_render=may_render)
        message.attach(name, data, "application/pdf")
    return message


def order_notification_send(*, notification_id: int, final: bool, may_render: bool) -> OrderNotification | None:
    """One attempt at sending a recorded e-mail. Success: SENT, audited as a
    system action. Failure: the error recorded and raised again for the
    retry (QUEUED), FAILED and audited on the last attempt (``final``)."""
    row = _claim(notification_id)
    if row is None:
        return None
    try:
        _message(row, may_render=may_render).send(fail_silently=False)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        failed = final and not isinstance(exc, PdfNotReady)
        with transaction.atomic():
            OrderNotification.objects.filter(pk=row.pk).update(
                status=NotificationStatus.FAILED if failed else NotificationStatus.QUEUED, last_error=error
            )
            if failed:
                audit_record(
                    action=CustomerAuditAction.ORDER_NOTIFY_FAILED, entity_type=ENTITY, entity_id=row.pk,
                    after={"order": row.order_id, "kind": row.kind, "attempts": row.attempts, "error": error},
                )  # fmt: skip
        raise
    with transaction.atomic():
        OrderNotification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENT, sent_at=timezone.now())
        audit_record(
            action=CustomerAuditAction.ORDER_NOTIFIED, entity_type=ENTITY, entity_id=row.pk,
            after={"order": row.order_id, "kind": row.kind, "key": row.key, "recipients": len(row.recipients),
                   "delivery": row.delivery_id, "attempts": row.attempts},
        )  # fmt: skip
    row.refresh_from_db()
    return row


def order_notification_sweep(*, now: datetime | None = None, batch: int = 200) -> list[int]:
    """Queue again the recorded e-mails a lost task left (Celery beat, every
    FINANCE_EMAIL_SWEEP_SECONDS, as the finance e-mails' sweep): SENDING with a
    claim older than CLAIM_STALE (a worker killed mid-send), QUEUED and never
    tried FINANCE_EMAIL_SWEEP_GRACE seconds after it was recorded, or QUEUED
    after a failed attempt and past its back-off by that grace. Returns the rows."""
    from apps.finance.backoff import retry_delay
    from apps.portal.tasks import order_notification_resend

    now = now or timezone.now()
    grace = timedelta(seconds=settings.FINANCE_EMAIL_SWEEP_GRACE)
    rows = (
        OrderNotification.objects.filter(
            Q(status=NotificationStatus.SENDING, claimed_at__lt=now - CLAIM_STALE)
            | Q(status=NotificationStatus.QUEUED, created_at__lt=now - grace)
        )
        .order_by("pk")
        .values_list("pk", "status", "attempts", "claimed_at")[:batch]
    )
    return [
        pk
        for pk, status, attempts, claimed_at in rows
        if (
            status == NotificationStatus.SENDING
            or not attempts
            or claimed_at is None
            or claimed_at + timedelta(seconds=retry_delay(attempts)) + grace < now
        )
        and sweep_enqueue(order_notification_resend, pk, state=(attempts, claimed_at))
    ]


def on_order_event(sender, *, kind: str, order_ids: tuple[int, ...], delivery_id: int | None = None, **_) -> None:
    """The listener of apps.orders.events (connected in PortalConfig.ready):
    one task per order; the task decides. A task that cannot be queued (the
    broker away) is not lost: this process records the e-mail itself
    (``order_notification_prepare``, QUEUED) and the sweep sends it once the
    broker is back."""
    from apps.portal.tasks import order_notify

    broker_up = True  # after one refusal the rest are recorded at once (a plan tells hundreds of orders)
    for order_id in order_ids:
        if broker_up:
            try:
                order_notify.delay(kind, order_id, delivery_id)
                continue
            except Exception:  # kombu's OperationalError, redis' ConnectionError, ...
                broker_up = False
                log.exception("order_notify(%s, %s, ...) not queued: the broker is unavailable; the e-mails of "
                              "this event are recorded for the sweep", kind, order_id)  # fmt: skip
        try:
            order_notification_prepare(event=kind, order_id=order_id, delivery_id=delivery_id)
        except Exception:  # the database too: logged, the write it follows stands
            log.exception("order e-mail of order %s (%s) not recorded", order_id, kind)
