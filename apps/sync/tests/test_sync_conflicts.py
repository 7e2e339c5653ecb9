"""Two drivers work offline from the same depot stock; the server's ledger decides."""

import pytest
from django.test import Client

from apps.core.tests.factories import DepotFactory
from apps.distribution.models import DistributionHeader
from apps.inventory.models import StockBalance
from apps.inventory.selectors import balance_drift
from apps.sync.models import RejectedEvent
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

pytestmark = pytest.mark.django_db


def sync(client, device, events):
    return client.post("/api/sync/", {"device": device, "events": events}, format="json").json()["results"]


def test_second_driver_is_rejected_for_stock_and_listed_for_the_supervisor(world, api):
    one, two = api(world.users["driver"]), api(world.users["driver2"])
    key1, key2 = PhoneKey(), PhoneKey()
    dev1, dev2 = register_device(one, key1), register_device(two, key2)
    # 100 fulls at the depot; each driver, offline, loads 70
    take1 = key1.event("distribution.create", collection_payload(world, quantity=70))
    take2 = key2.event("distribution.create", collection_payload(world, quantity=70, vehicle=world.vehicle2))

    assert sync(one, dev1, [take1])[0]["status"] == "applied"
    [answer] = sync(two, dev2, [take2])
    assert answer["status"] == "rejected" and answer["code"] == "insufficient_stock"
    assert answer["shortages"][0]["available"] == 30 and answer["shortages"][0]["requested"] == 70

    depot_row = StockBalance.objects.get(location__depot=world.depot, cylinder_type=world.gas)
    assert depot_row.full_qty == 30
    assert not StockBalance.objects.filter(location__vehicle=world.vehicle2, full_qty__gt=0).exists()
    assert DistributionHeader.objects.count() == 1
    assert balance_drift() == []

    # the supervisor's list shows it with what to do next; each driver sees only their own
    listed = api(world.users["supervisor"]).get("/api/sync/rejected/").json()["results"]
    assert [(r["event_id"], r["code"], r["user"]) for r in listed] == [
        (take2["id"], "insufficient_stock", world.users["driver2"].pk)
    ]
    assert "Count the vehicle" in listed[0]["next_step"]
    assert listed[0]["payload"]["payload"]["items"][0]["quantity"] == 70
    assert api(world.users["driver"]).get("/api/sync/rejected/").json()["results"] == []
    assert len(api(world.users["driver2"]).get("/api/sync/rejected/").json()["results"]) == 1

    browser = Client()
    browser.force_login(world.users["supervisor"])
    page = browser.get("/admin/sync/rejectedevent/")
    assert page.status_code == 200
    assert b"insufficient_stock" in page.content and b"Count the vehicle" in page.content
    assert browser.get(f"/admin/sync/rejectedevent/{listed[0]['id']}/change/").status_code == 200


def test_rejected_event_sent_again_after_restock_is_applied_and_resolved(world, api):
    from apps.inventory.enums import StockDocumentKind
    from apps.inventory.services import stock_document_create

    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    event = key.event("distribution.create", collection_payload(world, quantity=150))
    assert sync(client, device, [event])[0]["code"] == "insufficient_stock"
    stock_document_create(
        actor=world.users["admin"],
        kind=StockDocumentKind.RECEIPT,
        depot=world.depot,
        reason="plant delivery",
        lines=[{"cylinder_type": world.gas, "quantity": 50}],
    )
    # the driver taps "send again": same id, same signature
    assert sync(client, device, [event])[0]["status"] == "applied"
    kept = RejectedEvent.objects.get(event_id=event["id"])
    assert kept.resolved_at is not None
    open_ = client.get("/api/sync/rejected/?open=1").json()["results"]
    assert open_ == []
    assert balance_drift() == []


def test_one_rejection_does_not_stop_the_rest_of_the_batch(world, api):
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    other_depot = DepotFactory()  # no stock at all
    empty_depot = {
        **collection_payload(world),
        "items": [{**collection_payload(world)["items"][0], "depot": other_depot.pk}],
    }
    events = [
        key.event("distribution.create", collection_payload(world, quantity=5)),
        key.event("distribution.create", empty_depot),
        key.event("distribution.create", collection_payload(world, quantity=6)),
    ]
    answers = sync(client, device, events)
    assert [a["status"] for a in answers] == ["applied", "rejected", "applied"]
    assert [a["id"] for a in answers] == [e["id"] for e in events]
    row = StockBalance.objects.get(location__vehicle=world.vehicle, cylinder_type=world.gas)
    assert row.full_qty == 11
