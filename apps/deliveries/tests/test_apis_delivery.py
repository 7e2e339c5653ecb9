import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.billing.models import Invoice, InvoiceLine
from apps.billing.tests.helpers import deliver, delivery_body, load_vehicle, post_delivery, sgt
from apps.core.commands import command
from apps.core.exceptions import ValidationFailed
from apps.core.models import IdempotencyRecord, Sequence
from apps.deliveries.models import Delivery
from apps.inventory.enums import MovementType
from apps.inventory.models import StockBalance, StockMove
from apps.inventory.selectors import balance_drift

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=20)
    return world


def _balance(**location) -> tuple[int, int]:
    b = StockBalance.objects.get(
        **{f"location__{k}": v for k, v in location.items() if k != "ct"}, cylinder_type=location["ct"]
    )
    return b.full_qty, b.empty_qty


def _nothing_recorded() -> None:
    assert not Delivery.objects.exists()
    assert not Invoice.objects.exists()
    assert not StockMove.objects.filter(document_type="distribution.delivery").exists()
    assert not Sequence.objects.filter(slug__startswith="invoice/", current_value__gt=0).exists()


def test_delivery_posts_moves_issues_invoice_and_audits(loaded, api, django_capture_on_commit_callbacks):
    w = loaded
    client = api(w.users["driver"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = post_delivery(client, delivery_body(w))
    assert r.status_code == 201, r.data
    body = r.json()
    assert body["customer"] == w.customers[0].pk and body["vehicle"] == w.vehicle.pk
    assert [(x["cylinder_type"], x["delivered_full"], x["returned_empty"]) for x in body["lines"]] == [(w.gas.pk, 3, 3)]
    inv = body["invoice"]
    assert inv["number"].startswith("INV-") and inv["number"].endswith("-000001")
    assert (inv["subtotal"], inv["gst_rate"], inv["gst_amount"], inv["total"]) == ("74.97", "9", "6.75", "81.72")
    # CASH: paid at the door in the same transaction, tendered = the total by default
    assert (inv["status"], inv["amount_paid"], body["amount_tendered"], body["change_due"]) == (
        "PAID",
        "81.72",
        "81.72",
        "0.00",
    )
    assert inv["pdf_url"] == f"/api/invoices/{inv['id']}/pdf/"
    from apps.audit.head import audit_head_publish_committed
    from apps.audit.sealer import seal_after_commit  # the audit rows are sealed after commit too
    from apps.billing.issued import is_issued_callback  # e-invoicing hears of the invoice after commit (issue 24)

    audit_hooks = (audit_head_publish_committed, seal_after_commit)
    assert len([c for c in callbacks if is_issued_callback(c)]) == 1
    assert len([c for c in callbacks if c not in audit_hooks and not is_issued_callback(c)]) == 1  # PDF rendering

    delivery = Delivery.objects.get(pk=body["id"])
    assert delivery.driver == w.users["driver"] and delivery.invoice_id == inv["id"]
    moves = StockMove.objects.filter(document_type="distribution.delivery", document_id=delivery.pk)
    kinds = sorted((m.movement_type, m.state, m.quantity) for m in moves)
    assert kinds == sorted(
        [
            (MovementType.DELIVERY, "FULL", 3),
            (MovementType.CONSUMPTION, "FULL", 3),
            (MovementType.CONSUMPTION, "EMPTY", 3),
            (MovementType.RETURN, "EMPTY", 3),
        ]
    )
    # consumption is its own movement: the supervisors' adjustment location stays untouched
    assert not moves.filter(movement_type=MovementType.ADJUSTMENT).exists()
    assert _balance(vehicle=w.vehicle, ct=w.gas) == (17, 3)
    # 3 fulls delivered, 3 consumed and given back empty: the site holds what it held before.
    assert _balance(customer=w.customers[0], ct=w.gas) == (0, 0)
    assert balance_drift() == []

    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"delivery.created", "invoice.issued"} <= actions
    # one audit row for the delivery, carrying its posting (no separate stock.posted row)
    record = AuditLog.objects.get(action="delivery.created", entity_id=str(body["id"]))
    assert [m["quantity"] for m in record.after["posting"]["moves"]] == [3, 3, 3, 3]
    assert record.before["balances"] and record.after["posting"]["balances"]
    assert not AuditLog.objects.filter(action="stock.posted", entity_type=record.entity_type).exists()
    lines = list(InvoiceLine.objects.filter(invoice_id=inv["id"]))
    assert [(x.quantity, x.unit_price, x.amount) for x in lines] == [(3, Decimal("24.99"), Decimal("74.97"))]


def test_customer_balance_visible_through_stock_api(loaded, api):
    w = loaded
    deliver(w, lines=[{"cylinder_type": w.gas, "delivered_full": 5, "returned_empty": 0}])
    deliver(w, lines=[{"cylinder_type": w.gas, "delivered_full": 2, "returned_empty": 4}])
    r = api(w.users["supervisor"]).get(f"/api/stock/?customer={w.customers[0].pk}")
    assert r.status_code == 200
    rows = {row["cylinder_type"]: (row["full_qty"], row["empty_qty"]) for row in r.json()}
    assert rows[w.gas.pk] == (3, 0)  # 7 delivered, 4 came back


def test_customer_cannot_return_more_than_it_holds(loaded, api):
    r = post_delivery(api(loaded.users["driver"]), delivery_body(loaded, lines=[
        {"cylinder_type": loaded.gas.pk, "delivered_full": 1, "returned_empty": 2}
    ]))  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    _nothing_recorded()


def test_short_vehicle_refuses_whole_delivery_and_uses_no_number(loaded, api):
    w = loaded
    body = delivery_body(w, lines=[
        {"cylinder_type": w.types[0].pk, "delivered_full": 2},
        {"cylinder_type": w.types[1].pk, "delivered_full": 21},
    ])  # fmt: skip
    r = post_delivery(api(w.users["driver"]), body)
    assert r.status_code == 409
    assert r.json()["code"] == "insufficient_stock"
    assert [s["requested"] for s in r.json()["shortages"]] == [21]
    _nothing_recorded()
    assert _balance(vehicle=w.vehicle, ct=w.types[0]) == (20, 0)
    ok = post_delivery(api(w.users["driver"]), delivery_body(w))
    assert ok.json()["invoice"]["number"].endswith("-000001")  # the refused one gave nothing away


def test_idempotent_replay_and_conflict(loaded, api):
    w = loaded
    client, key = api(w.users["driver"]), uuid.uuid4()
    first = post_delivery(client, delivery_body(w), key)
    again = post_delivery(client, delivery_body(w), key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Delivery.objects.count() == Invoice.objects.count() == 1
    other = post_delivery(client, delivery_body(w, payment_method="PAYNOW"), key)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert IdempotencyRecord.objects.get(key=key).scope == "delivery.create"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer": 999999}, "customer"),
        ({"customer": "abc"}, "customer"),
        ({"customer": 10**30}, "customer"),
        ({"vehicle": None}, "vehicle"),
        ({"vehicle": [1]}, "vehicle"),
        ({"payment_method": "BITCOIN"}, "payment_method"),
        ({"lines": []}, "lines"),
        ({"lines": "3 cylinders"}, "lines"),
        ({"lines": [{"cylinder_type": 999999, "delivered_full": 1}]}, "lines"),
        ({"lines": [{"cylinder_type": "TYPE0", "delivered_full": 1}]}, "lines"),
        ("negative", "lines"),
        ("zero", "lines"),
        ("duplicate", "lines"),
        ("text_quantity", "lines"),
        ({"service_lines": [{"service_item": 999999}]}, "service_lines"),
        ({"meter_reading": "lots"}, "meter_reading"),
        ({"meter_reading": "-1"}, "meter_reading"),
        ({"order": -4}, "order"),
        ({"order": "x"}, "order"),
        ({"order": 999999}, "order"),
    ],
)
def test_bad_input_is_400_with_fields_and_records_nothing(loaded, api, change, field):
    w = loaded
    ct = w.gas.pk
    special = {
        "negative": {"lines": [{"cylinder_type": ct, "delivered_full": -3, "returned_empty": 0}]},
        "zero": {"lines": [{"cylinder_type": ct, "delivered_full": 0, "returned_empty": 0}]},
        "duplicate": {
            "lines": [{"cylinder_type": ct, "delivered_full": 1}, {"cylinder_type": ct, "delivered_full": 1}]
        },
        "text_quantity": {"lines": [{"cylinder_type": ct, "delivered_full": "three"}]},
    }
    body = delivery_body(w, **(special[change] if isinstance(change, str) else change))
    r = post_delivery(api(w.users["driver"]), body)
    assert r.status_code == 400, r.content
    data = r.json()
    assert data["code"] == "invalid" and data["detail"] and field in data["fields"]
    _nothing_recorded()


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"lines": null}', b"null"])
def test_malformed_bodies_are_4xx(loaded, api, raw):
    r = api(loaded.users["driver"]).post(
        "/api/deliveries/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert 400 <= r.status_code < 500 and "code" in r.json()
    _nothing_recorded()


def test_bad_idempotency_key_is_400(loaded, api):
    r = api(loaded.users["driver"]).post(
        "/api/deliveries/", delivery_body(loaded), format="json", HTTP_IDEMPOTENCY_KEY="not-a-uuid"
    )
    assert r.status_code == 400 and "Idempotency-Key" in r.json()["fields"]


def test_roles_who_may_record(loaded, api):
    w = loaded
    assert post_delivery(api(w.users["finance"]), delivery_body(w)).status_code == 403
    assert post_delivery(api(w.users["depot_staff"]), delivery_body(w)).status_code == 403
    other_truck = post_delivery(api(w.users["driver2"]), delivery_body(w))
    assert other_truck.status_code == 403 and other_truck.json()["code"] == "permission_denied"
    assert api(None).post("/api/deliveries/", delivery_body(w), format="json").status_code == 401
    _nothing_recorded()
    assert post_delivery(api(w.users["supervisor"]), delivery_body(w)).status_code == 201


def test_driver_cannot_read_other_drivers_delivery_or_invoice(loaded, api):
    w = loaded
    load_vehicle(w, vehicle=w.vehicle2, quantity=5)
    mine = deliver(w)
    theirs = deliver(w, actor=w.users["driver2"], vehicle=w.vehicle2, customer=w.customers[1])
    driver = api(w.users["driver"])
    assert driver.get(f"/api/deliveries/{mine.pk}/").status_code == 200
    assert driver.get(f"/api/deliveries/{theirs.pk}/").status_code == 404
    assert [d["id"] for d in driver.get("/api/deliveries/").json()["results"]] == [mine.pk]
    assert driver.get(f"/api/invoices/{theirs.invoice_id}/").status_code == 404
    assert driver.get(f"/api/invoices/{theirs.invoice_id}/pdf/").status_code == 404
    assert (
        driver.post(f"/api/invoices/{theirs.invoice_id}/payments/", {"amount": "1.00", "method": "CASH"}).status_code
        == 404
    )
    assert [i["id"] for i in driver.get("/api/invoices/").json()["results"]] == [mine.invoice_id]
    assert api(w.users["depot_staff"]).get("/api/invoices/").json()["results"] == []
    assert api(w.users["depot_staff"]).get(f"/api/invoices/{mine.invoice_id}/").status_code == 404
    assert len(api(w.users["finance"]).get("/api/invoices/").json()["results"]) == 2


def test_empties_only_pickup_has_no_invoice_and_uses_no_number(loaded):
    w = loaded
    deliver(w, lines=[{"cylinder_type": w.gas, "delivered_full": 4, "returned_empty": 0}])
    pickup = deliver(w, lines=[{"cylinder_type": w.gas, "delivered_full": 0, "returned_empty": 2}])
    assert pickup.invoice is None
    assert Sequence.objects.get(slug__startswith="invoice/").current_value == 1


def test_offline_sync_entry_points_give_the_online_answer(loaded):
    w = loaded
    payload = delivery_body(w)
    create = command("delivery.create")
    result = create.submit(actor=w.users["driver"], payload=payload, key=None, occurred_at=sgt(2025, 3, 4, 10, 0)).body
    # issued (numbered) on the server's date; supplied on the event's date
    today = timezone.localdate()
    assert result["invoice"]["number"] == f"INV-{today.year}-000001"
    assert (result["invoice"]["issue_date"], result["invoice"]["supply_date"]) == (str(today), "2025-03-04")
    assert result["occurred_at"].startswith("2025-03-04T10:00:00")
    assert Delivery.objects.get(pk=result["id"]).driver == w.users["driver"]
    canonical = create.validate(actor=w.users["driver"], payload=payload).canonical()
    assert canonical["lines"] == [{"cylinder_type": w.gas.pk, "delivered_full": 3, "returned_empty": 3}]
    assert canonical == create.validate(actor=w.users["driver"], payload={**payload, "service_lines": []}).canonical()
    with pytest.raises(ValidationFailed) as err:
        create.submit(actor=w.users["driver"], payload={**payload, "lines": []}, key=None)
    assert "lines" in err.value.extra["fields"]
