"""Sync limits: events and bytes per batch, a per-user rate, batches from
unknown or revoked devices leave no rows, hostile content and impossible
times are refused event by event, never a 500."""

import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.core.models import IdempotencyRecord
from apps.distribution.models import DistributionHeader
from apps.sync.models import Device, RejectedEvent
from apps.sync.services import sync_events_apply
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(world, api):
    client, key = api(world.users["driver"]), PhoneKey()
    return client, key, register_device(client, key)


def post_raw(client, text: str):
    """The body exactly as written (ASCII JSON: lone surrogates as \\ud800 escapes)."""
    return client.post("/api/sync/", data=text.encode(), content_type="application/json")


def nothing_stored():
    assert RejectedEvent.objects.count() == 0
    assert DistributionHeader.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_one_event_over_the_event_limit_is_413_and_nothing_is_stored(world, phone):
    client, key, device = phone
    limit = settings.SYNC_MAX_EVENTS
    events = [
        key.event("distribution.create", collection_payload(world, quantity=1, cylinder_type=world.types[i % 3]))
        for i in range(limit + 1)
    ]
    res = client.post("/api/sync/", {"device": device, "events": events}, format="json")
    assert res.status_code == 413
    assert res.json()["code"] == "sync_batch_too_large" and res.json()["max_events"] == limit
    nothing_stored()
    ok = client.post("/api/sync/", {"device": device, "events": events[:limit]}, format="json")
    assert ok.status_code == 200 and DistributionHeader.objects.count() == limit


def test_over_the_byte_limit_is_413_before_anything_is_read(world, phone):
    client, key, device = phone
    limit = settings.SYNC_MAX_BYTES
    event = key.event("distribution.create", {**collection_payload(world), "note": "x" * limit})
    body = json.dumps({"device": device, "events": [event]})
    assert len(body) > limit
    res = post_raw(client, body)
    assert res.status_code == 413 and res.json()["code"] == "sync_batch_too_large"
    assert res.json()["max_bytes"] == limit
    nothing_stored()


@override_settings(SYNC_MAX_BYTES=2000)
def test_the_byte_limit_is_a_setting(world, phone):
    client, key, device = phone
    small = [key.event("distribution.create", collection_payload(world, quantity=1))]
    assert client.post("/api/sync/", {"device": device, "events": small}, format="json").status_code == 200
    many = [key.event("distribution.create", collection_payload(world, quantity=1)) for _ in range(6)]
    body = json.dumps({"device": device, "events": many})
    assert len(json.dumps({"device": device, "events": small})) < 2000 < len(body)
    res = post_raw(client, body)
    assert res.status_code == 413 and DistributionHeader.objects.count() == 1


def test_junk_for_an_unknown_device_leaves_one_audit_row_and_no_rejections(world, api):
    client = api(world.users["driver"])
    junk = [{"id": str(uuid.uuid4()), "type": "distribution.create", "payload": {"x": "y" * 5000}}] * 150
    before = AuditLog.objects.count()
    res = client.post("/api/sync/", {"device": str(uuid.uuid4()), "events": junk}, format="json")
    assert res.status_code == 200
    assert {a["code"] for a in res.json()["results"]} == {"unknown_device"}
    assert len(res.json()["results"]) == 150
    assert RejectedEvent.objects.count() == 0
    assert AuditLog.objects.filter(action="sync.batch_refused").count() == 1
    assert AuditLog.objects.filter(action="sync.event_rejected").count() == 0
    assert AuditLog.objects.count() - before <= 2  # the batch row, and the middleware's request row


def test_revoked_device_batch_leaves_one_audit_row(world, phone):
    client, key, device = phone
    Device.objects.filter(pk=device).update(revoked_at=timezone.now())
    events = [key.event("distribution.create", collection_payload(world, quantity=q)) for q in (3, 7, 11)]
    res = client.post("/api/sync/", {"device": device, "events": events}, format="json")
    assert [a["code"] for a in res.json()["results"]] == ["device_revoked"] * 3
    assert AuditLog.objects.filter(action="sync.batch_refused").get().after == {"code": "device_revoked", "events": 3}
    nothing_stored()


def test_sync_is_rate_limited_per_user(world, api, phone):
    client, key, device = phone
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sync": "3/min"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        answers = [client.post("/api/sync/", {"device": device, "events": []}, format="json") for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert answers[-1].json()["code"] == "throttled"
        other = api(world.users["driver2"]).post("/api/sync/", {"device": device, "events": []}, format="json")
        assert other.status_code == 200  # another user has their own allowance


