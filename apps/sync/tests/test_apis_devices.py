import base64

import pytest
from django.test import Client

from apps.audit.models import AuditLog
from apps.sync.models import Device
from apps.sync.tests.signing import PhoneKey, b64url, register_device


@pytest.mark.django_db
def test_driver_registers_a_phone(world, api):
    driver = world.users["driver"]
    key = PhoneKey()
    device_id = register_device(api(driver), key, "Ah Kow's Samsung")
    device = Device.objects.get(pk=device_id)
    assert device.user == driver
    assert device.public_key_jwk == key.jwk
    assert AuditLog.objects.filter(action="device.registered", entity_id=str(device.pk)).count() == 1


def _bad_keys():
    good = PhoneKey().jwk
    off_curve = {**good, "y": b64url(int.from_bytes(base64.urlsafe_b64decode(good["y"] + "="), "big") + 1)}
    return [
        ("not an object", "abc"),
        ("list", [good]),
        ("RSA", {**good, "kty": "RSA"}),
        ("P-384", {**good, "crv": "P-384"}),
        ("not on curve", off_curve),
        ("short x", {**good, "x": b64url(5)[:10]}),
        ("not base64", {**good, "x": "!!!!" * 11}),
        ("x number", {**good, "x": 12345}),
        ("missing y", {k: v for k, v in good.items() if k != "y"}),
        ("private key sent", {**good, "d": good["x"]}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "jwk"), _bad_keys())
def test_bad_public_keys_are_400(world, api, label, jwk):
    res = api(world.users["driver"]).post("/api/devices/", {"name": "x", "public_key_jwk": jwk}, format="json")
    assert res.status_code == 400, label
    assert res.json()["code"] == "invalid_public_key"
    assert Device.objects.count() == 0


@pytest.mark.django_db
def test_device_list_is_scoped_and_revoke_needs_a_supervisor(world, api):
    mine = register_device(api(world.users["driver"]), PhoneKey())
    theirs = register_device(api(world.users["driver2"]), PhoneKey())
    listed = api(world.users["driver"]).get("/api/devices/").json()["results"]
    assert [d["id"] for d in listed] == [mine]
    assert len(api(world.users["supervisor"]).get("/api/devices/").json()["results"]) == 2

    assert api(world.users["driver"]).post(f"/api/devices/{mine}/revoke/").status_code == 403
    res = api(world.users["admin"]).post(f"/api/devices/{theirs}/revoke/")
    assert res.status_code == 200 and res.json()["revoked_at"]
    assert Device.objects.get(pk=theirs).revoked_by == world.users["admin"]
    assert Device.objects.get(pk=mine).revoked_at is None
    assert api(world.users["admin"]).post("/api/devices/not-a-uuid/revoke/").status_code == 404


@pytest.mark.django_db
def test_admin_action_revokes(world, api):
    device_id = register_device(api(world.users["driver"]), PhoneKey())
    browser = Client()
    browser.force_login(world.users["admin"])
    res = browser.post("/admin/sync/device/", {"action": "revoke", "_selected_action": [device_id]}, follow=True)
    assert res.status_code == 200
    assert Device.objects.get(pk=device_id).revoked_at is not None
    assert AuditLog.objects.filter(action="device.revoked", entity_id=device_id).count() == 1
