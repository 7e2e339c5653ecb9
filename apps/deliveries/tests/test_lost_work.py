"""Work a lost task or a full disk left undone (issue 26, docs/operations.md
"Failure drill" e and f): invoice PDFs a killed worker never rendered are
found by the sweep and rendered once; a render or an upload cut short by a
full disk leaves no half file, answers 507 ``storage_full`` and succeeds when
sent again."""

import errno
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone

from apps.billing.models import Invoice
from apps.billing.services import invoice_pdf_render
from apps.billing.tests.helpers import deliver, delivery_body, load_vehicle, post_delivery
from apps.deliveries.models import DeliveryAttachment
from apps.deliveries.services import invoice_pdf_sweep
from apps.deliveries.tests.proof_helpers import proof_body, put, sha, signature_png

pytestmark = pytest.mark.django_db

SIGNATURE = signature_png(width=421, height=187, seed=23)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INVOICE_PDF_SWEEP_GRACE = 120
    return settings.MEDIA_ROOT


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=40)
    return world


class DiskFull:
    """FileSystemStorage whose disk fills after ``room`` bytes of a file: the
    first bytes land, then ENOSPC, as a write to a full filesystem does."""

    def __init__(self, room: int = 97):
        self.room, self.calls = room, 0

    def __enter__(self):
        self.original = FileSystemStorage._save
        outer = self

        def full(storage, name, content):
            outer.calls += 1
            path = Path(storage.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.read()[: outer.room])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

        FileSystemStorage._save = full
        return self

    def __exit__(self, *exc):
        FileSystemStorage._save = self.original


def _files(media: Path, folder: str) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in (Path(media) / folder).rglob("*") if p.is_file())


def test_the_sweep_renders_what_a_lost_task_left_and_only_that(loaded, media):
    # three invoices whose render task was lost (issued with rendering off)
    from django.test import override_settings

    with override_settings(BILLING_RENDER_PDF_ON_ISSUE=False):
        lost = [deliver(loaded).invoice for _ in range(3)]
    assert not Invoice.objects.filter(pdf_rendered_at__isnull=False).exists()
    assert invoice_pdf_sweep().missing == []  # within the grace: their own tasks may still come
    later = timezone.now() + timedelta(minutes=3)
    with override_settings(BILLING_RENDER_PDF_ON_ISSUE=False):
        assert invoice_pdf_sweep(now=later).missing == []  # rendering off: the sweep is off too

    swept = invoice_pdf_sweep(now=later)
    assert swept.missing == [i.pk for i in lost] and swept.unsigned == []
    for invoice in lost:
        invoice.refresh_from_db()
        assert invoice.pdf_rendered_at and default_storage.open(invoice.pdf.name).read(5) == b"%PDF-"
    before = _files(media, "invoices")
    assert len(before) == 3

    # the late task and the next sweep find the PDFs there: nothing rendered twice
    from apps.billing.tasks import invoice_render_pdf

    invoice_render_pdf(lost[0].pk)
    assert invoice_pdf_sweep(now=later).missing == []
    assert _files(media, "invoices") == before
    assert Invoice.objects.get(pk=lost[0].pk).pdf_rendered_at == lost[0].pdf_rendered_at


def test_the_sweep_renders_again_a_pdf_older_than_its_signature(loaded, api, django_capture_on_commit_callbacks):
    client = api(loaded.users["driver"])
    with django_capture_on_commit_callbacks(execute=True):
        res = post_delivery(client, delivery_body(loaded, proof=proof_body(signature=SIGNATURE)))
    assert res.status_code == 201, res.content
    invoice = Invoice.objects.get(delivery__pk=res.json()["id"])
    assert invoice.pdf_rendered_at  # rendered on issue (tasks run eagerly here)
    # the signature arrives; its re-render task is lost (a killed worker)
    from django.test import override_settings

    with override_settings(BILLING_RENDER_PDF_ON_ISSUE=False), django_capture_on_commit_callbacks(execute=True):
        assert put(client, res.json()["id"], SIGNATURE, "image/png").status_code == 201
    attachment = DeliveryAttachment.objects.get(sha256=sha(SIGNATURE))
    assert attachment.uploaded_at > invoice.pdf_rendered_at
    assert invoice_pdf_sweep().unsigned == []  # within the grace: its own task may still come
    later = timezone.now() + timedelta(minutes=3)
    assert invoice_pdf_sweep(now=later).unsigned == [invoice.pk]
    invoice.refresh_from_db()
    assert invoice.pdf_rendered_at > attachment.uploaded_at
    assert invoice_pdf_sweep(now=later).unsigned == []  # rendered after the signature now


