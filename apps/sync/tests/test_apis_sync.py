import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.models import IdempotencyRecord
from apps.distribution.models import DistributionHeader
from apps.inventory.models import StockBalance, StockMove
from apps.inventory.selectors import balance_drift
from apps.sync.models import RejectedEvent
from apps.sync.services import device_revoke
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

pytestmark = pytest.mark.django_db


def sync(client, device, events):
    return client.post("/api/sync/", {"device": device, "events": events}, format="json")


def vehicle_full(vehicle, cylinder_type) -> int:
    row = StockBalance.objects.filter(location__vehicle=vehicle, cylinder_type=cylinder_type).first()
    return row.full_qty if row else 0


@pytest.fixture
def phone(world, api):
    """The driver's client, key and registered device id."""
    client, key = api(world.users["driver"]), PhoneKey()
    return client, key, register_device(client, key)


def test_one_event_is_applied_with_the_device_time(world, phone):
    client, key, device = phone
    when = timezone.now() - timedelta(hours=3)
    event = key.event("distribution.create", collection_payload(world, quantity=4), occurred_at=when)
    res = sync(client, device, [event])
    assert res.status_code == 200
    [answer] = res.json()["results"]
    assert answer["id"] == event["id"] and answer["status"] == "applied"
    assert answer["result"]["number"].startswith("DIST-")
    header = DistributionHeader.objects.get(pk=answer["result"]["id"])
    assert header.driver == world.users["driver"] and header.occurred_at == when
    assert vehicle_full(world.vehicle, world.gas) == 4
    assert StockMove.objects.filter(document_id=header.pk, occurred_at=when).count() == 1


def test_same_event_twice_is_a_duplicate_with_the_same_answer(world, phone):
    client, key, device = phone
    event = key.event("distribution.create", collection_payload(world, quantity=3))
    first = sync(client, device, [event]).json()["results"][0]
    again = sync(client, device, [event, event]).json()["results"]
    assert [a["status"] for a in again] == ["duplicate", "duplicate"]
    assert all(a["result"] == first["result"] for a in again)
    assert DistributionHeader.objects.count() == 1
    assert vehicle_full(world.vehicle, world.gas) == 3


def test_a_replay_is_answered_from_its_record_without_validating_again(world, phone):
    """The same signed event again is one read of its record: answered as the
    first time even when its payload would not validate today (the vehicle
    retired since), and the batch's replays cost no query per event beyond it."""
    client, key, device = phone
    events = [key.event("distribution.create", collection_payload(world, quantity=q)) for q in (3, 7, 1)]
    first = sync(client, device, events).json()["results"]
    type(world.vehicle).objects.filter(pk=world.vehicle.pk).update(is_active=False)
    with CaptureQueriesContext(connection) as ctx:
        again = sync(client, device, events).json()["results"]
    # sign-in, device, the batch's ids, one read per event, the open rejections, the request's audit row
    # (the test's outer transaction adds a savepoint around each event; production runs in autocommit),
    # and on MariaDB/PostgreSQL the device's batch lock taken and released
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    device_lock = 0 if connection.vendor == "sqlite" else 2
    assert len(statements) == 3 + 3 + 2 + device_lock, statements
    assert [a["status"] for a in again] == ["duplicate"] * 3
    assert [a["result"] for a in again] == [f["result"] for f in first]
    assert not any("depots_" in sql for sql in statements)  # nothing validated again
    fresh = key.event("distribution.create", collection_payload(world, quantity=2))
    [refused] = sync(client, device, [fresh]).json()["results"]
    assert refused["status"] == "rejected" and refused["code"] == "invalid"


def test_online_call_then_sync_share_one_key(world, phone):
    client, key, device = phone
    payload = collection_payload(world, quantity=2)
    event = key.event("distribution.create", payload)
    online = client.post("/api/distributions/", payload, format="json", HTTP_IDEMPOTENCY_KEY=event["id"])
    assert online.status_code == 201
    [answer] = sync(client, device, [event]).json()["results"]
    assert answer["status"] == "duplicate" and answer["result"]["id"] == online.json()["id"]
    assert DistributionHeader.objects.count() == 1


def test_sync_then_online_call_replays(world, phone):
    client, key, device = phone
    payload = collection_payload(world, quantity=2)
    event = key.event("distribution.create", payload)
    assert sync(client, device, [event]).json()["results"][0]["status"] == "applied"
    online = client.post("/api/distributions/", payload, format="json", HTTP_IDEMPOTENCY_KEY=event["id"])
    assert online.status_code == 201 and online["Idempotent-Replayed"] == "true"
    assert DistributionHeader.objects.count() == 1


