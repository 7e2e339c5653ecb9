"""Proof of delivery: the proof declared with the delivery, the uploads of
its signature and photos, who may upload, the limits, immutability, the
admin and the tax invoice PDF."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from PIL import ImageFile
from pypdf import PdfReader

from apps.audit.models import AuditLog
from apps.billing.models import Invoice
from apps.billing.tests.helpers import deliver, delivery_body, load_vehicle, post_delivery
from apps.core.testing.world import api_client_for
from apps.deliveries.models import (
    Delivery,
    DeliveryAttachment,
    DeliveryProof,
    ProofImmutableError,
)
from apps.deliveries.services import attachment_upload
from apps.deliveries.tests.proof_helpers import (
    attachment_url,
    photo_jpeg,
    proof_body,
    put,
    sha,
    signature_png,
)
from apps.inventory.models import StockMove

pytestmark = pytest.mark.django_db

SIGNATURE = signature_png()
PHOTO = photo_jpeg()
PHOTO2 = photo_jpeg(width=911, height=1523, seed=11)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=20)
    return world


def _deliver_with_proof(world, client=None, **proof) -> dict:
    client = client or _api(world, "driver")
    body = delivery_body(world, proof=proof_body(signature=SIGNATURE, photos=(PHOTO, PHOTO2), **proof))
    res = post_delivery(client, body)
    assert res.status_code == 201, res.content
    return res.json()


def _api(world, who):
    return api_client_for(world.users[who])


def test_delivery_declares_its_proof_and_every_upload_is_missing(loaded):
    body = _deliver_with_proof(loaded)
    proof = body["proof"]
    assert proof["recipient_name"] == "Tan Ah Kow"
    # GPS rounded to 6 places (half-up), accuracy to 2
    assert (proof["latitude"], proof["longitude"], proof["accuracy_m"]) == ("1.352083", "103.819836", "12.70")
    assert [(a["kind"], a["sha256"], a["uploaded"]) for a in proof["attachments"]] == [
        ("SIGNATURE", sha(SIGNATURE), False),
        ("PHOTO", sha(PHOTO), False),
        ("PHOTO", sha(PHOTO2), False),
    ]
    assert proof["attachments"][0]["url"] == attachment_url(body["id"], sha(SIGNATURE))
    assert proof["missing_uploads"] == 3
    after = AuditLog.objects.get(action="delivery.created").after
    assert after["proof"]["signature_sha256"] == sha(SIGNATURE)


def test_delivery_without_proof_has_none(loaded, api):
    res = post_delivery(api(loaded.users["driver"]), delivery_body(loaded))
    assert res.status_code == 201 and res.json()["proof"] is None
    assert not DeliveryProof.objects.exists()


def test_upload_happy_path_idempotent_and_readable(loaded, api, media):
    client = api(loaded.users["driver"])
    delivery = _deliver_with_proof(loaded, client)
    pk = delivery["id"]

    res = put(client, pk, SIGNATURE, "image/png")
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["uploaded"] is True and (body["width"], body["height"]) == (617, 233)
    assert body["size"] == len(SIGNATURE) and body["content_type"] == "image/png"
    stored = DeliveryAttachment.objects.get(sha256=sha(SIGNATURE))
    assert stored.file.name == f"deliveries/{pk}/{sha(SIGNATURE)}.png"
    assert (media / stored.file.name).read_bytes() == SIGNATURE
    assert stored.uploaded_by == loaded.users["driver"]

    res = put(client, pk, PHOTO, "image/jpeg")
    assert res.status_code == 201 and (res.json()["width"], res.json()["height"]) == (1279, 853)

    # the same bytes again: 200, nothing changes, no second file or audit row
    uploaded_at = DeliveryAttachment.objects.get(sha256=sha(PHOTO)).uploaded_at
    again = put(client, pk, PHOTO, "image/jpeg")
    assert again.status_code == 200 and again.json()["uploaded_at"] == res.json()["uploaded_at"]
    assert DeliveryAttachment.objects.get(sha256=sha(PHOTO)).uploaded_at == uploaded_at
    assert AuditLog.objects.filter(action="delivery.attachment_uploaded").count() == 2
    assert sorted(p.name for p in (media / "deliveries" / str(pk)).iterdir()) == sorted(
        [f"{sha(SIGNATURE)}.png", f"{sha(PHOTO)}.jpg"]
    )

    got = client.get(attachment_url(pk, sha(PHOTO)))
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg" and got.content == PHOTO
    detail = client.get(f"/api/deliveries/{pk}/").json()["proof"]
    assert detail["missing_uploads"] == 1
    assert [a["uploaded"] for a in detail["attachments"]] == [True, True, False]
    # not uploaded yet: 404 with its own code
    res = client.get(attachment_url(pk, sha(PHOTO2)))
    assert res.status_code == 404 and res.json()["code"] == "attachment_not_uploaded"


def test_missing_uploads_filter(loaded, api):
    client = api(loaded.users["driver"])
    pending = _deliver_with_proof(loaded, client)["id"]
    plain = post_delivery(client, delivery_body(loaded)).json()["id"]
    done = post_delivery(client, delivery_body(loaded, proof=proof_body(signature=SIGNATURE))).json()["id"]
    assert put(client, done, SIGNATURE, "image/png").status_code == 201

    def ids(query):
        return sorted(d["id"] for d in client.get(f"/api/deliveries/?{query}").json()["results"])

    assert ids("missing_uploads=true") == [pending]
    assert ids("missing_uploads=false") == sorted([plain, done])
    for data in (SIGNATURE, PHOTO, PHOTO2):
        put(client, pending, data, "image/png" if data is SIGNATURE else "image/jpeg")
    assert ids("missing_uploads=true") == []


def test_hash_mismatch_stores_nothing(loaded, api, media):
    client = api(loaded.users["driver"])
    pk = _deliver_with_proof(loaded, client)["id"]
    other = signature_png(seed=8)
    res = put(client, pk, other, "image/png", digest=sha(SIGNATURE))
    assert res.status_code == 422 and res.json()["code"] == "attachment_hash_mismatch"
    assert "sha256" in res.json()["fields"]
    assert not DeliveryAttachment.objects.get(sha256=sha(SIGNATURE)).uploaded
    assert not (media / "deliveries").exists()
    assert not AuditLog.objects.filter(action="delivery.attachment_uploaded").exists()


def test_undeclared_hash_and_unknown_delivery_are_404(loaded, api):
    client = api(loaded.users["driver"])
    pk = _deliver_with_proof(loaded, client)["id"]
    stray = photo_jpeg(seed=99)
    res = put(client, pk, stray, "image/jpeg")
    assert res.status_code == 404 and res.json()["code"] == "attachment_not_declared"
    res = put(client, pk, stray, "image/jpeg", digest="not-a-hash")
    assert res.status_code == 404
    assert put(client, pk + 1000, PHOTO, "image/jpeg").status_code == 404


def _declare(world, client, *, signature=None, photos=()):
    res = post_delivery(client, delivery_body(world, proof=proof_body(signature=signature, photos=photos)))
    assert res.status_code == 201, res.content
    return res.json()["id"]


def _refused(res, field):
    assert res.status_code == 400, res.content
    body = res.json()
    assert body["code"] == "invalid" and field in body["fields"], body
    return body["fields"][field][0]


def test_bad_images_are_400_with_fields_and_nothing_stored(loaded, api, media):
    import apps.billing.pdf  # noqa: F401  WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on, as in production

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    client = api(loaded.users["driver"])
    not_image = b"GIF89a? no: just some bytes pretending \x00\x01\x02 to be a photo" * 37
    big = photo_jpeg(width=1493, height=1187, quality=97, noise=True)
    assert len(big) > 500 * 1024
    wide = photo_jpeg(width=1601, height=901)
    tall = photo_jpeg(width=733, height=1613)
    png_photo = signature_png(width=1031, height=769, seed=5)
    jpeg_signature = photo_jpeg(width=617, height=233, seed=4)
    truncated = PHOTO[: len(PHOTO) * 2 // 3]
    truncated_png = signature_png(seed=21)[:-7]
    pk = _declare(loaded, client, signature=jpeg_signature, photos=(not_image, big, wide))
    pk2 = _declare(loaded, client, signature=truncated_png, photos=(tall, png_photo, truncated))

    assert "not an image" in _refused(put(client, pk, not_image, "image/jpeg"), "file")
    assert "500 KB" in _refused(put(client, pk, big, "image/jpeg"), "file")
    assert "1600 px" in _refused(put(client, pk, wide, "image/jpeg"), "file")
    assert "1600 px" in _refused(put(client, pk2, tall, "image/jpeg"), "file")
    assert "not JPEG" in _refused(put(client, pk, jpeg_signature, "image/png"), "file")
    assert "image/png" in _refused(put(client, pk, jpeg_signature, "image/jpeg"), "content_type")
    assert "image/jpeg" in _refused(put(client, pk2, png_photo, "image/png"), "content_type")
    assert "not PNG" in _refused(put(client, pk2, png_photo, "image/jpeg"), "file")
    assert "damaged" in _refused(put(client, pk2, truncated, "image/jpeg"), "file")
    assert "damaged" in _refused(put(client, pk2, truncated_png, "image/png"), "file")

    assert not DeliveryAttachment.objects.filter(uploaded_at__isnull=False).exists()
    assert not (media / "deliveries").exists()


def test_body_over_the_limit_is_refused_before_it_is_read(loaded, world):
    pk = _declare(loaded, _api(loaded, "driver"), photos=(PHOTO,))

    class Endless:
        read_sizes: list[int] = []

        def read(self, size=-1):
            self.read_sizes.append(size)
            return b"\xff" * (size if size > 0 else 10**7)

    source = Endless()
    with pytest.raises(Exception) as refused:
        attachment_upload(
            actor=loaded.users["driver"], delivery_id=pk, sha256=sha(PHOTO), content_type="image/jpeg",
            source=source, content_length=str(10**7),
        )  # fmt: skip
    assert getattr(refused.value, "code", None) == "invalid" and source.read_sizes == []
    # a Content-Length that lies: the read is capped at the limit + 1 byte
    with pytest.raises(Exception) as refused:
        attachment_upload(
            actor=loaded.users["driver"], delivery_id=pk, sha256=sha(PHOTO), content_type="image/jpeg",
            source=source, content_length="12",
        )  # fmt: skip
    assert getattr(refused.value, "code", None) == "invalid" and source.read_sizes == [500 * 1024 + 1]


def test_who_may_upload(loaded, api):
    pk = _deliver_with_proof(loaded)["id"]
    res = put(api(loaded.users["driver2"]), pk, SIGNATURE, "image/png")
    assert res.status_code == 422 and res.json()["code"] == "not_your_delivery"
    assert "delivery" in res.json()["fields"]
    for who in ("depot_staff", "finance", "auditor"):
        assert put(api(loaded.users[who]), pk, SIGNATURE, "image/png").status_code == 403, who
    assert not DeliveryAttachment.objects.filter(uploaded_at__isnull=False).exists()
    # the office may complete it (a supervisor uploading what the phone could not)
    assert put(api(loaded.users["supervisor"]), pk, SIGNATURE, "image/png").status_code == 201
    # reading: role-scoped like the delivery itself
    url = attachment_url(pk, sha(SIGNATURE))
    assert api(loaded.users["driver2"]).get(url).status_code == 404
    assert api(loaded.users["driver"]).get(url).content == SIGNATURE
    assert api(loaded.users["finance"]).get(url).status_code == 200


BAD_PROOFS = [
    ({"signature_sha256": "abc"}, "signature_sha256"),
    ({"signature_sha256": "g" * 64}, "signature_sha256"),
    ({"photo_sha256": [sha(bytes([i])) for i in range(4)]}, "photo_sha256"),
    ({"photo_sha256": [sha(b"x"), sha(b"x")]}, "photo_sha256"),
    ({"photo_sha256": [sha(b"x")], "signature_sha256": sha(b"x")}, "photo_sha256"),
    ({"photo_sha256": "not a list"}, "photo_sha256"),
    ({"latitude": "90.000001"}, "latitude"),
    ({"longitude": "-180.5"}, "longitude"),
    ({"latitude": "NaN"}, "latitude"),
    ({"latitude": None}, "longitude"),
    ({"accuracy_m": "-0.01"}, "accuracy_m"),
    ({"accuracy_m": "1e30"}, "accuracy_m"),
    ({"latitude": "1e100", "longitude": 1e300}, "latitude"),
    ({"latitude": True}, "latitude"),
    ({"recipient_name": "N" * 101}, "recipient_name"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_PROOFS)
def test_bad_proof_is_400_and_nothing_is_recorded(loaded, api, bad, field):
    body = delivery_body(loaded, proof={**proof_body(signature=SIGNATURE), **bad})
    res = post_delivery(api(loaded.users["driver"]), body)
    assert res.status_code == 400, res.content
    assert res.json()["code"] == "invalid" and field in res.json()["fields"]["proof"], res.json()
    assert not Delivery.objects.exists() and not Invoice.objects.exists()
    assert not DeliveryProof.objects.exists() and not DeliveryAttachment.objects.exists()
    assert not StockMove.objects.filter(document_type="distribution.delivery").exists()


def test_the_service_checks_the_proof_too(loaded):
    from apps.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        deliver(loaded, proof={"photo_sha256": [sha(b"1")] * 2, "latitude": Decimal("1.3")})
    assert set(refused.value.extra["fields"]["proof"]) == {"photo_sha256", "longitude"}
    assert not Delivery.objects.exists() and not DeliveryProof.objects.exists()


def test_proof_is_immutable_in_the_model_and_the_database(loaded, api):
    client = api(loaded.users["driver"])
    pk = _deliver_with_proof(loaded, client)["id"]
    assert put(client, pk, SIGNATURE, "image/png").status_code == 201
    proof = DeliveryProof.objects.get(delivery_id=pk)
    signature = DeliveryAttachment.objects.get(sha256=sha(SIGNATURE))
    photo = DeliveryAttachment.objects.get(sha256=sha(PHOTO))

    proof.recipient_name = "Someone else"
    for attempt in (proof.save, proof.delete, DeliveryProof.objects.all().delete, signature.delete):
        with pytest.raises(ProofImmutableError):
            attempt()
    with pytest.raises(ProofImmutableError):
        DeliveryProof.objects.filter(pk=proof.pk).update(recipient_name="x")
    signature.size = 1
    with pytest.raises(ProofImmutableError):
        signature.save()
    with pytest.raises(ProofImmutableError):
        DeliveryAttachment.objects.filter(pk=photo.pk).update(sha256=sha(b"other"))
    # an uploaded row is out of reach of the upload fields too
    assert DeliveryAttachment.objects.filter(pk=signature.pk).update(size=1) == 0

    # below the ORM: the triggers
    table_proof, table_att = DeliveryProof._meta.db_table, DeliveryAttachment._meta.db_table
    refused = [
        (f"UPDATE {table_proof} SET recipient_name = 'x' WHERE id = %s", proof.pk),  # noqa: S608
        (f"DELETE FROM {table_proof} WHERE id = %s", proof.pk),  # noqa: S608
        (f"UPDATE {table_att} SET size = 1 WHERE id = %s", signature.pk),  # noqa: S608
        (f"UPDATE {table_att} SET sha256 = 'x' WHERE id = %s", photo.pk),  # noqa: S608
        (f"DELETE FROM {table_att} WHERE id = %s", photo.pk),  # noqa: S608
        (f"UPDATE {table_att} SET uploaded_at = NULL WHERE id = %s", signature.pk),  # noqa: S608
    ]
    for sql, pk_value in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk_value])
    assert DeliveryProof.objects.get(pk=proof.pk).recipient_name == "Tan Ah Kow"
    assert DeliveryAttachment.objects.get(pk=signature.pk).size == len(SIGNATURE)


def test_admin_shows_the_proof_and_lists_missing_uploads(loaded, client):
    api_client = _api(loaded, "driver")
    pk = _deliver_with_proof(loaded, api_client)["id"]
    plain = post_delivery(api_client, delivery_body(loaded)).json()["id"]
    assert put(api_client, pk, SIGNATURE, "image/png").status_code == 201
    client.force_login(loaded.users["admin"])

    page = client.get("/admin/deliveries/delivery/?missing_uploads=yes").content.decode()
    assert f"/admin/deliveries/delivery/{pk}/change/" in page
    assert f"/admin/deliveries/delivery/{plain}/change/" not in page
    assert "2 upload(s) missing" in page
    page = client.get(f"/admin/deliveries/delivery/{pk}/change/").content.decode()
    assert "Tan Ah Kow" in page and "openstreetmap.org/?mlat=1.352083&amp;mlon=103.819836" in page
    image_url = f"/admin/deliveries/delivery/{pk}/attachments/{sha(SIGNATURE)}/"
    assert f'<img src="{image_url}"' in page and "not uploaded yet" in page
    got = client.get(image_url)
    assert got.status_code == 200 and got.content == SIGNATURE and got["Content-Type"] == "image/png"
    assert client.get(f"/admin/deliveries/delivery/{pk}/attachments/{sha(PHOTO)}/").status_code == 404
    # read-only
    assert client.get(f"/admin/deliveries/delivery/{pk}/delete/").status_code == 403
    # a role without the deliveries admin sees no image either
    client.force_login(loaded.users["finance"])
    assert client.get(image_url).status_code == 403


def _pdf_text(invoice: Invoice) -> tuple[str, int]:
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    return text, sum(len(page.images) for page in reader.pages)


def test_invoice_pdf_shows_received_by_and_the_signature_once_uploaded(loaded, api, django_capture_on_commit_callbacks):
    client = api(loaded.users["driver"])
    with django_capture_on_commit_callbacks(execute=True):
        pk = _deliver_with_proof(loaded, client, recipient_name="Siti Nurhaliza bte Osman")["id"]
    invoice = Invoice.objects.get(delivery__pk=pk)
    text, images = _pdf_text(invoice)
    assert "Received by: Siti Nurhaliza bte Osman" in text
    first = invoice.pdf.name
    assert images == 1  # the PayNow QR only: the signature is not there yet

    with django_capture_on_commit_callbacks(execute=True):
        assert put(client, pk, PHOTO, "image/jpeg").status_code == 201  # a photo: no new PDF
    invoice.refresh_from_db()
    assert invoice.pdf.name == first
    with django_capture_on_commit_callbacks(execute=True):
        assert put(client, pk, SIGNATURE, "image/png").status_code == 201
    text, images = _pdf_text(invoice)
    assert invoice.pdf.name != first and default_storage.exists(first)  # the first rendering is kept
    assert "Received by: Siti Nurhaliza bte Osman" in text and images == 2
    # the invoice itself did not change
    assert Invoice.objects.get(pk=invoice.pk).total == invoice.total


def test_a_file_lost_from_storage_is_put_back_by_the_same_upload(loaded, api, media):
    client = api(loaded.users["driver"])
    pk = _deliver_with_proof(loaded, client)["id"]
    assert put(client, pk, PHOTO2, "image/jpeg").status_code == 201
    stored = media / DeliveryAttachment.objects.get(sha256=sha(PHOTO2)).file.name
    stored.unlink()  # a restore older than the database
    res = client.get(attachment_url(pk, sha(PHOTO2)))
    assert res.status_code == 404 and res.json()["code"] == "attachment_not_uploaded"
    assert put(client, pk, PHOTO2, "image/jpeg").status_code == 200
    assert stored.read_bytes() == PHOTO2
    assert client.get(attachment_url(pk, sha(PHOTO2))).content == PHOTO2
