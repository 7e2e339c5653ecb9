"""The driver's day: my-day, the day-end count and its review, the summary."""

from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.services import payment_record
from apps.billing.tests.helpers import deliver, load_vehicle
from apps.dispatch.services import dispatch_route
from apps.inventory.enums import MovementType
from apps.inventory.models import StockBalance, StockDocument
from apps.inventory.selectors import balance_drift
from apps.orders.tests.helpers import customer_at, make_order

pytestmark = pytest.mark.django_db


def truck(world, cylinder_type=None):
    return StockBalance.objects.get(location__vehicle=world.vehicle, cylinder_type=cylinder_type or world.gas)


def test_my_day_shows_stock_stops_in_route_order_and_totals(world, api, daytime):
    near, far = customer_at("1.310000", "103.660000"), customer_at("1.400000", "103.900000")
    far_order = make_order(world, customer=far, quantity=4)
    near_order = make_order(world, customer=near, quantity=2)
    dispatch_route(actor=world.users["supervisor"], driver=world.users["driver"], day=timezone.localdate())
    load_vehicle(world, quantity=10, types=[world.gas])
    deliver(world, customer=near, lines=[{"cylinder_type": world.gas, "delivered_full": 2, "returned_empty": 1}])

    res = api(world.users["driver"]).get("/api/my-day/")
    assert res.status_code == 200
    day = res.json()
    assert day["vehicle"] == {"id": world.vehicle.pk, "plate_number": world.vehicle.plate_number}
    gas = next(s for s in day["stock"] if s["cylinder_type"] == world.gas.pk)
    assert (gas["full_qty"], gas["empty_qty"]) == (8, 1)
    assert [s["order"] for s in day["stops"]] == [near_order.pk, far_order.pk]
    first = day["stops"][0]
    assert first["customer"]["name"] == near.name and first["lines"][0]["quantity"] == 2
    site = StockBalance.objects.get(location__customer=near, cylinder_type=world.gas)
    assert first["customer_balance"] == [
        {"cylinder_type": world.gas.pk, "full_qty": site.full_qty, "empty_qty": site.empty_qty}
    ]
    assert site.full_qty + site.empty_qty == 1  # 2 delivered, 1 taken back
    assert day["totals"] == {"loaded": 10, "delivered": 2, "collected": 1, "returned": 0}


def test_my_day_scoping(world, api):
    assert api(world.users["driver"]).get(f"/api/my-day/?driver={world.users['driver2'].pk}").status_code == 403
    assert api(world.users["supervisor"]).get("/api/my-day/").status_code == 400
    res = api(world.users["supervisor"]).get(f"/api/my-day/?driver={world.users['driver2'].pk}&date=2026-03-02")
    assert res.status_code == 200 and res.json()["stops"] == []
    assert api(world.users["driver"]).get("/api/my-day/?date=garbage").status_code == 400
    assert api(world.users["depot_staff"]).get(f"/api/my-day/?driver={world.users['driver'].pk}").status_code == 200


def count(client, lines, **extra):
    return client.post("/api/day-end/counts/", {"lines": lines, **extra}, format="json")


def test_matching_count_needs_no_review(world, api):
    load_vehicle(world, quantity=6, types=[world.gas])
    res = count(api(world.users["driver"]), [{"cylinder_type": world.gas.pk, "full_qty": 6, "empty_qty": 0}])
    assert res.status_code == 201 and res.json()["status"] == "MATCHED"


