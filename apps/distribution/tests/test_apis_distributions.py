"""POST/GET /api/distributions/ as API.md describes them."""

import uuid

import pytest

from apps.distribution.models import DistributionHeader
from apps.inventory.locations import location_for_vehicle
from apps.inventory.models import StockBalance, StockMove

pytestmark = pytest.mark.django_db


def body(world, qty=10, movement="COLLECTION", depot=None):
    return {
        "vehicle": world.vehicle.pk,
        "items": [
            {
                "depot": (depot or world.depot).pk,
                "cylinder_type": world.gas.pk,
                "quantity": qty,
                "movement_type": movement,
            }
        ],
    }


def post(client, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/distributions/", data, format="json", **headers)


def test_create_answers_the_contract(world, api):
    client = api(world.users["driver"])
    data = {
        "vehicle": world.vehicle.pk,
        "items": [
            {"depot": world.depot.pk, "cylinder_type": world.gas.pk, "quantity": 10, "movement_type": "COLLECTION"},
            {"depot": world.depot.pk, "cylinder_type": world.gas.pk, "quantity": 4, "movement_type": "FULL_RETURN"},
        ],
    }
    response = post(client, data, str(uuid.uuid4()))
    assert response.status_code == 201, response.json()
    out = response.json()
    assert {
        "id",
        "number",
        "status",
        "driver",
        "vehicle",
        "total_collection",
        "total_return",
        "items",
        "created_at",
    } <= set(out)
    assert out["status"] == "confirmed" and out["driver"] == world.users["driver"].pk
    assert (out["total_collection"], out["total_return"]) == (10, 4)
    assert out["number"].startswith("DIST-") and len(out["number"]) == len("DIST-20260119-0007")
    assert StockBalance.objects.get(location__vehicle=world.vehicle, cylinder_type=world.gas).full_qty == 6


def test_same_key_same_body_replays_without_recording(world, api):
    client, key = api(world.users["driver"]), str(uuid.uuid4())
    first = post(client, body(world), key)
    moves = StockMove.objects.count()
    second = post(client, body(world), key)
    assert second.status_code == 201 and second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert StockMove.objects.count() == moves and DistributionHeader.objects.count() == 1


def test_same_key_other_body_is_409(world, api):
    client, key = api(world.users["driver"]), str(uuid.uuid4())
    post(client, body(world), key)
    response = post(client, body(world, qty=11), key)
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"
    assert DistributionHeader.objects.count() == 1


def test_bad_idempotency_key_is_400(world, api):
    response = post(api(world.users["driver"]), body(world), "not-a-uuid")
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["fields"]


def test_insufficient_stock_is_409_and_records_nothing(world, api):
    response = post(api(world.users["driver"]), body(world, qty=101), str(uuid.uuid4()))
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "insufficient_stock"
    assert data["shortages"][0] | {"available": 100, "requested": 101, "state": "FULL"} == data["shortages"][0]
    assert DistributionHeader.objects.count() == 0


def test_refused_key_can_be_used_again_once_stock_arrives(world, api):
    client, key = api(world.users["driver"]), str(uuid.uuid4())
    assert post(client, body(world, qty=3, movement="EMPTY_RETURN"), key).status_code == 409
    post(client, body(world, qty=3))  # fulls arrive on the truck
    assert post(client, body(world, qty=3, movement="FULL_RETURN"), key).status_code == 201


@pytest.mark.parametrize(
    "mutate,field",
    [
        (lambda b: b.update(items=[]), "items"),
        (lambda b: b["items"][0].update(quantity=0), "items"),
        (lambda b: b["items"][0].update(quantity=-5), "items"),
        (lambda b: b["items"][0].update(quantity="ten"), "items"),
        (lambda b: b["items"][0].update(movement_type="DELIVERY"), "items"),
        (lambda b: b["items"][0].update(depot=999999), "items"),
        (lambda b: b["items"][0].update(cylinder_type=2**70), "items"),
        (lambda b: b.update(vehicle="x"), "vehicle"),
        (lambda b: b.update(vehicle=None), "vehicle"),
        (lambda b: b.pop("items"), "items"),
        (lambda b: b.update(items="nope"), "items"),
        (lambda b: b.update(items=[1, 2]), "items"),
    ],
)
def test_bad_input_is_400_with_fields_and_records_nothing(world, api, mutate, field):
    data = body(world)
    mutate(data)
    response = post(api(world.users["driver"]), data, str(uuid.uuid4()))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]
    assert DistributionHeader.objects.count() == 0


def test_body_that_is_not_an_object_is_400(world, api):
    response = api(world.users["driver"]).post("/api/distributions/", [1, 2], format="json")
    assert response.status_code == 400


def test_wrong_vehicle_is_403(world, api):
    data = body(world)
    data["vehicle"] = world.vehicle2.pk
    response = post(api(world.users["driver"]), data)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_finance_cannot_record(world, api):
    assert post(api(world.users["finance"]), body(world)).status_code == 403


