"""delivery.create events: the same service, idempotency scope and ledger as
POST /api/deliveries/."""

import uuid

import pytest

from apps.billing.models import Invoice
from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.deliveries.models import Delivery
from apps.inventory.models import StockBalance
from apps.inventory.selectors import balance_drift
from apps.sync.models import RejectedEvent
from apps.sync.tests.signing import PhoneKey, register_device

pytestmark = pytest.mark.django_db


def sync(client, device, events):
    return client.post("/api/sync/", {"device": device, "events": events}, format="json").json()["results"]


def test_delivery_event_is_applied_once_and_shares_the_online_key(world, api):
    load_vehicle(world, quantity=10)
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    body = delivery_body(world)
    event = key.event("delivery.create", body)

    [answer] = sync(client, device, [event])
    assert answer["status"] == "applied", answer
    assert answer["result"]["invoice"]["number"].startswith("INV-")
    assert [a["status"] for a in sync(client, device, [event, event])] == ["duplicate", "duplicate"]
    online = client.post("/api/deliveries/", body, format="json", HTTP_IDEMPOTENCY_KEY=event["id"])
    assert online.status_code == 201 and online["Idempotent-Replayed"] == "true"
    assert online.json()["id"] == answer["result"]["id"]

    assert Delivery.objects.count() == 1 and Invoice.objects.count() == 1
    truck = StockBalance.objects.get(location__vehicle=world.vehicle, cylinder_type=world.gas)
    assert (truck.full_qty, truck.empty_qty) == (7, 3)
    assert balance_drift() == []


def test_online_delivery_then_same_key_as_distribution_event_is_a_conflict(world, api):
    load_vehicle(world, quantity=10)
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    event_id = str(uuid.uuid4())
    assert (
        client.post("/api/deliveries/", delivery_body(world), format="json", HTTP_IDEMPOTENCY_KEY=event_id).status_code
        == 201
    )
    payload = {"vehicle": world.vehicle.pk, "items": [
        {"depot": world.depot.pk, "cylinder_type": world.gas.pk, "quantity": 1, "movement_type": "COLLECTION"}
    ]}  # fmt: skip
    [answer] = sync(client, device, [key.event("distribution.create", payload, event_id=event_id)])
    assert answer["code"] == "idempotency_conflict"


def test_two_drivers_deliver_offline_from_stock_that_covers_one(world, api):
    """Both trucks show stock on the phones, but the second driver's load was
    itself refused on sync: the delivery that depends on it is refused too."""
    load_vehicle(world, quantity=5, types=[world.gas])
    one, two = api(world.users["driver"]), api(world.users["driver2"])
    key1, key2 = PhoneKey(), PhoneKey()
    dev1, dev2 = register_device(one, key1), register_device(two, key2)
    # the depot has 95 left; offline each driver loads 90, then delivers 3
    load = {
        "items": [
            {"depot": world.depot.pk, "cylinder_type": world.gas.pk, "quantity": 90, "movement_type": "COLLECTION"}
        ]
    }
    one_events = [
        key1.event("distribution.create", {"vehicle": world.vehicle.pk, **load}),
        key1.event("delivery.create", delivery_body(world)),
    ]
    two_events = [
        key2.event("distribution.create", {"vehicle": world.vehicle2.pk, **load}),
        key2.event("delivery.create", delivery_body(world, vehicle=world.vehicle2.pk, customer=world.customers[1].pk)),
    ]
    assert [a["status"] for a in sync(one, dev1, one_events)] == ["applied", "applied"]
    answers = sync(two, dev2, two_events)
    assert [a.get("code") for a in answers] == ["insufficient_stock", "insufficient_stock"]
    assert Delivery.objects.count() == 1
    assert not StockBalance.objects.filter(location__vehicle=world.vehicle2, full_qty__gt=0).exists()
    listed = api(world.users["supervisor"]).get(f"/api/sync/rejected/?user={world.users['driver2'].pk}").json()
    assert sorted(r["event_type"] for r in listed["results"]) == ["delivery.create", "distribution.create"]
    assert RejectedEvent.objects.filter(user=world.users["driver"]).count() == 0
    assert balance_drift() == []
