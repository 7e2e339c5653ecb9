"""Proof of delivery offline: the hashes of the signature and photos travel
inside the signed delivery.create event; the bytes are uploaded after the
event is applied, and until then the delivery shows them as missing."""

import pytest

from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.deliveries.models import Delivery, DeliveryAttachment, DeliveryProof
from apps.deliveries.tests.proof_helpers import photo_jpeg, proof_body, put, sha, signature_png
from apps.sync.models import RejectedEvent
from apps.sync.tests.signing import PhoneKey, register_device

pytestmark = pytest.mark.django_db

SIGNATURE = signature_png(width=523, height=181, seed=2)
PHOTO = photo_jpeg(width=1187, height=797, seed=13)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sync(client, device, events):
    return client.post("/api/sync/", {"device": device, "events": events}, format="json").json()["results"]


def test_signed_delivery_with_proof_applies_then_uploads_complete_it(world, api):
    load_vehicle(world, quantity=10)
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    event = key.event("delivery.create", delivery_body(world, proof=proof_body(signature=SIGNATURE, photos=(PHOTO,))))

    [answer] = sync(client, device, [event])
    assert answer["status"] == "applied", answer
    proof = answer["result"]["proof"]
    assert proof["missing_uploads"] == 2 and proof["recipient_name"] == "Tan Ah Kow"
    pk = answer["result"]["id"]
    listed = client.get("/api/deliveries/?missing_uploads=true").json()["results"]
    assert [d["id"] for d in listed] == [pk]

    assert put(client, pk, SIGNATURE, "image/png").status_code == 201
    assert put(client, pk, PHOTO, "image/jpeg").status_code == 201
    after = client.get(f"/api/deliveries/{pk}/").json()["proof"]
    assert after["missing_uploads"] == 0 and all(a["uploaded"] for a in after["attachments"])
    assert client.get("/api/deliveries/?missing_uploads=true").json()["results"] == []
    # the event again (the phone did not see the answer): a duplicate, the proof untouched
    [again] = sync(client, device, [event])
    assert again["status"] == "duplicate"
    assert DeliveryProof.objects.count() == 1 and DeliveryAttachment.objects.count() == 2


def test_a_proof_hash_changed_after_signing_is_refused(world, api):
    load_vehicle(world, quantity=10)
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    event = key.event("delivery.create", delivery_body(world, proof=proof_body(signature=SIGNATURE)))
    # someone swaps the signature for another picture after the phone signed the event
    event["payload"]["proof"]["signature_sha256"] = sha(signature_png(seed=666))

    [answer] = sync(client, device, [event])
    assert answer["status"] == "rejected" and answer["code"] == "invalid_signature"
    assert not Delivery.objects.exists() and not DeliveryProof.objects.exists()
    assert RejectedEvent.objects.filter(code="invalid_signature").count() == 1


def test_a_bad_proof_in_a_signed_event_is_refused_with_fields(world, api):
    load_vehicle(world, quantity=10)
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    bad = proof_body(photos=(PHOTO, PHOTO))  # the same photo twice
    [answer] = sync(client, device, [key.event("delivery.create", delivery_body(world, proof=bad))])
    assert answer["code"] == "invalid" and "photo_sha256" in answer["fields"]["proof"], answer
    assert not Delivery.objects.exists() and not DeliveryAttachment.objects.exists()
