"""`manage.py check_media`: every attachment marked uploaded and every rendered
invoice PDF has its file in storage; the missing ones are listed (exit 1)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from apps.billing.models import Invoice
from apps.billing.tests.helpers import delivery_body, load_vehicle, post_delivery
from apps.deliveries.models import DeliveryAttachment
from apps.deliveries.tests.proof_helpers import photo_jpeg, proof_body, put, sha, signature_png

pytestmark = pytest.mark.django_db

SIGNATURE = signature_png()
PHOTO = photo_jpeg()
PHOTO2 = photo_jpeg(width=911, height=1523, seed=11)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(capsys) -> tuple[bool, str]:
    try:
        call_command("check_media")
        ok = True
    except CommandError:
        ok = False
    return ok, capsys.readouterr().out


def test_lists_uploaded_attachments_and_invoice_pdfs_whose_file_is_gone(world, api, media, capsys):
    load_vehicle(world, quantity=20)
    client = api(world.users["driver"])
    body = delivery_body(world, proof=proof_body(signature=SIGNATURE, photos=(PHOTO, PHOTO2)))
    res = post_delivery(client, body)
    assert res.status_code == 201, res.content
    pk = res.json()["id"]
    assert put(client, pk, SIGNATURE, "image/png").status_code == 201
    assert put(client, pk, PHOTO, "image/jpeg").status_code == 201
    # PHOTO2 declared, never uploaded: not a missing file (the phone sends it again).
    invoice = Invoice.objects.get(delivery__pk=pk)
    name = default_storage.save(f"invoices/{invoice.number}.pdf", ContentFile(b"%PDF-1.4 test"))
    Invoice.objects.filter(pk=invoice.pk).update(pdf=name, pdf_rendered_at=timezone.now())

    ok, out = run(capsys)
    assert ok, out
    assert "3 stored file(s) present" in out

    # A restore whose media copy is older than the database: one image and the PDF gone.
    lost = DeliveryAttachment.objects.get(sha256=sha(PHOTO))
    (media / lost.file.name).unlink()
    (media / name).unlink()
    ok, out = run(capsys)
    assert not ok
    missing = [line for line in out.splitlines() if line.startswith("MISSING")]
    assert len(missing) == 2, out
    assert f"attachment #{lost.pk} PHOTO of delivery #{pk}: {lost.file.name}" in missing[0]
    assert f"invoice PDF #{invoice.pk} {invoice.number}: {name}" in missing[1]
    assert sha(SIGNATURE) not in out and sha(PHOTO2) not in out
