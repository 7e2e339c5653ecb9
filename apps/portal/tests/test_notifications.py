"""Order e-mails to the customer's contacts (docs/customers.md, "Order
e-mails"): received (every source), planned with its window (again only when
it moves materially), delivered with the tax invoice PDF; Celery eager and
Django's locmem outbox, as the statement e-mails are tested. A retried task
never sends twice."""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.billing.tests.helpers import deliver, load_vehicle
from apps.core.tests.test_broker_down import broker_down  # noqa: F401  # the fixture
from apps.customers.services import contact_preferences_set
from apps.dispatch.services import dispatch_route
from apps.orders.enums import OrderSource
from apps.orders.models import RouteStop
from apps.orders.services import order_create, order_update, orders_import
from apps.portal.enums import NotificationKind, NotificationStatus
from apps.portal.models import OrderNotification
from apps.portal.notifications import order_notification_sweep
from apps.portal.tasks import order_notify
from apps.portal.tests.helpers import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def contact(world):
    return make_contact(world, world.customers[0], "orders@example.com")


def order_emails(to: str = "orders@example.com") -> list:
    return [m for m in mail.outbox if to in m.to and m.subject.startswith("Order #")]


def new_order(world, capture, customer=None, **kwargs):
    kwargs.setdefault("scheduled_for", timezone.localdate() + timedelta(days=1))
    with capture(execute=True):
        return order_create(actor=world.users["supervisor"], customer=customer or world.customers[0],
                            lines=[{"cylinder_type": world.gas, "quantity": 2}], **kwargs)  # fmt: skip


def test_an_office_order_is_announced_once_with_text_and_html(
    world, contact, django_capture_on_commit_callbacks, settings
):
    order = new_order(world, django_capture_on_commit_callbacks)
    (message,) = order_emails()
    assert message.subject == f"Order #{order.pk} received - {settings.COMPANY['name']}"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "We have received order" in message.body and world.gas.name in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and f"order #{order.pk}" in html
    row = OrderNotification.objects.get(order=order)
    assert (row.kind, row.status, row.recipients, row.attempts) == (
        NotificationKind.RECEIVED, NotificationStatus.SENT, ["orders@example.com"], 1
    )  # fmt: skip
    sent = AuditLog.objects.get(action="customer.order_notified", entity_id=str(row.pk))
    assert sent.user_id is None and sent.after["kind"] == "received" and sent.after["recipients"] == 1


def test_a_retried_task_sends_one_email(world, contact, django_capture_on_commit_callbacks):
    order = new_order(world, django_capture_on_commit_callbacks)
    assert len(order_emails()) == 1
    order_notify.apply(args=("received", order.pk, None))  # redelivered / retried after success
    order_notify.apply(args=("received", order.pk, None))
    assert len(order_emails()) == 1 and OrderNotification.objects.filter(order=order).count() == 1


def test_a_failed_send_is_retried_and_sent_once(world, contact, django_capture_on_commit_callbacks, settings):
    settings.FINANCE_EMAIL_MAX_RETRIES = 3
    from django.core.mail import EmailMultiAlternatives

    real = EmailMultiAlternatives.send
    calls = {"n": 0}

    def flaky(self, fail_silently=False):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("SMTP down")
        return real(self, fail_silently=fail_silently)

    with mock.patch.object(EmailMultiAlternatives, "send", flaky):
        order = new_order(world, django_capture_on_commit_callbacks)
    row = OrderNotification.objects.get(order=order)
    assert len(order_emails()) == 1 and calls["n"] == 2
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2) and "SMTP down" in row.last_error


def test_every_source_notifies_and_a_contact_may_opt_out(world, contact, django_capture_on_commit_callbacks):
    other = make_contact(world, world.customers[0], "quiet@example.com")
    contact_preferences_set(actor=other, notify_orders=False)
    with django_capture_on_commit_callbacks(execute=True):
        csv = f"customer_code,cylinder_sku,quantity\n{world.customers[0].code},{world.gas.sku},1\n"
        orders_import(actor=world.users["supervisor"], day=timezone.localdate() + timedelta(days=1), rows=csv)
    (message,) = order_emails()
    assert message.to == ["orders@example.com"] and not order_emails("quiet@example.com")
    assert OrderNotification.objects.get().order.source == OrderSource.IMPORT


def test_a_customer_without_contacts_gets_nothing_recorded(world, django_capture_on_commit_callbacks):
    new_order(world, django_capture_on_commit_callbacks, customer=world.customers[1])
    assert not OrderNotification.objects.exists()


def test_sources_can_be_turned_off(world, contact, django_capture_on_commit_callbacks, settings):
    settings.ORDER_EMAIL_SOURCES = ["CUSTOMER"]
    new_order(world, django_capture_on_commit_callbacks)
    assert not order_emails()