def test_variance_is_approved_as_an_adjustment_on_the_vehicle(world, api):
    load_vehicle(world, quantity=10, types=[world.gas, world.types[1]])
    deliver(world, lines=[{"cylinder_type": world.gas, "delivered_full": 3, "returned_empty": 3}])
    driver = api(world.users["driver"])
    # the truck really has 6 full (one missing) and 4 empty (one extra) of gas; the 14 kg matches
    res = count(
        driver,
        [
            {"cylinder_type": world.gas.pk, "full_qty": 6, "empty_qty": 4},
            {"cylinder_type": world.types[1].pk, "full_qty": 10, "empty_qty": 0},
        ],
    )
    assert res.status_code == 201, res.content
    pending = res.json()
    assert pending["status"] == "PENDING"
    variances = {(line["cylinder_type"], line["state"]): line["variance"] for line in pending["lines"]}
    assert variances[(world.gas.pk, "FULL")] == -1 and variances[(world.gas.pk, "EMPTY")] == 1
    assert variances[(world.types[1].pk, "FULL")] == 0
    assert count(driver, []).json()["code"] == "count_pending"

    summary = driver.get("/api/day-end/summary/").json()
    assert summary["variance"] == [
        {"cylinder_type": world.gas.pk, "cylinder_type_name": world.gas.name, "state": "FULL", "counted": 6,
         "ledger": 7, "variance": -1},
        {"cylinder_type": world.gas.pk, "cylinder_type_name": world.gas.name, "state": "EMPTY", "counted": 4,
         "ledger": 3, "variance": 1},
    ]  # fmt: skip

    url = f"/api/day-end/counts/{pending['id']}/approve/"
    assert driver.post(url, {"reason": "mine"}, format="json").status_code == 403
    sup = api(world.users["supervisor"])
    assert sup.post(url, {}, format="json").status_code == 400
    res = sup.post(url, {"reason": "one full left at customer, one empty picked up unrecorded"}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "APPROVED"
    document = StockDocument.objects.get(pk=res.json()["adjustment"])
    assert document.kind == "ADJUSTMENT" and document.number.startswith("ADJ-")
    moves = {(m.state, m.from_location.kind, m.quantity) for m in document_moves(document)}
    assert moves == {("FULL", "VEHICLE", 1), ("EMPTY", "ADJUSTMENT", 1)}
    row = truck(world)
    assert (row.full_qty, row.empty_qty) == (6, 4)
    assert balance_drift() == []
    assert sup.post(url, {"reason": "again"}, format="json").json()["code"] == "count_not_pending"


def document_moves(document):
    from apps.inventory.models import StockMove

    return StockMove.objects.filter(
        document_type="inventory.stockdocument", document_id=document.pk, movement_type=MovementType.ADJUSTMENT
    ).select_related("from_location")


def test_sent_back_count_allows_a_recount(world, api):
    load_vehicle(world, quantity=5, types=[world.gas])
    driver, sup = api(world.users["driver"]), api(world.users["supervisor"])
    first = count(driver, [{"cylinder_type": world.gas.pk, "full_qty": 1, "empty_qty": 0}]).json()
    res = sup.post(f"/api/day-end/counts/{first['id']}/send-back/", {"reason": "count again"}, format="json")
    assert res.json()["status"] == "RETURNED"
    assert count(driver, [{"cylinder_type": world.gas.pk, "full_qty": 5, "empty_qty": 0}]).json()["status"] == "MATCHED"
    assert truck(world).full_qty == 5  # nothing was adjusted
    assert not StockDocument.objects.filter(kind="ADJUSTMENT").exists()


def test_count_permissions_and_bad_input(world, api):
    lines = [{"cylinder_type": world.gas.pk, "full_qty": 0, "empty_qty": 0}]
    staff = api(world.users["depot_staff"])
    assert count(staff, lines).status_code == 400  # must name the driver
    assert count(staff, lines, driver=world.users["driver"].pk).status_code == 201
    assert count(api(world.users["driver"]), lines, driver=world.users["driver2"].pk).status_code == 403
    assert count(api(world.users["finance"]), lines, driver=world.users["driver"].pk).status_code == 403
    bad = [{"cylinder_type": world.gas.pk, "full_qty": -1, "empty_qty": 0}]
    assert count(api(world.users["driver"]), bad).status_code == 400
    twice = lines + lines
    assert count(api(world.users["driver"]), twice).status_code == 400


def test_summary_with_cash_and_the_printed_receipt(world, api):
    load_vehicle(world, quantity=10, types=[world.gas])
    delivery = deliver(world, lines=[{"cylinder_type": world.gas, "delivered_full": 2, "returned_empty": 2}])
    payment_record(actor=world.users["driver"], invoice=delivery.invoice, amount=Decimal("20.00"), method="CASH")
    sup = api(world.users["supervisor"])
    summary = sup.get(f"/api/day-end/summary/?driver={world.users['driver'].pk}").json()
    assert (summary["loaded"], summary["delivered"], summary["collected"], summary["returned"]) == (10, 2, 2, 0)
    assert summary["cash_collected"] == "20.00" and summary["count"] is None
    res = api(world.users["driver"]).get("/api/day-end/summary/receipt/")
    assert res.status_code == 200 and res["Content-Type"] == "application/octet-stream"
    assert res.content.startswith(b"\x1b") and b"DAY-END SUMMARY" in res.content and b"20.00" in res.content
    assert (
        api(world.users["driver2"]).get(f"/api/day-end/summary/?driver={world.users['driver'].pk}").status_code == 403
    )
