"""One write path: the command registry builds the API create views and the
sync event handlers, so an online call and an offline event refuse and accept
alike (same role gate, same validation errors, one key space bound to the user),
and the role-scoping helper gives every role the rows it saw before."""

import uuid

import pytest

from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.core.commands import command, registry, sync_command, sync_event_types
from apps.core.scoping import role_q, scope_by_role
from apps.deliveries.models import Delivery
from apps.distribution.models import DistributionHeader
from apps.distribution.services import DistributionLine, distribution_create
from apps.inventory.models import StockDocument
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

pytestmark = pytest.mark.django_db

ONLINE = {"distribution.create": "/api/distributions/", "delivery.create": "/api/deliveries/"}


def sync(client, device, events):
    res = client.post("/api/sync/", {"device": device, "events": events}, format="json")
    assert res.status_code == 200, res.content
    return res.json()["results"]


def payload_for(world, name: str) -> dict:
    return collection_payload(world) if name == "distribution.create" else delivery_body(world)


def test_registry_names_the_writes_and_the_sync_event_types():
    names = set(registry())
    assert {"distribution.create", "delivery.create", "stock_document.create", "day_end_count.create"} <= names
    # the phone's event types are exactly the commands marked as sync events
    assert sync_event_types() == ["delivery.create", "distribution.create"]
    assert sync_command("stock_document.create") is None  # online only
    assert sync_command("distribution.create") is command("distribution.create")


@pytest.mark.parametrize(
    ("name", "role"),
    [("distribution.create", "finance"), ("delivery.create", "finance"), ("delivery.create", "depot_staff")],
)
def test_a_role_that_may_not_write_is_refused_alike_online_and_offline_before_its_body_is_read(world, api, name, role):
    client = api(world.users[role])
    junk = {"vehicle": "not an id", "lines": 7}
    online = client.post(ONLINE[name], junk, format="json")
    assert online.status_code == 403 and online.json()["code"] == "permission_denied"
    # and without a key: the role is refused before the key is asked for
    assert client.post(ONLINE[name], junk, format="json", HTTP_IDEMPOTENCY_KEY=None).status_code == 403

    key = PhoneKey()
    device = register_device(client, key)
    [answer] = sync(client, device, [key.event(name, junk)])
    assert (answer["status"], answer["code"]) == ("rejected", "permission_denied")
    assert answer["detail"] == online.json()["detail"]


@pytest.mark.parametrize("name", ["distribution.create", "delivery.create"])
def test_an_invalid_payload_gets_the_same_fields_online_and_offline(world, api, name):
    client = api(world.users["driver"])
    bad = {**payload_for(world, name), "vehicle": world.vehicle.pk, "customer": 987654321}
    if name == "distribution.create":
        bad["items"] = [{**bad["items"][0], "quantity": 0}]
    online = client.post(ONLINE[name], bad, format="json")
    assert online.status_code == 400 and online.json()["code"] == "invalid"

    key = PhoneKey()
    device = register_device(client, key)
    [answer] = sync(client, device, [key.event(name, bad)])
    assert (answer["status"], answer["code"]) == ("rejected", "invalid")
    assert answer["fields"] == online.json()["fields"]


@pytest.mark.parametrize("name", ["distribution.create", "delivery.create"])
def test_an_event_and_an_online_call_share_one_key_bound_to_one_user(world, api, name):
    load_vehicle(world, quantity=10)
    driver, other = api(world.users["driver"]), api(world.users["supervisor"])
    key = PhoneKey()
    device = register_device(driver, key)
    body = payload_for(world, name)
    event = key.event(name, body)
    model = DistributionHeader if name == "distribution.create" else Delivery
    before = model.objects.count()
    [applied] = sync(driver, device, [event])
    assert applied["status"] == "applied", applied

    replay = driver.post(ONLINE[name], body, format="json", HTTP_IDEMPOTENCY_KEY=event["id"])
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == applied["result"]
    # the same key from another user is never a replay of the driver's document
    stolen = other.post(ONLINE[name], body, format="json", HTTP_IDEMPOTENCY_KEY=event["id"])
    assert stolen.status_code == 409 and stolen.json()["code"] == "idempotency_conflict"
    assert model.objects.count() == before + 1


def test_stock_document_command_gate_key_and_replay(world, api):
    body = {"kind": "RECEIPT", "depot": world.depot.pk, "lines": [{"cylinder_type": world.gas.pk, "quantity": 5}]}
    finance = api(world.users["finance"]).post("/api/stock/documents/", body, format="json", HTTP_IDEMPOTENCY_KEY=None)
    assert finance.status_code == 403 and finance.json()["code"] == "permission_denied"

    staff = api(world.users["depot_staff"])
    assert staff.post("/api/stock/documents/", body, format="json", HTTP_IDEMPOTENCY_KEY=None).status_code == 428
    key = str(uuid.uuid4())
    before = StockDocument.objects.count()
    first = staff.post("/api/stock/documents/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = staff.post("/api/stock/documents/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    changed = staff.post(
        "/api/stock/documents/", {**body, "reference": "another"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert changed.status_code == 409 and changed.json()["code"] == "idempotency_conflict"
    other_depot = staff.post("/api/stock/documents/", {**body, "depot": world.depot2.pk}, format="json")
    assert other_depot.status_code == 403 and other_depot.json()["code"] == "depot_scope"
    assert StockDocument.objects.count() == before + 1


def test_services_take_typed_lines_and_still_read_mappings(world):
    line = DistributionLine(world.depot, world.gas, 2, "COLLECTION")
    typed = distribution_create(actor=world.users["driver"], vehicle=world.vehicle, items=[line])
    mapped = distribution_create(
        actor=world.users["driver"],
        vehicle=world.vehicle,
        items=[{"depot": world.depot, "cylinder_type": world.gas, "quantity": 2, "movement_type": "COLLECTION"}],
    )
    assert typed.total_collection == mapped.total_collection == 2
    with pytest.raises(AttributeError):  # frozen
        line.quantity = 3  # type: ignore[misc]


def test_scope_by_role_keeps_each_roles_visibility(world):
    """Deliveries: the office (admin, supervisor, finance) and the auditor
    (read-only everything, docs/roles.md) all; depot staff those of their
    depot's vehicles; a driver their own."""
    from apps.deliveries.selectors import delivery_list

    load_vehicle(world, quantity=10)
    load_vehicle(world, quantity=10, vehicle=world.vehicle2)
    mine = command("delivery.create").submit(actor=world.users["driver"], payload=delivery_body(world), key=None)
    theirs = command("delivery.create").submit(
        actor=world.users["driver2"],
        payload=delivery_body(world, vehicle=world.vehicle2.pk, customer=world.customers[1].pk),
        key=None,
    )
    both = {mine.body["id"], theirs.body["id"]}
    seen = {role: set(delivery_list(user=user).values_list("id", flat=True)) for role, user in world.users.items()}
    assert seen["admin"] == seen["supervisor"] == seen["finance"] == both
    assert seen["depot_staff"] == both  # both trucks are based at the depot
    assert seen["driver"] == {mine.body["id"]} and seen["driver2"] == {theirs.body["id"]}
    assert seen["auditor"] == both

    world.users["depot_staff"].depot = world.depot2
    assert not scope_by_role(Delivery.objects.all(), world.users["depot_staff"], driver="driver", vehicle="vehicle")
    world.users["driver"].vehicle_id = None
    assert str(role_q(world.users["driver"], vehicle="vehicle")) == str(role_q(None))  # nothing
