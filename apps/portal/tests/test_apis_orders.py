"""A contact orders a refill: the rules, the double tap, the credit hold, the cancel."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.billing.tests.helpers import deliver, load_vehicle
from apps.core.testing.world import api_client_for
from apps.orders.enums import OrderSource, OrderStatus
from apps.orders.models import Order
from apps.portal.services import credit_hold
from apps.portal.tests.helpers import make_contact

pytestmark = pytest.mark.django_db
ORDERS = "/api/customer/orders/"


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def buyer(world):
    """A contact of customers[0], which has bought 12.7 kg cylinders (one invoice)."""
    load_vehicle(world, quantity=20)
    deliver(world, customer=world.customers[0], payment_method="CASH")
    return make_contact(world, world.customers[0], "buyer@example.com")


def body(world, **over):
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {"lines": [{"cylinder_type": world.gas.pk, "quantity": 2}], "scheduled_for": tomorrow.isoformat(),
            "window_start": "09:00", "window_end": "12:00", "notes": "Unit 05-12, ring twice", **over}  # fmt: skip


def post(client, data, key=None):
    return client.post(ORDERS, data, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def test_an_order_enters_dispatch_as_an_office_order_and_a_double_tap_makes_one(world, buyer):
    client = api_client_for(buyer)
    key = str(uuid.uuid4())
    first, second = post(client, body(world), key), post(client, body(world), key)
    assert first.status_code == 201, first.content
    assert second.status_code == 201 and second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    order = Order.objects.get(pk=first.json()["id"])
    assert Order.objects.filter(customer=world.customers[0]).count() == 1
    assert (order.source, order.status, order.created_by, order.driver) == (
        OrderSource.CUSTOMER, OrderStatus.PLANNED, buyer, None)  # fmt: skip
    assert first.json()["tracking"]["state"] == "received" and first.json()["payment_at_door"] is False
    assert AuditLog.objects.filter(action="order.created", entity_id=str(order.pk), user=buyer).exists()
    # the office sees it like any other order
    office = api_client_for(world.users["supervisor"]).get(f"/api/orders/{order.pk}/").json()
    assert office["source"] == "CUSTOMER" and office["window_start"] == "09:00"


@pytest.mark.parametrize(
    "over, field",
    [
        ({"lines": [{"cylinder_type": "other", "quantity": 1}]}, "lines"),  # a type never bought
        ({"lines": [{"cylinder_type": "gas", "quantity": 0}]}, "lines"),
        ({"lines": []}, "lines"),
        ({"scheduled_for": "yesterday"}, "scheduled_for"),
        ({"scheduled_for": "far"}, "scheduled_for"),
        ({"window_start": "06:00", "window_end": "09:00", "household": True}, "window_start"),
        ({"window_start": "20:00", "window_end": "22:00", "household": True}, "window_end"),
        ({"window_start": "12:00", "window_end": "09:00"}, "window_end"),
    ],
)
def test_bad_input_is_a_clear_400_and_records_nothing(world, buyer, over, field):
    from apps.customers.services import customer_update

    over = dict(over)
    if over.pop("household", False):
        customer_update(actor=world.users["admin"], customer=world.customers[0], data={"kind": "HOUSEHOLD"})
    for line in over.get("lines", []):
        line["cylinder_type"] = {"gas": world.gas.pk, "other": world.types[2].pk}[line["cylinder_type"]]
    today = timezone.localdate()
    days = {"yesterday": today - timedelta(days=1), "far": today + timedelta(days=400)}
    if over.get("scheduled_for") in days:
        over["scheduled_for"] = days[over["scheduled_for"]].isoformat()
    before = (Order.objects.count(), AuditLog.objects.filter(action="order.created").count())
    response = post(api_client_for(buyer), body(world, **over))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and field in response.json()["fields"], response.json()
    assert (Order.objects.count(), AuditLog.objects.filter(action="order.created").count()) == before


def test_a_window_already_passed_today_is_refused(world, buyer, monkeypatch):
    # the server's clock at 15:00 Singapore time today, whatever the hour of the run
    today = timezone.localdate()
    afternoon = timezone.make_aware(datetime.combine(today, time(15, 0)))
    monkeypatch.setattr(timezone, "now", lambda: afternoon)
    before = Order.objects.count()
    response = post(api_client_for(buyer), body(world, scheduled_for=today.isoformat(),
                                                window_start="09:00", window_end="10:00"))  # fmt: skip
    assert response.status_code == 400 and "window_end" in response.json()["fields"]
    assert Order.objects.count() == before
    still_open = post(api_client_for(buyer), body(world, scheduled_for=today.isoformat(),
                                                  window_start="09:00", window_end="17:00"))  # fmt: skip
    assert still_open.status_code == 201, still_open.content


def test_open_orders_and_rate_limits(world, buyer, settings):
    settings.CUSTOMER_OPEN_ORDERS_MAX, settings.CUSTOMER_ORDERS_PER_DAY = 2, 3
    client = api_client_for(buyer)
    ids = [post(client, body(world)).json()["id"] for _ in range(2)]
    full = post(client, body(world))
    assert full.status_code == 409 and full.json()["code"] == "open_orders_limit"
    for pk in ids:
        assert client.post(f"{ORDERS}{pk}/cancel/", {}, format="json").status_code == 200
    assert post(client, body(world)).status_code == 201
    rate = post(client, body(world))
    assert rate.status_code == 429 and rate.json()["code"] == "order_rate_limit"


def test_credit_hold_still_orders_but_pays_at_the_door(world, settings):
    load_vehicle(world, quantity=20)
    customer = world.customers[1]
    invoice = deliver(world, customer=customer, payment_method="CHEQUE").invoice  # unpaid
    later = invoice.due_date + timedelta(days=31)
    assert credit_hold(customer, today=later) is not None  # overdue past the 30 days
    assert credit_hold(customer, today=invoice.due_date + timedelta(days=30)) is None
    settings.CUSTOMER_CREDIT_HOLD_OVERDUE_DAYS = -1  # today: the invoice due today counts as overdue
    response = post(api_client_for(make_contact(world, customer, "hold@example.com")), body(world))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["payment_at_door"] is True
    assert answer["notes"].startswith(f"PAYMENT AT THE DOOR: Invoice {invoice.number}")
    assert answer["notes"].endswith("Unit 05-12, ring twice")
    # the driver reads it at the stop
    from apps.orders.services import order_update

    driver = world.users["driver"]
    order_update(actor=world.users["supervisor"], order=Order.objects.get(pk=answer["id"]), driver=driver)
    day = api_client_for(driver).get(f"/api/my-day/?date={answer['scheduled_for']}").json()
    stop = next(s for s in day["stops"] if s["order"] == answer["id"])
    assert stop["notes"].startswith("PAYMENT AT THE DOOR")


def test_cancel_only_while_not_planned(world, buyer):
    from apps.orders.services import order_update

    client = api_client_for(buyer)
    pk = post(client, body(world)).json()["id"]
    order_update(actor=world.users["supervisor"], order=Order.objects.get(pk=pk), driver=world.users["driver"])
    refused = client.post(f"{ORDERS}{pk}/cancel/", {"reason": "changed my mind"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "order_planned"
    other = post(client, body(world)).json()["id"]
    done = client.post(f"{ORDERS}{other}/cancel/", {"reason": "changed my mind"}, format="json")
    assert done.status_code == 200 and done.json()["tracking"]["state"] == "cancelled"
    assert client.post(f"{ORDERS}{other}/cancel/", {}, format="json").status_code == 200  # a double tap
    assert AuditLog.objects.filter(action="order.cancelled", entity_id=str(other), user=buyer).count() == 1


def test_another_customers_order_cannot_be_cancelled_and_a_closed_customer_cannot_order(world, buyer):
    from apps.customers.services import customer_update
    from apps.orders.services import order_create

    theirs = order_create(
        actor=world.users["supervisor"], customer=world.customers[1], scheduled_for=timezone.localdate(),
        lines=[{"cylinder_type": world.gas, "quantity": 1}],
    )  # fmt: skip
    client = api_client_for(buyer)
    assert client.post(f"{ORDERS}{theirs.pk}/cancel/", {}, format="json").status_code == 404
    customer_update(actor=world.users["admin"], customer=world.customers[0], data={"is_active": False})
    before = Order.objects.count()
    closed = post(client, body(world))
    assert closed.status_code == 403 and closed.json()["code"] == "customer_inactive"
    assert Order.objects.count() == before


def test_office_roles_cannot_use_the_customer_order_command(world):
    response = post(api_client_for(world.users["admin"]), body(world))
    assert response.status_code == 403


def written() -> tuple:
    from apps.audit.enums import AuditAction

    return Order.objects.count(), AuditLog.objects.exclude(action=AuditAction.API_REQUEST).count()


def test_quote_prices_with_gst_and_the_deposit_and_records_nothing(world):
    from datetime import date
    from decimal import Decimal

    from apps.billing.services import customer_price_create, deposit_rate_create

    admin, customer, small = world.users["admin"], world.customers[2], world.types[1]
    customer_price_create(actor=admin, data={"customer": customer, "cylinder_type": small,
                                              "valid_from": date(2020, 1, 1), "price": Decimal("21.00")})  # fmt: skip
    deposit_rate_create(actor=admin, data={"cylinder_type": small, "valid_from": date(2020, 1, 1),
                                           "amount": Decimal("30.00")})  # fmt: skip
    client = api_client_for(make_contact(world, customer, "quote@example.com"))
    before = written()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post("/api/customer/quote/", {"lines": [{"cylinder_type": small.pk, "quantity": 2}],
                                                    "scheduled_for": tomorrow}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    quote = response.json()
    # no cylinders at the site yet: both fulls carry a deposit; GST on the gas only
    assert quote["lines"] == [{"cylinder_type": small.pk, "name": small.name, "quantity": 2, "unit_price": "21.00",
                               "amount": "42.00", "deposit_units": 2, "deposit_amount": "60.00"}]  # fmt: skip
    gst = (Decimal("42.00") * Decimal(quote["gst_rate"]) / 100).quantize(Decimal("0.01"))
    assert quote["gst_amount"] == str(gst) and quote["deposit_total"] == "60.00"
    assert quote["total"] == str(Decimal("42.00") + gst + Decimal("60.00"))
    assert written() == before
    never = client.post("/api/customer/quote/", {"lines": [{"cylinder_type": world.types[0].pk, "quantity": 1}],
                                                 "scheduled_for": tomorrow}, format="json")  # fmt: skip
    assert never.status_code == 400 and "lines" in never.json()["fields"]


def test_me_lists_the_types_the_customer_buys_which_are_what_it_may_order(world, buyer):
    client = api_client_for(buyer)
    types = client.get("/api/customer/me/").json()["cylinder_types"]
    assert [t["id"] for t in types] == [world.gas.pk]
    assert types[0]["sku"] == world.gas.sku and types[0]["name"] == world.gas.name
    # a contact of a customer that never bought anything is offered nothing (its first refill: the office)
    fresh = make_contact(world, world.customers[1], "fresh@example.com")
    assert api_client_for(fresh).get("/api/customer/me/").json()["cylinder_types"] == []