def test_planned_with_its_window_and_again_only_when_it_moves(world, contact, django_capture_on_commit_callbacks):
    driver, supervisor = world.users["driver"], world.users["supervisor"]
    day = timezone.localdate() + timedelta(days=1)
    order = new_order(world, django_capture_on_commit_callbacks, scheduled_for=day)
    order_update(actor=supervisor, order=order, driver=driver)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_route(actor=supervisor, driver=driver, day=day)
    planned = [m for m in order_emails() if "delivery window" in m.subject]
    assert len(planned) == 1
    stop = RouteStop.objects.get(order=order)
    eta = timezone.localtime(stop.eta)
    assert f"between {eta:%H:%M}" in planned[0].body
    with django_capture_on_commit_callbacks(execute=True):  # planned again, same window: nothing new
        dispatch_route(actor=supervisor, driver=driver, day=day)
    assert len([m for m in order_emails() if "delivery window" in m.subject]) == 1
    stop = RouteStop.objects.get(order=order)  # planning again writes the stops anew
    # a small shift is not worth an e-mail; a material one is
    RouteStop.objects.filter(pk=stop.pk).update(eta=stop.eta + timedelta(minutes=10))
    order_notify.apply(args=("planned", order.pk, None))
    assert len([m for m in order_emails() if "delivery window" in m.subject]) == 1
    RouteStop.objects.filter(pk=stop.pk).update(eta=stop.eta + timedelta(hours=2))
    order_notify.apply(args=("planned", order.pk, None))
    order_notify.apply(args=("planned", order.pk, None))  # retried: still one more
    windows = [m for m in order_emails() if "delivery window" in m.subject]
    assert len(windows) == 2 and f"between {eta + timedelta(hours=2):%H:%M}" in windows[1].body
    assert OrderNotification.objects.filter(order=order, kind="planned", status="SENT").count() == 2


