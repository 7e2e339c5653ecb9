"""Serialised cylinders (issue 13): each serial in exactly one place, kept by
the one posting service; bad serials refuse the whole document, nothing
recorded; the equipment API, its history, reconciliation and the admin."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.billing.models import Invoice
from apps.core.models import Sequence
from apps.deliveries.models import Delivery
from apps.deliveries.services import CylinderLine, delivery_create
from apps.depots.models import Equipment
from apps.distribution.models import DistributionHeader
from apps.distribution.services import DistributionLine, distribution_create
from apps.inventory.enums import MovementType, StockDocumentKind
from apps.inventory.locations import location_for_customer, location_for_depot, location_for_vehicle
from apps.inventory.models import EquipmentMove, StockDocument, StockMove
from apps.inventory.selectors import balance_drift, serial_drift
from apps.inventory.services import StockDocumentLine, stock_document_create, stock_document_reverse
from apps.inventory.tests.serial_helpers import balance, position, serialised_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw(world):
    kind, serials = serialised_world(world, count=14)
    return world, kind, serials


def snapshot():
    """Everything a refused document must leave as it was."""
    return (
        StockMove.objects.count(),
        EquipmentMove.objects.count(),
        StockDocument.objects.count(),
        DistributionHeader.objects.count(),
        Delivery.objects.count(),
        Invoice.objects.count(),
        sorted(Sequence.objects.values_list("slug", "current_value")),
        sorted(Equipment.objects.values_list("serial_number", "location_id", "state", "located_since")),
    )


def collect(world, kind, serials, qty=None):
    return {
        "vehicle": world.vehicle.pk,
        "items": [
            {
                "depot": world.depot.pk,
                "cylinder_type": kind.pk,
                "quantity": len(serials) if qty is None else qty,
                "movement_type": "COLLECTION",
                "serials": list(serials),
            }
        ],
    }


def load(world, kind, serials):
    distribution_create(
        actor=world.users["admin"],
        vehicle=world.vehicle,
        items=[DistributionLine(world.depot, kind, len(serials), MovementType.COLLECTION, tuple(serials))],
    )


def deliver(world, kind, delivered=(), returned=(), customer=None):
    return delivery_create(
        actor=world.users["driver"],
        customer=customer or world.customers[0],
        vehicle=world.vehicle,
        payment_method="CHEQUE",
        lines=[
            CylinderLine(
                kind,
                delivered_full=len(delivered),
                returned_empty=len(returned),
                delivered_serials=tuple(delivered),
                returned_serials=tuple(returned),
            )
        ],
    )


# -- positions --------------------------------------------------------------------


def test_a_serial_follows_its_moves_and_a_reversal_brings_it_back(sw):
    world, kind, serials = sw
    depot, truck = location_for_depot(world.depot), location_for_vehicle(world.vehicle)
    site = location_for_customer(world.customers[0])
    assert position(serials[0]) == (depot.pk, "FULL")
    assert balance(depot, kind) == (14, 0)

    load(world, kind, serials[:7])
    assert {position(s) for s in serials[:7]} == {(truck.pk, "FULL")}
    assert balance(truck, kind) == (7, 0)
    deliver(world, kind, delivered=serials[:3])
    assert {position(s) for s in serials[:3]} == {(site.pk, "FULL")}
    # the customer gives back one of those three, empty, while taking two more fulls
    delivery = deliver(world, kind, delivered=serials[3:5], returned=serials[1:2])
    assert position(serials[1]) == (truck.pk, "EMPTY")
    assert {position(s) for s in serials[3:5]} == {(site.pk, "FULL")}
    assert balance(site, kind) == (4, 0) and balance(truck, kind) == (2, 1)
    history = list(EquipmentMove.objects.filter(equipment__serial_number=serials[1]).order_by("id"))
    assert [m.stock_move.movement_type for m in history] == [
        "RECEIPT", "COLLECTION", "DELIVERY", "CONSUMPTION", "CONSUMPTION", "RETURN",
    ]  # fmt: skip
    assert serial_drift() == [] and balance_drift() == []

    stock_document_reverse(
        actor=world.users["supervisor"], document_type="distribution.delivery", document_id=delivery.pk, reason="typo"
    )
    assert position(serials[1]) == (site.pk, "FULL")
    assert {position(s) for s in serials[3:5]} == {(truck.pk, "FULL")}
    assert serial_drift() == [] and balance_drift() == []
    call_command("reconcile_inventory")


def test_a_reversal_is_refused_when_its_serial_has_moved_on(sw):
    world, kind, serials = sw
    load(world, kind, serials[:2])
    delivery = deliver(world, kind, delivered=serials[:1])
    deliver(world, kind, returned=serials[:1])  # back on the truck, empty
    before = snapshot()
    with pytest.raises(Exception) as refused:
        stock_document_reverse(
            actor=world.users["supervisor"], document_type="distribution.delivery", document_id=delivery.pk, reason="x"
        )
    assert getattr(refused.value, "code", None) == "serial_not_here"
    assert snapshot() == before


def test_empties_write_off_and_dump_move_serials_out_of_circulation(sw):
    world, kind, serials = sw
    depot = location_for_depot(world.depot)
    load(world, kind, serials[:3])
    deliver(world, kind, delivered=serials[:3])
    deliver(world, kind, returned=serials[:3])
    distribution_create(
        actor=world.users["admin"],
        vehicle=world.vehicle,
        items=[DistributionLine(world.depot, kind, 3, MovementType.EMPTY_RETURN, tuple(serials[:3]))],
    )
    assert {position(s) for s in serials[:3]} == {(depot.pk, "EMPTY")}
    stock_document_create(
        actor=world.users["admin"],
        kind=StockDocumentKind.DUMP,
        depot=world.depot,
        lines=[StockDocumentLine(kind, 2, serials=tuple(serials[:2]))],
    )
    plant = position(serials[0])[0]
    assert plant != depot.pk and Equipment.objects.get(serial_number=serials[0]).location.is_virtual
    # refilled and received again from the plant
    stock_document_create(
        actor=world.users["admin"],
        kind=StockDocumentKind.RECEIPT,
        depot=world.depot,
        lines=[StockDocumentLine(kind, 1, serials=(serials[0],))],
    )
    assert position(serials[0]) == (depot.pk, "FULL")
    stock_document_create(
        actor=world.users["supervisor"],
        kind=StockDocumentKind.WRITE_OFF,
        location=depot,
        reason="dented",
        lines=[StockDocumentLine(kind, 1, state="EMPTY", serials=(serials[2],))],
    )
    assert Equipment.objects.get(serial_number=serials[2]).location.kind == "WRITE_OFF"
    assert serial_drift() == [] and balance_drift() == []


# -- bad input, through the API: status, code, fields, nothing recorded -------------


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("unknown", 400, "invalid"),
        ("twice_in_line", 400, "invalid"),
        ("count", 400, "invalid"),
        ("missing", 400, "invalid"),
        ("not_here", 422, "serial_not_here"),
        ("overdue", 422, "retest_overdue"),
    ],
)
def test_a_bad_serial_on_a_collection_refuses_the_whole_distribution(sw, api, case, status, code):
    world, kind, serials = sw
    other = world.gas  # a second, unserialised line that would succeed alone
    body = collect(world, kind, serials[:3])
    body["items"].append(
        {"depot": world.depot.pk, "cylinder_type": other.pk, "quantity": 7, "movement_type": "COLLECTION"}
    )
    item = body["items"][0]
    if case == "unknown":
        item["serials"][1] = "NO-SUCH-1"
    elif case == "twice_in_line":
        item["serials"][2] = item["serials"][0]
    elif case == "count":
        item["quantity"] = 4
    elif case == "missing":
        del item["serials"]
    elif case == "not_here":
        load(world, kind, serials[5:6])  # on the truck already
        item["serials"][1] = serials[5]
    elif case == "overdue":
        Equipment.objects.filter(serial_number=serials[2]).update(
            next_inspection_due=timezone.localdate() - timedelta(days=1)
        )
    before = snapshot()
    response = api(world.users["driver"]).post("/api/distributions/", body, format="json")
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer["code"] == code
    assert list(answer["fields"]["items"]) == ["0"]
    assert list(answer["fields"]["items"]["0"]) == ["serials"]
    assert snapshot() == before


def test_the_same_serial_on_two_lines_of_a_stock_document_is_400(sw, api):
    world, kind, serials = sw
    body = {
        "kind": "TRANSFER",
        "depot": world.depot.pk,
        "to_depot": world.depot2.pk,
        "lines": [
            {"cylinder_type": kind.pk, "state": "FULL", "quantity": 2, "serials": serials[:2]},
            {"cylinder_type": kind.pk, "state": "EMPTY", "quantity": 1, "serials": serials[1:2]},
        ],
    }
    before = snapshot()
    response = api(world.users["admin"]).post("/api/stock/documents/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "lines": {"1": {"serials": [f"Each serial appears once per document: {serials[1]}."]}}
    }
    assert snapshot() == before


def test_the_service_refuses_a_serial_twice_in_one_document(sw):
    world, kind, serials = sw
    before = snapshot()
    with pytest.raises(Exception) as refused:
        distribution_create(
            actor=world.users["admin"],
            vehicle=world.vehicle,
            items=[
                DistributionLine(world.depot, kind, 1, MovementType.COLLECTION, (serials[0],)),
                DistributionLine(world.depot, kind, 1, MovementType.COLLECTION, (serials[0],)),
            ],
        )
    assert refused.value.code == "invalid"
    assert refused.value.extra["fields"] == {
        "items": {1: {"serials": [f"{serials[0]} appears twice in this document."]}}
    }
    assert snapshot() == before


def test_a_delivery_with_bad_serials_is_refused_with_its_line_fields(sw, api):
    world, kind, serials = sw
    load(world, kind, serials[:4])
    client = api(world.users["driver"])
    line = {"cylinder_type": kind.pk, "delivered_full": 2, "delivered_serials": serials[:2]}
    body = {"customer": world.customers[0].pk, "vehicle": world.vehicle.pk, "payment_method": "CHEQUE"}
    before = snapshot()

    # unknown serial: found by the service (400, the line's field)
    r = client.post(
        "/api/deliveries/", {**body, "lines": [{**line, "delivered_serials": [serials[0], "ZZ-9"]}]}, format="json"
    )
    assert (r.status_code, r.json()["code"]) == (400, "invalid")
    assert r.json()["fields"] == {"lines": {"0": {"delivered_serials": ["Unknown serial ZZ-9."]}}}
    # delivered and returned the same serial
    r = client.post(
        "/api/deliveries/",
        {**body, "lines": [{**line, "returned_empty": 1, "returned_serials": serials[:1]}]},
        format="json",
    )
    assert (r.status_code, list(r.json()["fields"]["lines"]["0"])) == (400, ["returned_serials"])
    # returned a serial the customer does not hold (it is on the truck)
    r = client.post(
        "/api/deliveries/",
        {**body, "lines": [{**line, "returned_empty": 1, "returned_serials": serials[3:4]}]},
        format="json",
    )
    assert (r.status_code, r.json()["code"]) == (422, "serial_not_here")
    assert list(r.json()["fields"]["lines"]["0"]) == ["returned_serials"]
    # count != quantity, and none at all for a serialised type
    r = client.post("/api/deliveries/", {**body, "lines": [{**line, "delivered_full": 3}]}, format="json")
    assert r.json()["fields"] == {
        "lines": {"0": {"delivered_serials": ["2 serial number(s) given for 3 cylinder(s)."]}}
    }
    r = client.post(
        "/api/deliveries/", {**body, "lines": [{"cylinder_type": kind.pk, "delivered_full": 2}]}, format="json"
    )
    assert r.status_code == 400 and list(r.json()["fields"]["lines"]["0"]) == ["delivered_serials"]
    assert snapshot() == before


def test_past_its_retest_date_a_cylinder_can_come_back_but_not_go_out(sw, api):
    world, kind, serials = sw
    load(world, kind, serials[:3])
    deliver(world, kind, delivered=serials[:1])
    yesterday = timezone.localdate() - timedelta(days=1)
    Equipment.objects.filter(serial_number__in=serials[:3]).update(next_inspection_due=yesterday)
    client = api(world.users["driver"])
    before = snapshot()
    body = {
        "customer": world.customers[0].pk,
        "vehicle": world.vehicle.pk,
        "payment_method": "CHEQUE",
        "lines": [{"cylinder_type": kind.pk, "delivered_full": 1, "delivered_serials": serials[1:2]}],
    }
    r = client.post("/api/deliveries/", body, format="json")
    assert (r.status_code, r.json()["code"]) == (422, "retest_overdue")
    assert r.json()["fields"] == {
        "lines": {"0": {"delivered_serials": [f"{serials[1]} was due for its retest on {yesterday.isoformat()}."]}}
    }
    assert client.post("/api/distributions/", collect(world, kind, serials[3:4]), format="json").status_code == 201
    Equipment.objects.filter(serial_number=serials[5]).update(next_inspection_due=yesterday)
    r = client.post("/api/distributions/", collect(world, kind, serials[4:6]), format="json")
    assert (r.status_code, r.json()["code"]) == (422, "retest_overdue")
    assert r.json()["fields"] == {"items": {"0": {"serials": [f"{serials[5]} was due for its retest on {yesterday}."]}}}
    assert snapshot()[0] == before[0] + 1  # only the valid collection was recorded
    # allowed: the customer's overdue cylinder returned, the truck's brought back, a dump, a write-off
    deliver(world, kind, returned=serials[:1])
    distribution_create(
        actor=world.users["admin"],
        vehicle=world.vehicle,
        items=[
            DistributionLine(world.depot, kind, 1, MovementType.EMPTY_RETURN, tuple(serials[:1])),
            DistributionLine(world.depot, kind, 1, MovementType.FULL_RETURN, tuple(serials[1:2])),
        ],
    )
    stock_document_create(
        actor=world.users["admin"],
        kind=StockDocumentKind.DUMP,
        depot=world.depot,
        lines=[StockDocumentLine(kind, 1, serials=tuple(serials[:1]))],
    )
    stock_document_create(
        actor=world.users["supervisor"],
        kind=StockDocumentKind.WRITE_OFF,
        location=location_for_depot(world.depot),
        reason="failed retest",
        lines=[StockDocumentLine(kind, 1, state="FULL", serials=tuple(serials[1:2]))],
    )
    assert serial_drift() == [] and balance_drift() == []


def test_serials_on_an_unserialised_type_are_optional_but_counted(world, api):
    r = api(world.users["driver"]).post(
        "/api/distributions/",
        {
            "vehicle": world.vehicle.pk,
            "items": [
                {
                    "depot": world.depot.pk,
                    "cylinder_type": world.gas.pk,
                    "quantity": 2,
                    "movement_type": "COLLECTION",
                    "serials": ["A-1"],
                }
            ],
        },
        format="json",
    )
    assert r.status_code == 400
    assert r.json()["fields"] == {"items": {"0": {"serials": ["1 serial number(s) given for 2 cylinder(s)."]}}}


def test_the_idempotency_fingerprint_of_a_request_without_serials_is_unchanged(world):
    from apps.distribution.serializers import DistributionInput

    body = collect(world, world.gas, [], qty=3)
    del body["items"][0]["serials"]
    data = DistributionInput(data=body)
    assert data.is_valid(), data.errors
    assert "serials" not in data.canonical()["items"][0]
    with_serials = DistributionInput(data=collect(world, world.gas, ["A-1", "A-2", "A-3"]))
    assert with_serials.is_valid()
    assert with_serials.canonical()["items"][0]["serials"] == ["A-1", "A-2", "A-3"]


# -- reconciliation -------------------------------------------------------------------


def test_reconciliation_reports_a_serial_out_of_place_and_counts_off_the_balance(sw):
    world, kind, serials = sw
    load(world, kind, serials[:2])
    call_command("reconcile_inventory")
    # a position written by hand, behind the posting service's back
    Equipment.objects.filter(serial_number=serials[0]).update(location=location_for_depot(world.depot))
    findings = serial_drift()
    kinds = sorted(f.kind for f in findings)
    assert kinds == ["count", "count", "position"]
    counts = {(f.location_id, f.state): (f.serials, f.balance) for f in findings if f.kind == "count"}
    assert counts[(location_for_depot(world.depot).pk, "FULL")] == (13, 12)
    assert counts[(location_for_vehicle(world.vehicle).pk, "FULL")] == (1, 2)
    with pytest.raises(CommandError, match="3 serial finding"):
        call_command("reconcile_inventory")


# -- the equipment API -----------------------------------------------------------------


def test_equipment_list_filters_and_fields(sw, api):
    world, kind, serials = sw
    load(world, kind, serials[:6])
    truck = location_for_vehicle(world.vehicle)
    Equipment.objects.filter(serial_number=serials[7]).update(
        next_inspection_due=timezone.localdate() - timedelta(days=3)
    )
    Equipment.objects.filter(serial_number=serials[8]).update(
        next_inspection_due=timezone.localdate() + timedelta(days=29)
    )
    client = api(world.users["depot_staff"])

    def get(query):
        r = client.get(f"/api/equipment/?{query}")
        assert r.status_code == 200, r.content
        body = r.json()
        return body["results"] if isinstance(body, dict) else body

    [one] = get(f"serial={serials[2].lower()}")
    assert one["serial_number"] == serials[2]
    assert (one["location"], one["location_name"], one["state"]) == (truck.pk, truck.name, "FULL")
    assert one["located_since"] is not None and one["retest_overdue"] is False
    assert sorted(e["serial_number"] for e in get(f"location={truck.pk}")) == serials[:6]
    assert len(get(f"cylinder_type={kind.pk}")) == 14
    assert get(f"cylinder_type={world.gas.pk}") == []
    due = get("due_within_days=30")
    assert sorted(e["serial_number"] for e in due) == [serials[7], serials[8]]
    assert [e["retest_overdue"] for e in sorted(due, key=lambda e: e["serial_number"])] == [True, False]
    assert client.get("/api/equipment/?due_within_days=-1").status_code == 400
    # role scoping: a driver sees what is on their truck; another depot's staff nothing of it
    driver_view = api(world.users["driver2"]).get(f"/api/equipment/?location={truck.pk}").json()
    assert len(driver_view["results"] if isinstance(driver_view, dict) else driver_view) == 6  # same home depot


def test_equipment_history_lists_every_move_oldest_first(sw, api):
    world, kind, serials = sw
    load(world, kind, serials[:2])
    deliver(world, kind, delivered=serials[:1])
    equipment = Equipment.objects.get(serial_number=serials[0])
    r = api(world.users["depot_staff"]).get(f"/api/equipment/{equipment.pk}/history/")
    assert r.status_code == 200, r.content
    rows = r.json()
    assert [row["movement_type"] for row in rows] == ["RECEIPT", "COLLECTION", "DELIVERY"]
    assert set(rows[0]) == {
        "id", "movement_type", "from_location", "from_location_name", "to_location", "to_location_name",
        "state", "document_type", "document_id", "occurred_at",
    }  # fmt: skip
    delivery = Delivery.objects.get()
    assert (rows[2]["document_type"], rows[2]["document_id"]) == ("distribution.delivery", delivery.pk)
    assert rows[2]["to_location_name"] == location_for_customer(world.customers[0]).name
    assert (
        api(world.users["driver"]).get("/api/equipment/00000000-0000-0000-0000-000000000000/history/").status_code
        == 404
    )


def test_a_driver_of_another_depot_cannot_read_a_serials_history(sw, api):
    from apps.core.tests.factories import UserFactory, VehicleFactory

    world, kind, serials = sw
    elsewhere = UserFactory(role="driver", vehicle=VehicleFactory(home_depot=world.depot2), depot=world.depot2)
    equipment = Equipment.objects.get(serial_number=serials[0])
    assert api(elsewhere).get(f"/api/equipment/{equipment.pk}/history/").status_code == 404


# -- the admin ---------------------------------------------------------------------------


def test_the_admin_lists_cylinders_due_for_retest_per_depot(sw, client):
    world, kind, serials = sw
    Equipment.objects.filter(serial_number=serials[3]).update(
        next_inspection_due=timezone.localdate() + timedelta(days=11)
    )
    Equipment.objects.filter(serial_number=serials[4]).update(
        next_inspection_due=timezone.localdate() - timedelta(days=2)
    )
    client.force_login(world.users["depot_staff"])
    r = client.get(f"/admin/depots/equipment/?retest=soon&depot__id__exact={world.depot.pk}")
    assert r.status_code == 200
    page = r.content.decode()
    assert serials[3] in page and serials[4] not in page and serials[5] not in page
    assert "due in 11 d" in page
    r = client.get("/admin/depots/equipment/?retest=overdue")
    assert r.status_code == 200 and serials[4] in r.content.decode() and serials[3] not in r.content.decode()
    equipment = Equipment.objects.get(serial_number=serials[3])
    r = client.get(f"/admin/depots/equipment/{equipment.pk}/change/")
    assert r.status_code == 200 and "Receipt" in r.content.decode()


def test_the_service_itself_requires_serials_for_a_serialised_type(sw):
    """Callers that skip the input serializer (the admin, the demo) meet the same rule."""
    world, kind, serials = sw
    before = snapshot()
    with pytest.raises(Exception) as refused:
        stock_document_create(
            actor=world.users["admin"],
            kind=StockDocumentKind.TRANSFER,
            depot=world.depot,
            to_depot=world.depot2,
            lines=[StockDocumentLine(kind, 3, state="FULL")],
        )
    assert refused.value.code == "invalid"
    assert refused.value.extra["fields"] == {
        "lines": {0: {"serials": ["This cylinder type is serialised: give the 3 serial number(s)."]}}
    }
    with pytest.raises(Exception) as refused:
        stock_document_create(
            actor=world.users["admin"],
            kind=StockDocumentKind.TRANSFER,
            depot=world.depot,
            to_depot=world.depot2,
            lines=[StockDocumentLine(kind, 3, state="FULL", serials=tuple(serials[:2]))],
        )
    assert refused.value.extra["fields"] == {"lines": {0: {"serials": ["2 serial number(s) given for 3 cylinder(s)."]}}}
    assert snapshot() == before
