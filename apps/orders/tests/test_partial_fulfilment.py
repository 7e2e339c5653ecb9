"""Orders delivered in part (PARTLY_DELIVERED, the rest stays on the
driver's day) and meter-only visits (issue 14)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.enums import InvoiceLineKind
from apps.billing.models import CustomerMeter, Invoice, MeterReading
from apps.billing.tests.helpers import deliver, delivery_body, load_vehicle, post_delivery
from apps.core.exceptions import ConflictError
from apps.core.models import Sequence
from apps.deliveries.models import Delivery
from apps.dispatch.services import dispatch_route
from apps.inventory.models import StockMove
from apps.orders.enums import OrderStatus
from apps.orders.models import Order
from apps.orders.services import order_cancel, order_create, order_update


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=30)
    return world


def _order(w, *, day=None, lines=None):
    return order_create(
        actor=w.users["supervisor"],
        customer=w.customers[0],
        scheduled_for=day or timezone.localdate(),
        lines=lines or [{"cylinder_type": w.gas, "quantity": 5}, {"cylinder_type": w.types[2], "quantity": 2}],
        driver=w.users["driver"],
    )


def _stop(client, order_id, day=None):
    query = f"?date={day}" if day else ""
    stops = client.get(f"/api/my-day/{query}").json()["stops"]
    return next((s for s in stops if s["order"] == order_id), None)


def test_partial_delivery_keeps_the_rest_on_the_drivers_day_until_complete(loaded, api):
    w = loaded
    order = _order(w)
    driver = api(w.users["driver"])
    first = post_delivery(
        driver,
        delivery_body(w, order=order.pk, lines=[{"cylinder_type": w.gas.pk, "delivered_full": 3, "returned_empty": 3}]),
    )
    assert first.status_code == 201, first.content
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_DELIVERED and order.delivery_id == first.json()["id"]
    assert [(line.delivered_quantity, line.remaining_quantity) for line in order.lines.order_by("id")] == [
        (3, 2),
        (0, 2),
    ]
    stop = _stop(driver, order.pk)
    assert stop["status"] == "PARTLY_DELIVERED"
    assert [(x["quantity"], x["delivered"], x["remaining"]) for x in stop["lines"]] == [(5, 3, 2), (2, 0, 2)]
    api_order = driver.get(f"/api/orders/{order.pk}/").json()
    assert api_order["lines"][0]["remaining_quantity"] == 2

    second = post_delivery(
        driver,
        delivery_body(
            w,
            order=order.pk,
            lines=[
                {"cylinder_type": w.gas.pk, "delivered_full": 2, "returned_empty": 0},
                {"cylinder_type": w.types[2].pk, "delivered_full": 2, "returned_empty": 0},
            ],
        ),
    )
    assert second.status_code == 201, second.content
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivery_id == second.json()["id"]
    assert all(line.remaining_quantity == 0 for line in order.lines.all())
    assert _stop(driver, order.pk)["status"] == "DELIVERED"

    third = post_delivery(driver, delivery_body(w, order=order.pk))
    assert third.status_code == 409 and third.json()["code"] == "order_already_delivered"
    assert Delivery.objects.count() == 2


def test_an_order_partly_delivered_yesterday_is_still_on_todays_list(loaded, api):
    w = loaded
    yesterday = timezone.localdate() - timedelta(days=1)
    order = _order(w, day=yesterday)
    deliver(
        w,
        order=order.pk,
        lines=[{"cylinder_type": w.gas, "delivered_full": 4, "returned_empty": 0}],
        occurred_at=timezone.now() - timedelta(days=1),
    )
    done = _order(w, day=yesterday, lines=[{"cylinder_type": w.gas, "quantity": 1}])
    deliver(w, order=done.pk, lines=[{"cylinder_type": w.gas, "delivered_full": 1, "returned_empty": 0}])
    driver = api(w.users["driver"])
    stop = _stop(driver, order.pk)
    assert stop is not None and stop["scheduled_for"] == str(yesterday)
    assert [x["remaining"] for x in stop["lines"]] == [1, 2]
    assert _stop(driver, done.pk) is None  # a completed order of yesterday does not come back
    assert order.pk in [o["id"] for o in driver.get("/api/orders/").json()["results"]]
    # and it is planned with the day's stops when it is rescheduled to today
    order_update(actor=w.users["supervisor"], order=order, scheduled_for=timezone.localdate())
    plan = dispatch_route(actor=w.users["supervisor"], driver=w.users["driver"], day=timezone.localdate())
    assert list(plan.stops.values_list("order_id", flat=True)) == [order.pk]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTLY_DELIVERED


def test_partly_delivered_lines_are_frozen_but_the_rest_may_be_cancelled(loaded):
    w = loaded
    order = _order(w)
    deliver(w, order=order.pk, lines=[{"cylinder_type": w.gas, "delivered_full": 1, "returned_empty": 0}])
    with pytest.raises(ConflictError) as err:
        order_update(actor=w.users["supervisor"], order=order, lines=[{"cylinder_type": w.gas, "quantity": 9}])
    assert err.value.code == "order_partly_delivered"
    cancelled = order_cancel(actor=w.users["supervisor"], order=order, reason="customer has enough")
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.lines.get(cylinder_type=w.gas).delivered_quantity == 1  # what was delivered stays on record


def test_a_delivery_without_any_ordered_type_leaves_the_order_open(loaded):
    w = loaded
    order = _order(w, lines=[{"cylinder_type": w.types[2], "quantity": 2}])
    deliver(w, order=order.pk, lines=[{"cylinder_type": w.gas, "delivered_full": 2, "returned_empty": 0}])
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED and order.lines.get().delivered_quantity == 0


@pytest.fixture
def metered(loaded):
    customer = loaded.customers[2]
    CustomerMeter.objects.create(customer=customer, serial_number="MTR-0097", unit_rate=Decimal("2.8730"))
    return loaded, customer


def test_meter_only_visit_is_a_delivery_and_an_invoice(metered, api):
    w, customer = metered
    driver = api(w.users["driver"])
    body = delivery_body(w, customer=customer.pk, payment_method="CHEQUE", lines=[], meter_reading="1520.400")
    baseline = post_delivery(driver, body)
    assert baseline.status_code == 201, baseline.content
    assert baseline.json()["invoice"] is None  # the first reading is the baseline: nothing to bill

    again = post_delivery(driver, {**body, "meter_reading": "1683.150"})
    assert again.status_code == 201, again.content
    inv = again.json()["invoice"]
    # 162.750 kg x 2.8730 = 467.58 (467.58075); GST 42.08 (42.0822); 509.66
    assert (inv["subtotal"], inv["gst_amount"], inv["total"], inv["status"]) == ("467.58", "42.08", "509.66", "ISSUED")
    [line] = Invoice.objects.get(pk=inv["id"]).lines.all()
    assert (line.kind, line.quantity) == (InvoiceLineKind.METER, Decimal("162.750"))
    assert again.json()["lines"] == [] and again.json()["total_delivered"] == 0
    assert not StockMove.objects.filter(document_type="distribution.delivery").exists()
    assert MeterReading.objects.count() == 2

    paid_now = post_delivery(driver, {**body, "payment_method": "PAYNOW", "meter_reading": "1700.000"})
    assert paid_now.status_code == 201 and paid_now.json()["invoice"]["status"] == "PAID"


def test_an_empty_visit_is_refused(metered, api):
    w, customer = metered
    driver = api(w.users["driver"])
    nothing = post_delivery(driver, delivery_body(w, customer=customer.pk, lines=[]))
    assert nothing.status_code == 400 and "lines" in nothing.json()["fields"]
    unmetered = post_delivery(driver, delivery_body(w, lines=[], meter_reading="10.000"))
    assert unmetered.status_code == 400 and "meter_reading" in unmetered.json()["fields"]
    assert not Delivery.objects.exists()
    assert not Sequence.objects.filter(slug__startswith="invoice/", current_value__gt=0).exists()
