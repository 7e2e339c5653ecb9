"""A key belongs to one user's device; an event is applied only for the
device's own user and, for a driver, the driver's own vehicle; another
user's applied event is never replayed to them."""

import json

import pytest
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from apps.audit.models import AuditLog
from apps.distribution.models import DistributionHeader
from apps.inventory.models import StockBalance
from apps.sync.models import Device, RejectedEvent
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

pytestmark = pytest.mark.django_db


def sync(client, device, events):
    res = client.post("/api/sync/", {"device": device, "events": events}, format="json")
    assert res.status_code == 200, res.content
    return res.json()["results"]


def test_a_key_registered_to_one_user_cannot_be_registered_by_another(world, api):
    key = PhoneKey()
    mine = register_device(api(world.users["driver"]), key)
    thief = api(world.users["driver2"])
    res = thief.post("/api/devices/", {"name": "not mine", "public_key_jwk": key.jwk}, format="json")
    assert res.status_code == 409 and res.json()["code"] == "public_key_in_use"
    # the same point spelled differently (padded base64url) is the same key
    padded = {**key.jwk, "x": key.jwk["x"] + "=", "y": key.jwk["y"] + "="}
    res = thief.post("/api/devices/", {"name": "still not mine", "public_key_jwk": padded}, format="json")
    assert res.status_code == 409 and res.json()["code"] == "public_key_in_use"
    assert list(Device.objects.values_list("id", flat=True)) == [Device.objects.get(pk=mine).pk]
    refused = AuditLog.objects.filter(action="device.register_refused", user=world.users["driver2"])
    assert refused.count() == 2 and refused.first().after["code"] == "public_key_in_use"


