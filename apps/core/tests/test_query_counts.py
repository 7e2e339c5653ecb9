"""Query counts of the hot endpoints, pinned at what they cost today (the
same on SQLite, PostgreSQL and MariaDB when measured). Each
endpoint is called once before it is measured, so per-process caches
(content types, the company settings) are warm and the pin is the steady
state. A higher count fails: find the new query (the failure lists them) or,
if it is deliberate, raise the pin in the same commit and say why.
Everything goes through HTTP, as the phone does."""

import pytest
from django.db import connection
from django.utils import timezone

from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.dispatch.services import dispatch_route
from apps.orders.tests.helpers import customer_at, make_order
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

pytestmark = pytest.mark.django_db

MY_DAY = 13  # whatever the number of stops (+1: the deposits held by all the stops' customers)
DELIVERY = 32  # +2 for deposits: the rates of the day, the customer's deposit holdings locked
# + the proof row, the attachment rows (one INSERT), the attachments read for the answer
DELIVERY_WITH_PROOF = DELIVERY + 3
# a page of deliveries, whatever their lines, proofs, attachments and returns
# (+1: the deposit credit notes of the page's deliveries with returns)
DELIVERY_LIST = 7
# 2026-12-06: -6 (distribution) and -11 (delivery): the key's record read once,
# no savepoint per service inside the command's transaction, the owners'
# ledger locations read with them, the lines and the door payment just written
# not read back for the answer (issue 25)
DISTRIBUTION = 19
SYNC_PER_BATCH = 3  # sign-in, device, request audit ...
SYNC_PER_EVENT = 21  # one distribution.create: checks, idempotency record, locks, moves, audit, number


def sync_pin(events: int) -> int:
    # the device's batch lock (apps/core/locks.py named_lock): GET_LOCK and
    # RELEASE_LOCK, or the advisory lock and unlock; a process lock on SQLite
    device_lock = 0 if connection.vendor == "sqlite" else 2
    return SYNC_PER_BATCH + device_lock + SYNC_PER_EVENT * events


def _day_with_stops(world, n: int) -> None:
    for i in range(n):
        make_order(world, customer=customer_at(f"1.3{i:02d}000", "103.700000"), quantity=1)
    dispatch_route(actor=world.users["supervisor"], driver=world.users["driver"], day=timezone.localdate())


def test_my_day(world, api, django_assert_max_num_queries):
    load_vehicle(world, quantity=10)
    _day_with_stops(world, 3)
    client = api(world.users["driver"])
    assert client.get("/api/my-day/").status_code == 200
    with django_assert_max_num_queries(MY_DAY) as three_stops:
        assert client.get("/api/my-day/").status_code == 200
    _day_with_stops(world, 5)  # eight stops now: the same queries
    with django_assert_max_num_queries(len(three_stops)):
        res = client.get("/api/my-day/")
    assert len(res.json()["stops"]) == 8


def test_post_delivery(world, api, django_assert_max_num_queries):
    load_vehicle(world, quantity=10)
    client = api(world.users["driver"])
    assert client.post("/api/deliveries/", delivery_body(world), format="json").status_code == 201
    with django_assert_max_num_queries(DELIVERY):
        res = client.post("/api/deliveries/", delivery_body(world), format="json")
    assert res.status_code == 201, res.content


def _proof(n: int) -> dict:
    return {
        "recipient_name": "Lim Bee Hoon",
        "signature_sha256": f"{n:064x}",
        "photo_sha256": [f"{n + i:064x}" for i in range(1, 4)],
        "latitude": "1.290270",
        "longitude": "103.851959",
        "accuracy_m": "8.5",
    }


def test_post_delivery_with_proof(world, api, django_assert_max_num_queries):
    load_vehicle(world, quantity=10)
    client = api(world.users["driver"])
    assert client.post("/api/deliveries/", delivery_body(world, proof=_proof(10)), format="json").status_code == 201
    with django_assert_max_num_queries(DELIVERY_WITH_PROOF):
        res = client.post("/api/deliveries/", delivery_body(world, proof=_proof(20)), format="json")
    assert res.status_code == 201, res.content


def test_delivery_list_does_not_grow_per_proof_or_attachment(world, api, django_assert_max_num_queries):
    load_vehicle(world, quantity=20)
    client = api(world.users["driver"])
    client.post("/api/deliveries/", delivery_body(world, proof=_proof(10)), format="json")
    assert client.get("/api/deliveries/").status_code == 200
    with django_assert_max_num_queries(DELIVERY_LIST) as one:
        assert client.get("/api/deliveries/").status_code == 200
    one_delivery = len(one)  # now: the next request empties the query log
    for n in (20, 30, 40):
        client.post("/api/deliveries/", delivery_body(world, proof=_proof(n)), format="json")
    with django_assert_max_num_queries(one_delivery):
        res = client.get("/api/deliveries/")
    assert [d["proof"]["missing_uploads"] for d in res.json()["results"]] == [4, 4, 4, 4]


def test_post_distribution(world, api, django_assert_max_num_queries):
    client = api(world.users["driver"])
    body = collection_payload(world, quantity=2)
    assert client.post("/api/distributions/", body, format="json").status_code == 201
    with django_assert_max_num_queries(DISTRIBUTION):
        res = client.post("/api/distributions/", body, format="json")
    assert res.status_code == 201, res.content


def test_sync_batch_grows_linearly(world, api, django_assert_max_num_queries):
    """A batch costs a fixed amount plus a fixed amount per event (measured:
    24 queries for one event): pinned at 1 and at 10 events."""
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)

    def batch(n: int):
        events = [key.event("distribution.create", collection_payload(world)) for _ in range(n)]
        return client.post("/api/sync/", {"device": device, "events": events}, format="json")

    assert batch(1).status_code == 200
    with django_assert_max_num_queries(sync_pin(1)):
        res = batch(1)
    assert [r["status"] for r in res.json()["results"]] == ["applied"]
    with django_assert_max_num_queries(sync_pin(10)):
        res = batch(10)
    assert [r["status"] for r in res.json()["results"]] == ["applied"] * 10