def test_delivered_with_the_tax_invoice_pdf(world, contact, django_capture_on_commit_callbacks):
    load_vehicle(world, quantity=20)
    order = new_order(world, django_capture_on_commit_callbacks, scheduled_for=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        part = deliver(world, order=order.pk,
                       lines=[{"cylinder_type": world.gas, "delivered_full": 1, "returned_empty": 0}])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        rest = deliver(world, order=order.pk,
                       lines=[{"cylinder_type": world.gas, "delivered_full": 1, "returned_empty": 0}])  # fmt: skip
    partly, delivered = [m for m in order_emails() if "delivered" in m.subject]
    assert "partly delivered" in partly.subject and f"Order #{order.pk} delivered" in delivered.subject
    for message, delivery in ((partly, part), (delivered, rest)):
        delivery.invoice.refresh_from_db()
        ((name, data, mime),) = message.attachments
        assert name == f"{delivery.invoice.number}.pdf" and mime == "application/pdf"
        assert data[:5] == b"%PDF-" and delivery.invoice.number in message.body
        with delivery.invoice.pdf.open("rb") as fh:
            assert fh.read() == data  # the stored, finished PDF
    order_notify.apply(args=("delivered", order.pk, rest.pk))  # retried: nothing more
    assert len([m for m in order_emails() if "delivered" in m.subject]) == 2


def test_the_delivered_email_waits_for_the_pdf(world, contact, django_capture_on_commit_callbacks, settings):
    """Billing renders the PDF after commit in its own task: until it is stored
    the e-mail waits (retries), and on its last wait renders it itself."""
    settings.BILLING_RENDER_PDF_ON_ISSUE = False  # billing's task does not run: the e-mail must not go without it
    load_vehicle(world, quantity=20)
    order = new_order(world, django_capture_on_commit_callbacks, scheduled_for=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        delivery = deliver(world, order=order.pk)
    (message,) = [m for m in order_emails() if "delivered" in m.subject]
    assert message.attachments[0][1][:5] == b"%PDF-"
    row = OrderNotification.objects.get(order=order, kind=NotificationKind.DELIVERED)
    assert row.attempts == settings.ORDER_EMAIL_PDF_WAITS + 1 and row.delivery_id == delivery.pk


def test_the_sweep_sends_what_a_lost_task_left_once(world, contact, django_capture_on_commit_callbacks, settings):
    """A worker killed before the send (row QUEUED, never tried) or in it (SENDING,
    claimed): the sweep sends each once, after the grace or the stale claim."""
    from apps.portal.notifications import CLAIM_STALE

    settings.FINANCE_EMAIL_SWEEP_GRACE = 120
    settings.ORDER_EMAIL_SOURCES = []  # the events' own tasks record nothing: rows made by hand below
    first = new_order(world, django_capture_on_commit_callbacks)
    second = new_order(world, django_capture_on_commit_callbacks)
    sent = new_order(world, django_capture_on_commit_callbacks)
    now = timezone.now()

    def row(order, **fields):
        return OrderNotification.objects.create(order=order, kind=NotificationKind.RECEIVED, key="",
                                                recipients=["orders@example.com"],
                                                subject=f"Order #{order.pk} received", **fields)  # fmt: skip

    lost_before = row(first)  # the task died after recording it
    lost_inside = row(second, status=NotificationStatus.SENDING, attempts=1, claimed_at=now - timedelta(minutes=3))
    done = row(sent, status=NotificationStatus.SENT, attempts=1, claimed_at=now - timedelta(hours=1))
    assert order_notification_sweep() == []  # within the grace; the claim is live
    assert order_notification_sweep(now=now + timedelta(minutes=3)) == [lost_before.pk]
    assert order_notification_sweep(now=now + CLAIM_STALE) == [lost_inside.pk]  # by the sweep's clock
    # the send reads the real clock: the claim of 3 minutes ago still holds, nothing is sent twice
    assert OrderNotification.objects.get(pk=lost_inside.pk).status == NotificationStatus.SENDING
    OrderNotification.objects.filter(pk=lost_inside.pk).update(claimed_at=now - CLAIM_STALE - timedelta(seconds=1))
    assert order_notification_sweep() == [lost_inside.pk]
    assert [m.subject for m in order_emails()] == [f"Order #{first.pk} received", f"Order #{second.pk} received"]
    assert set(OrderNotification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert order_notification_sweep(now=now + timedelta(hours=1)) == []  # every row SENT: never again
    assert OrderNotification.objects.get(pk=done.pk).attempts == 1
    # each carries its row's Message-ID, given on the first attempt (kept for a resend)
    ids = dict(
        OrderNotification.objects.filter(pk__in=[lost_before.pk, lost_inside.pk]).values_list("subject", "message_id")
    )
    assert {m.subject: m.extra_headers["Message-ID"] for m in order_emails()} == ids and all(ids.values())


def broker_back(settings):
    """The broker back (eager again; the broker_down fixture restores the rest).
    Returns a moment just past the sweep's grace."""
    from config.celery import app

    app.conf.task_always_eager = True
    return timezone.now() + timedelta(seconds=settings.FINANCE_EMAIL_SWEEP_GRACE + 1)


def test_an_order_made_with_the_broker_down_is_emailed_once_by_the_sweep(
    world, contact, request, django_capture_on_commit_callbacks, settings, caplog
):
    """The broker (a Redis URL where nothing listens: a real connection refused)
    away when the order's event is told: the listener records the e-mail
    itself, and the sweep sends it once the broker is back."""
    request.getfixturevalue("broker_down")  # after the contact's invite went out
    with caplog.at_level(logging.ERROR, logger="apps.portal.notifications"):
        order = new_order(world, django_capture_on_commit_callbacks)
    row = OrderNotification.objects.get(order=order)
    assert (row.kind, row.status, row.attempts, row.recipients) == (
        NotificationKind.RECEIVED, NotificationStatus.QUEUED, 0, ["orders@example.com"]
    )  # fmt: skip
    assert order_emails() == []
    assert any("not queued" in r.getMessage() for r in caplog.records), caplog.records
    later = broker_back(settings)
    assert order_notification_sweep(now=later) == [row.pk]
    assert order_notification_sweep(now=later + timedelta(hours=1)) == []
    (message,) = order_emails()
    assert message.subject == row.subject
    assert OrderNotification.objects.get(pk=row.pk).status == NotificationStatus.SENT


def test_a_plan_made_with_the_broker_down_records_every_order_after_one_refusal(
    world, contact, request, django_capture_on_commit_callbacks, settings, caplog
):
    """A plan tells many orders at once: the first refusal is logged once, every
    order's e-mail is recorded without knocking on the broker again."""
    driver, supervisor = world.users["driver"], world.users["supervisor"]
    day = timezone.localdate() + timedelta(days=1)
    orders = [new_order(world, django_capture_on_commit_callbacks, scheduled_for=day) for _ in range(3)]
    for order in orders:
        order_update(actor=supervisor, order=order, driver=driver)
    request.getfixturevalue("broker_down")
    with (
        caplog.at_level(logging.ERROR, logger="apps.portal.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch_route(actor=supervisor, driver=driver, day=day)
    planned = OrderNotification.objects.filter(kind=NotificationKind.PLANNED).order_by("order_id")
    assert [(row.order_id, row.status) for row in planned] == [(o.pk, NotificationStatus.QUEUED) for o in orders]
    assert len([r for r in caplog.records if "not queued" in r.getMessage()]) == 1
    assert sorted(order_notification_sweep(now=broker_back(settings))) == sorted(row.pk for row in planned)
    assert len([m for m in order_emails() if "delivery window" in m.subject]) == 3