def hostile_events(world, key) -> list[tuple[str, dict]]:
    """(expected code, event): each signed with the device's key unless the
    value cannot be signed at all."""
    signed = key.event
    payload = collection_payload(world, quantity=2)

    def with_time(when: str) -> dict:
        body = {"id": str(uuid.uuid4()), "type": "distribution.create", "occurred_at": when, "payload": payload}
        return {**body, "signature": key.sign(body)}

    nested: dict = {"leaf": 1}
    for _ in range(40):
        nested = {"n": nested}
    return [
        ("invalid_event", with_time("0001-01-01T00:00:00+23:59")),
        ("invalid_event", with_time("9999-12-31T23:59:59-23:59")),
        ("invalid_event", with_time("0001-01-01T00:00:00Z")),
        ("invalid_event", with_time("2026-02-30T10:00:00+08:00")),
        ("event_too_old", with_time("1970-01-01T00:00:00+00:00")),  # a phone whose clock was reset
        ("event_in_future", with_time("2999-12-31T23:59:59+14:00")),
        ("invalid_content", signed("distribution.create", {**payload, "note": "nul \x00 here"})),
        ("invalid_content", signed("distribution.create", {**payload, "vehicle": 10**30})),
        ("invalid_content", signed("distribution.create", {**payload, "deep": nested})),
        ("invalid_content", signed("delivery.create", {"customer": world.customers[0].pk, "lines": [], "\x00": 1})),
    ]


def test_hostile_times_and_content_are_refused_one_by_one(world, phone):
    client, key, device = phone
    cases = hostile_events(world, key)
    # NUL never reaches the sync service over HTTP: the JSON parser refuses the
    # whole body (400 invalid_unicode, nothing stored); the service's own
    # per-event refusal of NUL is exercised directly below.
    with_nul = [case for case in cases if "\\u0000" in json.dumps(case[1])]
    over_http = [case for case in cases if case not in with_nul]
    assert len(with_nul) == 2
    good = key.event("distribution.create", collection_payload(world, quantity=7))
    res = client.post("/api/sync/", {"device": device, "events": [e for _, e in with_nul] + [good]}, format="json")
    assert res.status_code == 400 and res.json()["code"] == "invalid_unicode", res.content
    assert RejectedEvent.objects.count() == 0 and DistributionHeader.objects.count() == 0

    res = client.post("/api/sync/", {"device": device, "events": [e for _, e in over_http] + [good]}, format="json")
    assert res.status_code == 200, res.content
    answers = res.json()["results"]
    assert [a.get("code") for a in answers] == [code for code, _ in over_http] + [None]
    assert [a["id"] for a in answers] == [e["id"] for _, e in over_http] + [good["id"]]
    assert answers[-1]["status"] == "applied"
    assert DistributionHeader.objects.count() == 1
    answers = sync_events_apply(
        actor=world.users["driver"], device_id=uuid.UUID(device), events=[e for _, e in with_nul]
    )
    assert [a.get("code") for a in answers] == [code for code, _ in with_nul]
    # every refusal kept, readable, with text the database could store
    kept = RejectedEvent.objects.order_by("id")
    assert kept.count() == len(cases)
    nul = kept.get(event_id=cases[6][1]["id"])
    assert nul.payload["payload"]["note"] == "nul \ufffd here"
    assert kept.get(event_id=cases[7][1]["id"]).payload["payload"]["vehicle"] == str(10**30)
    assert kept.get(event_id=cases[0][1]["id"]).occurred_at is None


def test_numbers_json_cannot_hold_and_lone_surrogates_never_500(world, phone):
    client, key, device = phone
    template = key.event("distribution.create", collection_payload(world, quantity=1))
    body = json.dumps({"device": device, "events": [template]})
    huge = body.replace('"quantity": 1', '"quantity": 1e400')  # Python reads it as inf
    surrogate = body.replace('"movement_type": "COLLECTION"', '"movement_type": "COLLECTION\\ud800"')
    for text in (huge, surrogate):
        res = post_raw(client, text)
        assert res.status_code in (200, 400), res.content
        if res.status_code == 200:  # refused event by event (else by the JSON parser, as a whole)
            [answer] = res.json()["results"]
            assert answer["status"] == "rejected" and answer["code"] == "invalid_content"
    assert DistributionHeader.objects.count() == 0


def test_lone_surrogate_reaching_the_service_is_refused_for_that_event_only(world, phone):
    """Whatever the parser lets through, the service refuses it per event."""
    _client, key, device = phone
    good = key.event("distribution.create", collection_payload(world, quantity=4))
    bad = {**good, "id": str(uuid.uuid4()), "type": "distribution.create\ud800", "occurred_at": "2026\udfff"}
    inf = {**good, "id": str(uuid.uuid4()), "payload": {**good["payload"], "vehicle": float("inf")}}
    answers = sync_events_apply(actor=world.users["driver"], device_id=uuid.UUID(device), events=[bad, inf, good])
    assert [a.get("code") for a in answers] == ["invalid_content", "invalid_content", None]
    stored = RejectedEvent.objects.get(event_id=bad["id"])
    assert stored.event_type == "distribution.create?"
    assert RejectedEvent.objects.get(event_id=inf["id"]).payload["payload"]["vehicle"] == "inf"


def test_old_event_within_window_still_applies(world, phone):
    client, key, device = phone
    event = key.event(
        "distribution.create", collection_payload(world, quantity=3), occurred_at=timezone.now() - timedelta(days=6)
    )
    [answer] = client.post("/api/sync/", {"device": device, "events": [event]}, format="json").json()["results"]
    assert answer["status"] == "applied"