def test_a_render_cut_short_by_a_full_disk_leaves_no_file_and_the_next_one_succeeds(loaded, media):
    from django.test import override_settings

    with override_settings(BILLING_RENDER_PDF_ON_ISSUE=False):
        invoice = deliver(loaded).invoice
    with DiskFull() as disk, pytest.raises(OSError) as failed:
        invoice_pdf_render(invoice_id=invoice.pk)
    assert failed.value.errno == errno.ENOSPC and disk.calls == 1
    assert _files(media, "invoices") == []  # the 97 bytes written were removed
    invoice.refresh_from_db()
    assert invoice.pdf_rendered_at is None and not invoice.pdf.name

    # a worker killed mid-write leaves part of a file under the invoice's name, unrecorded
    name = invoice.pdf.field.generate_filename(invoice, f"{invoice.number}.pdf")
    default_storage.save(name, ContentFile(b"%PDF-1.7 cut"))
    rendered = invoice_pdf_render(invoice_id=invoice.pk, only_if_missing=True)
    assert rendered.pdf.name == name and _files(media, "invoices") == [name]  # replaced, not kept beside
    data = default_storage.open(name).read()
    assert data[:5] == b"%PDF-" and data.rstrip().endswith(b"%%EOF") and len(data) > 1000


def test_a_re_render_cut_short_by_a_full_disk_keeps_the_recorded_pdf(loaded, media):
    # found by the failure drill (f): a signature's re-render on a full disk
    # removed the PDF the invoice already recorded, and check_media missed it
    invoice = invoice_pdf_render(invoice_id=deliver(loaded).invoice.pk)
    recorded, first = invoice.pdf.name, default_storage.open(invoice.pdf.name).read()
    with DiskFull(room=211) as disk, pytest.raises(OSError):
        invoice_pdf_render(invoice_id=invoice.pk)  # again: a signature uploaded since
    assert disk.calls == 1
    assert _files(media, "invoices") == [recorded]  # its own partial file gone, the recorded one kept
    assert default_storage.open(recorded).read() == first
    invoice.refresh_from_db()
    assert invoice.pdf.name == recorded
    again = invoice_pdf_render(invoice_id=invoice.pk)  # space back: the re-render lands beside it
    assert again.pdf.name != recorded and set(_files(media, "invoices")) == {recorded, again.pdf.name}
    assert default_storage.open(again.pdf.name).read().rstrip().endswith(b"%%EOF")


def test_an_upload_to_a_full_disk_is_507_keeps_the_delivery_and_succeeds_when_resent(loaded, api, media):
    client = api(loaded.users["driver"])
    res = post_delivery(client, delivery_body(loaded, proof=proof_body(signature=SIGNATURE)))
    assert res.status_code == 201
    pk = res.json()["id"]
    with DiskFull():
        full = put(client, pk, SIGNATURE, "image/png")
    assert full.status_code == 507, full.content
    body = full.json()
    assert body["code"] == "storage_full" and body["request_id"] and "nothing was stored" in body["detail"]
    attachment = DeliveryAttachment.objects.get(sha256=sha(SIGNATURE))
    assert attachment.uploaded_at is None and not attachment.file.name  # still missing, as declared
    assert _files(media, "deliveries") == []  # no part of the bytes under their hash
    assert client.get(f"/api/deliveries/{pk}/").status_code == 200  # the delivery itself is kept

    again = put(client, pk, SIGNATURE, "image/png")  # the phone's outbox resends it
    assert again.status_code == 201, again.content
    attachment.refresh_from_db()
    assert attachment.uploaded_at and default_storage.open(attachment.file.name).read() == SIGNATURE


def test_a_cut_short_content_addressed_file_is_written_again(loaded, api, media):
    client = api(loaded.users["driver"])
    res = post_delivery(client, delivery_body(loaded, proof=proof_body(signature=SIGNATURE)))
    pk = res.json()["id"]
    with DiskFull(room=len(SIGNATURE) // 3):
        assert put(client, pk, SIGNATURE, "image/png").status_code == 507
    # a process killed mid-write leaves the same: part of the bytes under their hash
    from apps.deliveries.services import attachment_storage_name

    attachment = DeliveryAttachment.objects.get(sha256=sha(SIGNATURE))
    name = attachment_storage_name(attachment)
    default_storage.save(name, ContentFile(SIGNATURE[:50]))
    assert put(client, pk, SIGNATURE, "image/png").status_code == 201
    assert default_storage.open(name).read() == SIGNATURE
