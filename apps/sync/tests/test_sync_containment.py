"""One event that fails unexpectedly (a real database error, not a mock) is
contained: the rest of the batch is applied, the phone gets 200 with that
event rejected as internal_error, and a supervisor can retry it once the
cause is fixed, or resolve it with a note."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.billing.models import Invoice
from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.core.models import Sequence
from apps.deliveries.models import Delivery
from apps.distribution.models import DistributionHeader
from apps.inventory.models import StockBalance
from apps.inventory.selectors import balance_drift
from apps.sync.models import RejectedEvent
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device


def sync(client, device, events, **headers):
    return client.post("/api/sync/", {"device": device, "events": events}, format="json", **headers)


def truck_full(world, cylinder_type) -> int:
    row = StockBalance.objects.filter(location__vehicle=world.vehicle, cylinder_type=cylinder_type).first()
    return row.full_qty if row else 0


def poison_yesterdays_numbers(world, client, key, device) -> timedelta:
    """A distribution dated yesterday takes DIST-<yesterday>-0001; then that
    day's sequence is rewound (as a bad restore would), so the next
    distribution of that day collides with the unique number in the database."""
    yesterday = timezone.now() - timedelta(days=1)
    first = key.event("distribution.create", collection_payload(world, quantity=2), occurred_at=yesterday)
    assert sync(client, device, [first]).json()["results"][0]["status"] == "applied"
    day = timezone.localdate(yesterday)
    assert Sequence.objects.filter(slug=f"distribution/{day:%Y-%m-%d}").update(current_value=0) == 1
    return yesterday


def heal_yesterdays_numbers(world, yesterday) -> None:
    day = timezone.localdate(yesterday)
    Sequence.objects.filter(slug=f"distribution/{day:%Y-%m-%d}").update(current_value=1)


def run_poisoned_batch(world, api):
    load_vehicle(world, quantity=11, types=[world.types[1]])  # 14 kg on the truck for the delivery
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    yesterday = poison_yesterdays_numbers(world, client, key, device)
    delivery = delivery_body(
        world, lines=[{"cylinder_type": world.types[1].pk, "delivered_full": 9, "returned_empty": 6}]
    )
    events = [
        key.event("distribution.create", collection_payload(world, quantity=3)),
        key.event("delivery.create", delivery),
        key.event("distribution.create", collection_payload(world, quantity=5), occurred_at=yesterday),  # poisoned
        key.event("distribution.create", collection_payload(world, quantity=4)),
    ]
    res = sync(client, device, events, HTTP_X_REQUEST_ID="req-poison-0042")
    assert res.status_code == 200, res.content
    answers = res.json()["results"]
    assert [a["id"] for a in answers] == [e["id"] for e in events]
    assert [a["status"] for a in answers] == ["applied", "applied", "rejected", "applied"]
    poisoned = answers[2]
    assert poisoned["code"] == "internal_error" and poisoned["request_id"] == "req-poison-0042"
    assert "req-poison-0042" in poisoned["detail"] and "IntegrityError" not in poisoned["detail"]
    assert "result" not in poisoned

    # the others are in the ledger, the poisoned one left nothing behind
    assert DistributionHeader.objects.count() == 1 + 1 + 2  # load_vehicle, yesterday's first, two of today
    assert Delivery.objects.count() == 1 and Invoice.objects.count() == 1
    assert truck_full(world, world.gas) == 2 + 3 + 4
    assert truck_full(world, world.types[1]) == 11 - 9
    assert Invoice.objects.get().total == Decimal("269.78")  # 9 x 27.50 + 9 % GST
    assert balance_drift() == []

    kept = RejectedEvent.objects.get()
    assert str(kept.event_id) == events[2]["id"] and kept.code == "internal_error"
    assert kept.request_id == "req-poison-0042"
    assert kept.extra["exception"] == "IntegrityError" and kept.extra["request_id"] == "req-poison-0042"
    assert kept.payload == events[2]  # stored exactly as sent, signature included
    assert kept.resolved_at is None
    audit = AuditLog.objects.get(action="sync.event_rejected", entity_id=str(kept.pk))
    assert audit.after["code"] == "internal_error"
    return client, device, events, kept, yesterday


@pytest.mark.django_db
def test_poisoned_event_in_the_middle_is_contained_then_retried(world, api):
    _client, _device, events, kept, yesterday = run_poisoned_batch(world, api)
    supervisor = api(world.users["supervisor"])

    # cause still there: retried, rejected again, still open, no new row
    again = supervisor.post(f"/api/sync/rejected/{kept.pk}/retry/", {}, format="json", HTTP_X_REQUEST_ID="req-2")
    assert again.status_code == 200, again.content
    assert again.json()["status"] == "rejected" and again.json()["code"] == "internal_error"
    assert again.json()["rejected_event"]["retries"] == 1
    assert again.json()["rejected_event"]["request_id"] == "req-2"
    assert RejectedEvent.objects.count() == 1 and RejectedEvent.objects.get().resolved_at is None

    heal_yesterdays_numbers(world, yesterday)
    res = supervisor.post(f"/api/sync/rejected/{kept.pk}/retry/", {}, format="json")
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["status"] == "applied" and body["id"] == events[2]["id"]
    assert body["result"]["number"].endswith("-0002")
    header = DistributionHeader.objects.get(pk=body["result"]["id"])
    assert header.driver == world.users["driver"]  # recorded as the driver's, as if synced
    assert truck_full(world, world.gas) == 2 + 3 + 4 + 5
    kept.refresh_from_db()
    assert kept.resolved_at is not None and kept.resolved_by == world.users["supervisor"]
    assert kept.retries == 2 and "applied" in kept.resolution_note
    assert body["rejected_event"]["resolved_at"] is not None
    assert AuditLog.objects.filter(action="sync.event_retried", entity_id=str(kept.pk)).count() == 2
    # the phone sends it once more: a duplicate with the same answer, nothing new
    client = api(world.users["driver"])
    device = str(kept.device_id)
    [answer] = sync(client, device, [events[2]]).json()["results"]
    assert answer["status"] == "duplicate" and answer["result"]["id"] == header.pk
    # a resolved rejection cannot be retried or resolved again
    assert supervisor.post(f"/api/sync/rejected/{kept.pk}/retry/").json()["code"] == "already_resolved"
    res = supervisor.post(f"/api/sync/rejected/{kept.pk}/resolve/", {"note": "x"}, format="json")
    assert res.status_code == 409 and res.json()["code"] == "already_resolved"
    assert balance_drift() == []


@pytest.mark.django_db(transaction=True)
def test_poisoned_event_contained_in_autocommit_mode(world, api):
    """The production path: no transaction around the request, each event's own
    transaction is the one run_idempotent opens."""
    _client, _device, events, kept, yesterday = run_poisoned_batch(world, api)
    heal_yesterdays_numbers(world, yesterday)
    res = api(world.users["admin"]).post(f"/api/sync/rejected/{kept.pk}/retry/")
    assert res.json()["status"] == "applied"
    assert truck_full(world, world.gas) == 2 + 3 + 4 + 5
    assert balance_drift() == []


@pytest.mark.django_db
def test_resolve_needs_a_note_and_a_supervisor(world, api):
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    event = key.event("distribution.create", collection_payload(world, quantity=150))  # depot holds 100
    assert sync(client, device, [event]).json()["results"][0]["code"] == "insufficient_stock"
    kept = RejectedEvent.objects.get()

    assert client.post(f"/api/sync/rejected/{kept.pk}/retry/").status_code == 403
    assert client.post(f"/api/sync/rejected/{kept.pk}/resolve/", {"note": "mine"}, format="json").status_code == 403
    supervisor = api(world.users["supervisor"])
    res = supervisor.post(f"/api/sync/rejected/{kept.pk}/resolve/", {"note": "   "}, format="json")
    assert res.status_code == 400 and "note" in res.json()["fields"]
    assert RejectedEvent.objects.get().resolved_at is None

    res = supervisor.post(
        f"/api/sync/rejected/{kept.pk}/resolve/", {"note": "Re-entered online as 97 x 12.7 kg"}, format="json"
    )
    assert res.status_code == 200
    assert res.json()["resolution_note"] == "Re-entered online as 97 x 12.7 kg"
    assert res.json()["resolved_by"] == world.users["supervisor"].pk
    audit = AuditLog.objects.get(action="sync.event_resolved")
    assert audit.user == world.users["supervisor"] and audit.after["note"] == "Re-entered online as 97 x 12.7 kg"
    assert client.get("/api/sync/rejected/?open=1").json()["results"] == []
    assert supervisor.post(f"/api/sync/rejected/{uuid.uuid4()}/retry/").status_code == 404


@pytest.mark.django_db
def test_retry_keeps_the_window_of_the_first_receipt_and_the_device_rules(world, api):
    """Retried 9 days after receipt (window 7 days): measured from when the server
    received it, so it applies. A revoked device's event is not applied."""
    from apps.inventory.enums import StockDocumentKind
    from apps.inventory.services import stock_document_create

    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    when = timezone.now() - timedelta(days=2)
    late = key.event("distribution.create", collection_payload(world, quantity=130), occurred_at=when)
    other = key.event("distribution.create", collection_payload(world, quantity=140))
    assert [a["code"] for a in sync(client, device, [late, other]).json()["results"]] == ["insufficient_stock"] * 2
    RejectedEvent.objects.update(created_at=when + timedelta(hours=1))  # received 2 days ago
    stock_document_create(
        actor=world.users["admin"], kind=StockDocumentKind.RECEIPT, depot=world.depot, reason="plant delivery",
        lines=[{"cylinder_type": world.gas, "quantity": 97}],
    )  # fmt: skip
    supervisor = api(world.users["supervisor"])
    first = RejectedEvent.objects.get(event_id=late["id"])
    with override_age(days=1):  # now older than the window, but not when it arrived
        assert supervisor.post(f"/api/sync/rejected/{first.pk}/retry/").json()["status"] == "applied"

    supervisor.post(f"/api/devices/{device}/revoke/", {}, format="json")
    second = RejectedEvent.objects.get(event_id=other["id"])
    res = supervisor.post(f"/api/sync/rejected/{second.pk}/retry/").json()
    assert res["status"] == "rejected" and res["code"] == "device_revoked"
    assert DistributionHeader.objects.count() == 1