def test_same_id_other_payload_is_an_idempotency_conflict(world, phone):
    client, key, device = phone
    event = key.event("distribution.create", collection_payload(world, quantity=2))
    sync(client, device, [event])
    other = key.event("distribution.create", collection_payload(world, quantity=9), event_id=event["id"])
    [answer] = sync(client, device, [other]).json()["results"]
    assert answer["status"] == "rejected" and answer["code"] == "idempotency_conflict"
    assert vehicle_full(world.vehicle, world.gas) == 2
    assert RejectedEvent.objects.get().code == "idempotency_conflict"


def test_batch_of_200_sent_three_times_in_pieces_and_whole_applies_each_once(world, phone):
    client, key, device = phone
    types = world.types
    events = [
        key.event("distribution.create", collection_payload(world, quantity=1, cylinder_type=types[i % 3]))
        for i in range(200)
    ]
    expected = {t.pk: sum(1 for i in range(200) if i % 3 == n) for n, t in enumerate(types)}  # 67, 67, 66

    started = timezone.now()
    # 1. cut off after 70: the phone got no answer for the rest
    first = sync(client, device, events[:70]).json()["results"]
    seconds_70 = (timezone.now() - started).total_seconds()
    assert [a["status"] for a in first] == ["applied"] * 70
    # 2. sent again in overlapping pieces
    second = []
    started = timezone.now()
    for piece in (events[50:120], events[100:200]):
        second += sync(client, device, piece).json()["results"]
    seconds_pieces = (timezone.now() - started).total_seconds()
    assert [a["status"] for a in second[:20]] == ["duplicate"] * 20  # 50..69 already there
    assert sum(a["status"] == "applied" for a in second) == 130
    # 3. the whole batch once more
    started = timezone.now()
    third = sync(client, device, events).json()["results"]
    seconds_replay = (timezone.now() - started).total_seconds()
    assert [a["status"] for a in third] == ["duplicate"] * 200
    assert [a["id"] for a in third] == [e["id"] for e in events]

    assert DistributionHeader.objects.count() == 200
    assert StockMove.objects.filter(document_type="distribution.distributionheader").count() == 200
    assert IdempotencyRecord.objects.filter(key__in=[e["id"] for e in events]).count() == 200
    for t in types:
        assert vehicle_full(world.vehicle, t) == expected[t.pk]
    assert balance_drift() == []
    assert RejectedEvent.objects.count() == 0
    print(
        f"\n70 new events: {seconds_70:.2f}s; 130 new + 40 duplicates: {seconds_pieces:.2f}s; "
        f"200 duplicates: {seconds_replay:.2f}s"
    )


def _rejected_alone(world, client, device, event, code):
    before = StockMove.objects.count()
    [answer] = sync(client, device, [event]).json()["results"]
    assert answer["status"] == "rejected", answer
    assert answer["code"] == code
    assert "result" not in answer
    assert StockMove.objects.count() == before
    assert DistributionHeader.objects.count() == 0
    assert not IdempotencyRecord.objects.filter(key=event["id"]).exists()
    kept = RejectedEvent.objects.get(event_id=event["id"])
    assert kept.code == code and kept.user == world.users["driver"]
    return kept


def test_tampered_payload_is_rejected(world, phone):
    client, key, device = phone
    event = key.event("distribution.create", collection_payload(world, quantity=1))
    event["payload"]["items"][0]["quantity"] = 50
    kept = _rejected_alone(world, client, device, event, "invalid_signature")
    assert kept.payload["payload"]["items"][0]["quantity"] == 50  # kept exactly as sent


def test_signed_with_another_key_is_rejected(world, phone):
    client, _key, device = phone
    event = PhoneKey().event("distribution.create", collection_payload(world))
    _rejected_alone(world, client, device, event, "invalid_signature")


def test_revoked_device_is_refused_without_rows(world, phone):
    from apps.audit.models import AuditLog
    from apps.sync.models import Device

    client, key, device = phone
    device_revoke(actor=world.users["admin"], device=Device.objects.get(pk=device))
    events = [key.event("distribution.create", collection_payload(world, quantity=q)) for q in (3, 7)]
    audit_before = AuditLog.objects.count()
    answers = sync(client, device, events).json()["results"]
    assert [(a["id"], a["status"], a["code"]) for a in answers] == [
        (e["id"], "rejected", "device_revoked") for e in events
    ]
    assert RejectedEvent.objects.count() == 0 and DistributionHeader.objects.count() == 0
    assert not IdempotencyRecord.objects.filter(key__in=[e["id"] for e in events]).exists()
    # one row for the refused batch (plus the middleware's row for the request, if any)
    assert AuditLog.objects.filter(action="sync.batch_refused").count() == 1
    assert AuditLog.objects.count() - audit_before <= 2


def test_future_event_is_rejected(world, phone):
    client, key, device = phone
    event = key.event(
        "distribution.create", collection_payload(world), occurred_at=timezone.now() + timedelta(minutes=6)
    )
    _rejected_alone(world, client, device, event, "event_in_future")