def test_own_key_again_is_the_same_device_and_a_revoked_key_stays_out(world, api):
    client, key = api(world.users["driver"]), PhoneKey()
    first = client.post("/api/devices/", {"name": "Samsung A15", "public_key_jwk": key.jwk}, format="json")
    again = client.post("/api/devices/", {"name": "Samsung A15", "public_key_jwk": key.jwk}, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and Device.objects.count() == 1

    api(world.users["supervisor"]).post(f"/api/devices/{first.json()['id']}/revoke/", {}, format="json")
    res = client.post("/api/devices/", {"name": "Samsung A15", "public_key_jwk": key.jwk}, format="json")
    assert res.status_code == 409 and res.json()["code"] == "public_key_revoked"
    assert Device.objects.count() == 1


def test_driver2_replaying_driver1s_signed_event_never_gets_driver1s_result(world, api):
    one, two = api(world.users["driver"]), api(world.users["driver2"])
    key1 = PhoneKey()
    dev1 = register_device(one, key1)
    event = key1.event("distribution.create", collection_payload(world, quantity=7))
    [applied] = sync(one, dev1, [event])
    assert applied["status"] == "applied"

    # a copy of driver1's key on driver2's account, as registered before keys were bound
    legacy = Device.objects.create(
        user=world.users["driver2"], name="copied key", public_key_jwk=key1.jwk, key_thumbprint=None
    )
    [answer] = sync(two, str(legacy.pk), [event])
    assert answer["status"] == "rejected" and answer["code"] == "vehicle_not_assigned"
    assert "result" not in answer and applied["result"]["number"] not in str(answer)

    # driver2 signs, with that key, driver1's event id for their own vehicle
    own_vehicle = key1.event(
        "distribution.create", collection_payload(world, quantity=7, vehicle=world.vehicle2), event_id=event["id"]
    )
    [answer] = sync(two, str(legacy.pk), [own_vehicle])
    assert answer["status"] == "rejected" and answer["code"] == "idempotency_conflict"
    assert "result" not in answer

    # next day driver2 drives driver1's truck: the vehicle check passes, the
    # event still belongs to driver1 (same body, so only the owner check stops it)
    world.users["driver2"].vehicle = world.vehicle
    world.users["driver2"].save(update_fields=["vehicle"])
    [answer] = sync(two, str(legacy.pk), [event])
    assert answer["status"] == "rejected" and answer["code"] == "idempotency_conflict"
    assert "result" not in answer and applied["result"]["number"] not in str(answer)
    world.users["driver2"].vehicle = world.vehicle2
    world.users["driver2"].save(update_fields=["vehicle"])

    # driver1's own device, but driver2 signed in: not driver2's device
    [answer] = sync(two, dev1, [event])
    assert answer["code"] == "unknown_device" and "result" not in answer

    assert DistributionHeader.objects.count() == 1
    assert not StockBalance.objects.filter(location__vehicle=world.vehicle2, full_qty__gt=0).exists()
    assert sorted(RejectedEvent.objects.filter(user=world.users["driver2"]).values_list("code", flat=True)) == [
        "idempotency_conflict",
        "idempotency_conflict",
        "vehicle_not_assigned",
    ]
    # driver1 sending it again still gets the duplicate
    assert sync(one, dev1, [event])[0]["status"] == "duplicate"


def test_a_driver_without_a_vehicle_cannot_sync_vehicle_events(world, api):
    driver = world.users["driver"]
    client, key = api(driver), PhoneKey()
    device = register_device(client, key)
    driver.vehicle = None
    driver.save(update_fields=["vehicle"])
    [answer] = sync(client, device, [key.event("distribution.create", collection_payload(world, quantity=3))])
    assert answer["code"] == "vehicle_not_assigned"
    assert DistributionHeader.objects.count() == 0


def _refresh(token: str):
    return Client().post("/api/auth/token/refresh/", {"refresh": token}, content_type="application/json")


def test_revoke_with_sessions_blacklists_the_users_refresh_tokens(world, api):
    driver, driver2 = world.users["driver"], world.users["driver2"]
    device = register_device(api(driver), PhoneKey())
    other_device = register_device(api(driver2), PhoneKey())
    phone_session, tablet_session = str(RefreshToken.for_user(driver)), str(RefreshToken.for_user(driver))
    bystander = str(RefreshToken.for_user(driver2))
    supervisor = api(world.users["supervisor"])

    # revoking alone leaves the sessions
    assert supervisor.post(f"/api/devices/{other_device}/revoke/", {}, format="json").status_code == 200
    assert _refresh(bystander).status_code == 200

    res = supervisor.post(f"/api/devices/{device}/revoke/", {"revoke_sessions": True}, format="json")
    assert res.status_code == 200 and res.json()["revoked_at"]
    for token in (phone_session, tablet_session):
        refused = _refresh(token)
        assert refused.status_code == 401, refused.content
    row = AuditLog.objects.filter(action="device.revoked", entity_id=device).get()
    assert row.after["revoke_sessions"] is True and row.after["refresh_tokens_revoked"] >= 2
    bad = supervisor.post(f"/api/devices/{device}/revoke/", {"revoke_sessions": "perhaps"}, format="json")
    assert bad.status_code == 400


def test_admin_action_revokes_and_signs_out(world, api):
    driver = world.users["driver"]
    device = register_device(api(driver), PhoneKey())
    session = str(RefreshToken.for_user(driver))
    browser = Client()
    browser.force_login(world.users["supervisor"])
    res = browser.post(
        "/admin/sync/device/", {"action": "revoke_and_sign_out", "_selected_action": [device]}, follow=True
    )
    assert res.status_code == 200 and b"signed out" in res.content
    assert Device.objects.get(pk=device).revoked_at is not None
    assert _refresh(session).status_code == 401


def test_hostile_device_names_are_400_and_the_service_cleans_them(world, api):
    from apps.sync.services import device_register

    client = api(world.users["driver"])
    for name in ("Ah Kow\\ud800 phone", "nul\\u0000phone"):
        body = f'{{"name": "{name}", "public_key_jwk": {json.dumps(PhoneKey().jwk)}}}'
        res = client.post("/api/devices/", data=body.encode(), content_type="application/json")
        # refused as a whole by the JSON parser (invalid Unicode never reaches a field)
        assert res.status_code == 400 and res.json()["code"] == "invalid_unicode", res.content
    assert Device.objects.count() == 0
    device = device_register(actor=world.users["driver"], name="Ah Kow\ud800 \x00phone", public_key_jwk=PhoneKey().jwk)
    device.refresh_from_db()
    assert device.name == "Ah Kow? \ufffdphone"