def override_age(days: int):
    from django.test import override_settings

    return override_settings(SYNC_MAX_EVENT_AGE_DAYS=days, SYNC_MAX_CLOCK_SKEW_SECONDS=300)


@pytest.mark.django_db
def test_admin_actions_retry_and_resolve(world, api):
    from apps.inventory.enums import StockDocumentKind
    from apps.inventory.services import stock_document_create

    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    events = [key.event("distribution.create", collection_payload(world, quantity=q)) for q in (113, 121)]
    assert [a["code"] for a in sync(client, device, events).json()["results"]] == ["insufficient_stock"] * 2
    one, two = (RejectedEvent.objects.get(event_id=e["id"]) for e in events)
    stock_document_create(
        actor=world.users["admin"], kind=StockDocumentKind.RECEIPT, depot=world.depot, reason="plant delivery",
        lines=[{"cylinder_type": world.gas, "quantity": 14}],
    )  # fmt: skip

    browser = Client()
    browser.force_login(world.users["supervisor"])
    page = browser.post("/admin/sync/rejectedevent/", {"action": "retry", "_selected_action": [one.pk]}, follow=True)
    assert page.status_code == 200 and b"1 applied" in page.content
    one.refresh_from_db()
    assert one.resolved_at is not None and one.resolved_by == world.users["supervisor"]

    form = browser.post("/admin/sync/rejectedevent/", {"action": "resolve", "_selected_action": [two.pk]})
    assert form.status_code == 200 and b'name="note"' in form.content
    two.refresh_from_db()
    assert two.resolved_at is None  # the form only asks
    done = browser.post(
        "/admin/sync/rejectedevent/",
        {
            "action": "resolve",
            "_selected_action": [two.pk],
            "note": "Written off: driver confirmed no load",
            "apply": 1,
        },
        follow=True,
    )
    assert done.status_code == 200 and b"1 rejected event(s) resolved" in done.content
    two.refresh_from_db()
    assert (
        two.resolution_note == "Written off: driver confirmed no load" and two.resolved_by == world.users["supervisor"]
    )
