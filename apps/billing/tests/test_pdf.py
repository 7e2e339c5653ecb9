import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from PIL import Image
from pypdf import PdfReader
from pyzbar.pyzbar import decode

from apps.audit.models import AuditLog
from apps.billing.models import Invoice
from apps.billing.paynow import crc16_ccitt, paynow_crc_ok, paynow_payload, qr_png
from apps.billing.pdf import StaticOnlyFetcher, invoice_paynow_payload, static_uri
from apps.billing.tests.helpers import deliver, load_vehicle, sgt

pytestmark = pytest.mark.django_db


def _tlv(payload: str) -> dict[str, str]:
    out, i = {}, 0
    while i < len(payload):
        tag, size = payload[i : i + 2], int(payload[i + 2 : i + 4])
        out[tag] = payload[i + 4 : i + 4 + size]
        i += 4 + size
    return out


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_crc16_ccitt_known_vector():
    assert crc16_ccitt(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE check value


def test_paynow_payload_fields_and_crc():
    payload = paynow_payload(
        uen="201912345K", amount=Decimal("81.72"), reference="INV-2026-000001", merchant_name="Lion City Gas"
    )
    fields = _tlv(payload)
    assert fields["00"] == "01" and fields["01"] == "12"
    assert _tlv(fields["26"]) == {"00": "SG.PAYNOW", "01": "2", "02": "201912345K", "03": "0"}
    assert (fields["53"], fields["54"], fields["58"]) == ("702", "81.72", "SG")
    assert _tlv(fields["62"]) == {"01": "INV-2026-000001"}
    assert paynow_crc_ok(payload)
    assert not paynow_crc_ok(payload.replace("81.72", "81.73"))
    decoded = decode(Image.open(io.BytesIO(qr_png(payload))))
    assert decoded[0].data.decode() == payload


@pytest.fixture
def invoice(world, django_capture_on_commit_callbacks):
    load_vehicle(world, quantity=10)
    c = world.customers[0]
    c.name = 'Ah Seng <b>Eating</b> House & "Co" <img src="http://evil.example/x.png">'
    c.save()
    with django_capture_on_commit_callbacks(execute=True):
        d = deliver(world, occurred_at=sgt(2026, 4, 15, 10, 30))
    return Invoice.objects.get(pk=d.invoice_id)


def test_pdf_rendered_after_commit_holds_every_tax_invoice_field(invoice):
    assert invoice.pdf and invoice.pdf_rendered_at  # the on_commit task ran
    with invoice.pdf.open("rb") as fh:
        pdf = fh.read()
    assert pdf.startswith(b"%PDF")
    text = re.sub(r"\s+", " ", _text(pdf))
    company = settings.COMPANY
    for expected in [
        "Tax Invoice",
        company["name"],
        company["address"],
        f"GST Reg. No.: {company['gst_reg_no']}",
        invoice.number,
        f"Invoice Date {invoice.issue_date:%d/%m/%Y}",  # the server's date when numbered
        "Date of Supply 15/04/2026",  # the delivery's date
        'Ah Seng <b>Eating</b> House & "Co"',  # escaped, so printed as text
        invoice.customer_address,
        "LPG refill 12.7 kg",
        "Quantity",
        "Unit Price",
        "24.99",
        "74.97",
        "Subtotal (GST base) SGD 74.97",
        "GST 9% SGD 6.75",
        "Total Payable SGD 81.72",
        "Cash on delivery",
        "PayNow",
    ]:
        assert expected in text, expected


def test_pdf_qr_decodes_to_the_paynow_payload(invoice):
    with invoice.pdf.open("rb") as fh:
        reader = PdfReader(fh)
        images = [img for page in reader.pages for img in page.images]
    assert images, "the PDF carries the QR as an image"
    found = [d.data.decode() for img in images for d in decode(img.image.convert("L"))]
    assert found == [invoice_paynow_payload(invoice)]
    fields = _tlv(found[0])
    assert fields["54"] == "81.72" and _tlv(fields["62"])["01"] == invoice.number
    assert _tlv(fields["26"])["02"] == settings.COMPANY["uen"] and _tlv(fields["26"])["03"] == "0"
    assert paynow_crc_ok(found[0])


def test_url_fetcher_allows_only_own_static_files(tmp_path):
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(static_uri("billing/invoice.css"))
    assert b"@page" in css.read()
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "https://evil.example/x.png",
        "file:///etc/passwd",
        secret.as_uri(),
        static_uri("billing/invoice.css") + "/../../../../settings.py",
        "ftp://example.com/x",
        "data:text/html,<script>",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_pdf_download_renders_missing_file_and_is_audited(world, api):
    load_vehicle(world, quantity=5)
    d = deliver(world)  # pytest-django's transaction never commits: no PDF yet
    invoice = Invoice.objects.get(pk=d.invoice_id)
    assert not invoice.pdf
    r = api(world.users["finance"]).get(f"/api/invoices/{invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert body.startswith(b"%PDF") and invoice.number in _text(body)
    invoice.refresh_from_db()
    assert invoice.pdf
    again = api(world.users["driver"]).get(f"/api/invoices/{invoice.pk}/pdf/")
    assert again.status_code == 200 and again.content == body  # stored file served, not re-rendered
    logs = AuditLog.objects.filter(action="invoice.pdf_downloaded", entity_id=str(invoice.pk))
    assert sorted(logs.values_list("user__role", flat=True)) == ["driver", "finance"]
    assert api(world.users["finance"]).get("/api/invoices/999999/pdf/").status_code == 404
