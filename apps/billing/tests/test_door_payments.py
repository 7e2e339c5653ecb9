"""Payment at the door (issue 14): a CASH or PAYNOW delivery records its
payment in the delivery's own transaction; CREDIT only for credit customers;
the day-end summary counts what the driver collected."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.billing.enums import InvoiceStatus
from apps.billing.models import Invoice, Payment
from apps.billing.tests.helpers import delivery_body, load_vehicle, post_delivery
from apps.core.models import Sequence
from apps.deliveries.models import Delivery
from apps.inventory.models import StockMove
from apps.sync.tests.signing import PhoneKey, register_device


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=30)
    return world


def _seven_14kg(w, **overrides):
    """7 x 14 kg at 27.50: 192.50 + GST 17.33 = 209.83."""
    return delivery_body(
        w, lines=[{"cylinder_type": w.types[1].pk, "delivered_full": 7, "returned_empty": 2}], **overrides
    )


def _nothing_recorded():
    assert not Delivery.objects.exists()
    assert not Invoice.objects.exists()
    assert not Payment.objects.exists()
    assert not StockMove.objects.filter(document_type="distribution.delivery").exists()
    assert not Sequence.objects.filter(slug__startswith="invoice/", current_value__gt=0).exists()


def test_cash_with_tender_gives_change_and_the_invoice_is_paid(loaded, api):
    w = loaded
    r = post_delivery(api(w.users["driver"]), _seven_14kg(w, amount_tendered="250.00"))
    assert r.status_code == 201, r.content
    body = r.json()
    inv = body["invoice"]
    assert (inv["total"], inv["status"], inv["amount_paid"]) == ("209.83", "PAID", "209.83")
    assert (body["amount_tendered"], body["change_due"], body["payment_reference"]) == ("250.00", "40.17", None)
    payment = Payment.objects.get()
    assert (payment.amount, payment.amount_tendered, payment.change_due, payment.method) == (
        Decimal("209.83"),
        Decimal("250.00"),
        Decimal("40.17"),
        "CASH",
    )
    assert payment.received_at == Delivery.objects.get().occurred_at
    assert payment.recorded_by == w.users["driver"]
    # the same answer on a later GET
    again = api(w.users["driver"]).get(f"/api/deliveries/{body['id']}/").json()
    assert (again["change_due"], again["invoice"]["status"]) == ("40.17", "PAID")
    assert AuditLog.objects.filter(action="payment.recorded", entity_id=inv["id"]).count() == 1


def test_cash_without_tender_is_paid_exactly(loaded, api):
    w = loaded
    r = post_delivery(api(w.users["driver"]), _seven_14kg(w))
    assert r.status_code == 201, r.content
    assert (r.json()["amount_tendered"], r.json()["change_due"]) == ("209.83", "0.00")
    assert Invoice.objects.get().amount_due == Decimal("0.00")


@pytest.mark.parametrize("tendered", ["209.82", "0.00", "50.00"])
def test_cash_below_the_total_is_refused_and_nothing_is_recorded(loaded, api, tendered):
    w = loaded
    r = post_delivery(api(w.users["driver"]), _seven_14kg(w, amount_tendered=tendered))
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "insufficient_tender" and r.json()["amount_due"] == "209.83"
    _nothing_recorded()


def test_paynow_records_the_reference(loaded, api):
    w = loaded
    r = post_delivery(api(w.users["driver"]), _seven_14kg(w, payment_method="PAYNOW", payment_reference=" PN-8841 "))
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["invoice"]["status"], body["change_due"], body["payment_reference"]) == ("PAID", None, "PN-8841")
    assert Payment.objects.get().reference == "PN-8841"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"payment_method": "PAYNOW", "amount_tendered": "300.00"}, "amount_tendered"),
        ({"payment_method": "CHEQUE", "amount_tendered": "300.00"}, "amount_tendered"),
        ({"payment_method": "CASH", "payment_reference": "PN-1"}, "payment_reference"),
        ({"amount_tendered": "-1.00"}, "amount_tendered"),
        ({"amount_tendered": "12.345"}, "amount_tendered"),
        ({"amount_tendered": "lots"}, "amount_tendered"),
        ({"payment_method": "PAYNOW", "payment_reference": "x" * 65}, "payment_reference"),
    ],
)
def test_bad_payment_fields_are_400(loaded, api, overrides, field):
    w = loaded
    r = post_delivery(api(w.users["driver"]), _seven_14kg(w, **overrides))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid" and field in r.json()["fields"]
    _nothing_recorded()


def test_cheque_stays_issued(loaded, api):
    w = loaded
    r = post_delivery(api(w.users["driver"]), _seven_14kg(w, payment_method="CHEQUE"))
    assert r.status_code == 201
    assert (r.json()["invoice"]["status"], r.json()["invoice"]["amount_paid"], r.json()["change_due"]) == (
        "ISSUED",
        "0.00",
        None,
    )
    assert not Payment.objects.exists()


def test_credit_only_for_customers_with_credit_terms(loaded, api):
    w = loaded
    driver = api(w.users["driver"])
    cash_customer = driver.get(f"/api/customers/{w.customers[0].pk}/").json()
    assert cash_customer["payment_terms"] == "CASH"
    r = post_delivery(driver, _seven_14kg(w, payment_method="CREDIT"))
    assert r.status_code == 422 and r.json()["code"] == "credit_not_allowed"
    _nothing_recorded()

    credit = w.customers[1]
    credit.payment_terms, credit.credit_term_days = "CREDIT", 30
    credit.save()
    assert driver.get(f"/api/customers/{credit.pk}/").json()["payment_terms"] == "CREDIT"
    r = post_delivery(driver, _seven_14kg(w, customer=credit.pk, payment_method="CREDIT"))
    assert r.status_code == 201, r.content
    inv = Invoice.objects.get(pk=r.json()["invoice"]["id"])
    assert (inv.status, inv.payment_terms, inv.due_date) == (
        InvoiceStatus.ISSUED,
        "Net 30 days",
        inv.issue_date + timedelta(days=30),
    )


def test_replay_with_the_same_key_pays_once_and_another_tender_is_a_conflict(loaded, api):
    w = loaded
    driver, key = api(w.users["driver"]), uuid.uuid4()
    first = post_delivery(driver, _seven_14kg(w, amount_tendered="250.00"), key=key)
    again = post_delivery(driver, _seven_14kg(w, amount_tendered="250.00"), key=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = post_delivery(driver, _seven_14kg(w, amount_tendered="300.00"), key=key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert Payment.objects.count() == 1


def test_day_end_summary_counts_cash_and_paynow_taken_at_the_door(loaded, api):
    w = loaded
    driver = api(w.users["driver"])
    assert post_delivery(driver, _seven_14kg(w, amount_tendered="250.00")).status_code == 201  # 209.83 cash
    three = delivery_body(w, customer=w.customers[1].pk, payment_method="PAYNOW")  # 3 x 24.99: 81.72
    assert post_delivery(driver, three).status_code == 201
    cheque = delivery_body(w, customer=w.customers[2].pk, payment_method="CHEQUE")
    assert post_delivery(driver, cheque).status_code == 201
    summary = driver.get("/api/day-end/summary/").json()
    assert (summary["cash_collected"], summary["paynow_collected"]) == ("209.83", "81.72")
    # the change handed back is not cash collected; another driver collected nothing
    other = api(w.users["supervisor"]).get(f"/api/day-end/summary/?driver={w.users['driver2'].pk}").json()
    assert (other["cash_collected"], other["paynow_collected"]) == ("0.00", "0.00")
    receipt = driver.get("/api/day-end/summary/receipt/").content
    assert b"Cash collected SGD" in receipt and b"209.83" in receipt and b"81.72" in receipt


def test_a_supervisor_recording_the_drivers_delivery_counts_for_the_driver(loaded):
    from apps.billing.tests.helpers import deliver
    from apps.orders.selectors import day_summary

    w = loaded
    deliver(w, actor=w.users["supervisor"], driver=w.users["driver"], payment_method="CASH")
    assert day_summary(driver=w.users["driver"], day=timezone.localdate())["cash_collected"] == "81.72"


def test_offline_delivery_event_pays_at_the_door_too(loaded, api):
    """The sync path goes through the same service: same fields, same answers."""
    w = loaded
    client, phone = api(w.users["driver"]), PhoneKey()
    device = register_device(client, phone)
    when = timezone.now() - timedelta(hours=2)
    good = phone.event("delivery.create", _seven_14kg(w, amount_tendered="210.00"), occurred_at=when)
    short = phone.event(
        "delivery.create", _seven_14kg(w, customer=w.customers[1].pk, amount_tendered="200.00"), occurred_at=when
    )
    res = client.post("/api/sync/", {"device": device, "events": [good, short]}, format="json")
    assert res.status_code == 200, res.content
    applied, rejected = res.json()["results"]
    assert applied["status"] == "applied"
    assert (applied["result"]["invoice"]["status"], applied["result"]["change_due"]) == ("PAID", "0.17")
    assert (rejected["status"], rejected["code"]) == ("rejected", "insufficient_tender")
    assert Payment.objects.get().received_at == when
    assert Delivery.objects.count() == 1