def test_driver_sees_only_own_distributions(world, api):
    mine = post(api(world.users["driver"]), body(world)).json()
    other = post(api(world.users["supervisor"]), {**body(world), "vehicle": world.vehicle2.pk}).json()
    listed = api(world.users["driver"]).get("/api/distributions/").json()
    assert [d["id"] for d in listed["results"]] == [mine["id"]]
    assert api(world.users["driver"]).get(f"/api/distributions/{other['id']}/").status_code == 404
    assert api(world.users["driver2"]).get(f"/api/distributions/{mine['id']}/").status_code == 404
    assert api(world.users["supervisor"]).get("/api/distributions/").json()["count"] == 2


def test_receipt_is_escpos_bytes(world, api):
    created = post(api(world.users["driver"]), body(world)).json()
    response = api(world.users["driver"]).get(f"/api/distributions/{created['id']}/receipt/")
    assert response.status_code == 200 and response["Content-Type"] == "application/octet-stream"
    data = response.content
    assert data.startswith(b"\x1b") and created["number"].encode() in data
    assert b"\x1dV" in data  # paper cut
    assert b"\x1d(k" in data  # native QR command (GS ( k)
    assert world.gas.name.encode() in data


def test_supervisor_reverses_distribution(world, api):
    created = post(api(world.users["driver"]), body(world)).json()
    assert (
        api(world.users["driver"])
        .post(f"/api/distributions/{created['id']}/reverse/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    response = api(world.users["supervisor"]).post(
        f"/api/distributions/{created['id']}/reverse/", {"reason": "wrong truck"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "reversed"
    assert StockBalance.objects.get(location__vehicle=world.vehicle, cylinder_type=world.gas).full_qty == 0


def test_stock_endpoint_filters_and_scopes(world, api):
    post(api(world.users["driver"]), body(world))
    rows = api(world.users["driver"]).get("/api/stock/", {"vehicle": world.vehicle.pk}).json()
    assert [(r["cylinder_type"], r["full_qty"], r["empty_qty"]) for r in rows] == [(world.gas.pk, 10, 0)]
    # a driver cannot read the depot's stock nor another truck's
    assert api(world.users["driver"]).get("/api/stock/", {"depot": world.depot.pk}).json() == []
    office = api(world.users["supervisor"]).get("/api/stock/", {"depot": world.depot.pk}).json()
    assert {r["full_qty"] for r in office if r["cylinder_type"] == world.gas.pk} == {90}
    moves = api(world.users["supervisor"]).get("/api/stock/moves/", {"movement_type": "COLLECTION"}).json()
    assert len(moves["results"]) == 1 and moves["results"][0]["quantity"] == 10 and "count" not in moves
    assert api(world.users["driver"]).get("/api/stock/", {"vehicle": "abc"}).status_code == 400


def test_stock_documents_api(world, api):
    sup = api(world.users["supervisor"])
    loc = location_for_vehicle(world.vehicle)
    no_reason = sup.post(
        "/api/stock/documents/",
        {
            "kind": "ADJUSTMENT",
            "location": loc.pk,
            "lines": [{"cylinder_type": world.gas.pk, "state": "FULL", "quantity": 2}],
        },
        format="json",
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    ok = sup.post(
        "/api/stock/documents/",
        {
            "kind": "ADJUSTMENT",
            "location": loc.pk,
            "reason": "found",
            "lines": [{"cylinder_type": world.gas.pk, "state": "FULL", "quantity": 2}],
        },
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["number"].startswith("ADJ-") and len(ok.json()["moves"]) == 1
    staff = api(world.users["depot_staff"]).post(
        "/api/stock/documents/",
        {
            "kind": "ADJUSTMENT",
            "location": loc.pk,
            "reason": "x",
            "lines": [{"cylinder_type": world.gas.pk, "state": "FULL", "quantity": 2}],
        },
        format="json",
    )
    assert staff.status_code == 403
    receipt = api(world.users["depot_staff"]).post(
        "/api/stock/documents/",
        {
            "kind": "RECEIPT",
            "depot": world.depot.pk,
            "reference": "DO-778",
            "lines": [{"cylinder_type": world.gas.pk, "quantity": 40}],
        },
        format="json",
    )
    assert receipt.status_code == 201
    assert (
        api(world.users["driver"])
        .post(
            "/api/stock/documents/",
            {"kind": "RECEIPT", "depot": world.depot.pk, "lines": [{"cylinder_type": world.gas.pk, "quantity": 1}]},
            format="json",
        )
        .status_code
        == 403
    )
    rev = sup.post(
        f"/api/stock/documents/{receipt.json()['id']}/reverse/", {"reason": "docket entered twice"}, format="json"
    )
    assert rev.status_code == 201 and rev.json()["number"].startswith("REV-")
    assert (
        sup.post(f"/api/stock/documents/{receipt.json()['id']}/reverse/", {"reason": "again"}, format="json").json()[
            "code"
        ]
        == "already_reversed"
    )