def test_small_clock_skew_is_accepted(world, phone):
    client, key, device = phone
    event = key.event(
        "distribution.create", collection_payload(world), occurred_at=timezone.now() + timedelta(minutes=4)
    )
    assert sync(client, device, [event]).json()["results"][0]["status"] == "applied"


@override_settings(SYNC_MAX_EVENT_AGE_DAYS=2)
def test_too_old_event_is_rejected_but_an_applied_one_stays_a_duplicate(world, phone):
    client, key, device = phone
    old = key.event("distribution.create", collection_payload(world), occurred_at=timezone.now() - timedelta(days=3))
    _rejected_alone(world, client, device, old, "event_too_old")
    # applied online long ago, replayed late by the phone: still just a duplicate
    payload = collection_payload(world, quantity=2)
    late = key.event("distribution.create", payload, occurred_at=timezone.now() - timedelta(days=3))
    client.post("/api/distributions/", payload, format="json", HTTP_IDEMPOTENCY_KEY=late["id"])
    assert sync(client, device, [late]).json()["results"][0]["status"] == "duplicate"


def test_another_users_device_is_unknown(world, api, phone):
    _client, key, device = phone
    other = api(world.users["driver2"])
    event = key.event("distribution.create", collection_payload(world, vehicle=world.vehicle2))
    [answer] = sync(other, device, [event]).json()["results"]
    assert answer["code"] == "unknown_device" and answer["id"] == event["id"]
    [answer] = sync(other, str(uuid.uuid4()), [event]).json()["results"]
    assert answer["code"] == "unknown_device"
    assert DistributionHeader.objects.count() == 0
    assert RejectedEvent.objects.count() == 0


def test_unknown_event_type(world, phone):
    client, key, device = phone
    _rejected_alone(world, client, device, key.event("fridge.defrost", {"a": 1}), "unknown_event_type")


def test_business_rules_of_the_online_call_apply(world, phone):
    client, key, device = phone
    # a driver may not load another vehicle
    event = key.event("distribution.create", collection_payload(world, vehicle=world.vehicle2))
    _rejected_alone(world, client, device, event, "vehicle_not_assigned")
    # the payload is validated by the online serializer
    bad = key.event("distribution.create", {"vehicle": world.vehicle.pk, "items": []})
    [answer] = sync(client, device, [bad]).json()["results"]
    assert answer["code"] == "invalid" and "items" in answer["fields"]


def test_malformed_events_are_rejected_one_by_one_never_500(world, phone):
    client, key, device = phone
    good = key.event("distribution.create", collection_payload(world, quantity=1))
    short_sig = {**key.event("distribution.create", collection_payload(world)), "signature": "AAAA"}
    not_b64 = {**key.event("distribution.create", collection_payload(world)), "signature": "***not base64***"}
    naive = key.event("distribution.create", collection_payload(world))
    naive["occurred_at"] = "2026-01-19T10:00:00"
    huge = {**good, "payload": {"vehicle": 2**60, "items": []}}
    events = [
        "just a string",
        {"id": "not-a-uuid", "type": "distribution.create"},
        {**good, "payload": ["a", "list"]},
        {**good, "occurred_at": "2026-13-45T99:00:00+08:00"},
        {**good, "signature": None},
        short_sig,
        not_b64,
        naive,
        huge,
        good,
    ]
    res = sync(client, device, events)
    assert res.status_code == 200
    answers = res.json()["results"]
    assert [a.get("code") for a in answers] == [
        "invalid_event",
        "invalid_event",
        "invalid_event",
        "invalid_event",
        "invalid_event",
        "invalid_signature",
        "invalid_signature",
        "invalid_event",
        "invalid_content",  # 2**60 is not a number the phone can hold exactly
        None,
    ]
    assert answers[-1]["status"] == "applied"
    assert DistributionHeader.objects.count() == 1
    assert RejectedEvent.objects.count() == 9


def test_batch_shape_errors_are_400(world, phone):
    client, key, device = phone
    event = key.event("distribution.create", collection_payload(world))
    assert sync(client, "nope", [event]).status_code == 400
    assert client.post("/api/sync/", {"device": device, "events": {"a": 1}}, format="json").status_code == 400
    assert client.post("/api/sync/", [1, 2], format="json").status_code == 400
    assert client.post("/api/sync/", "{not json", content_type="application/json").status_code == 400
    assert sync(client, device, []).json() == {"results": []}
    assert DistributionHeader.objects.count() == 0


def test_sync_needs_sign_in(world, phone):
    _client, key, device = phone
    res = Client().post("/api/sync/", {"device": device, "events": []}, content_type="application/json")
    assert res.status_code == 401
