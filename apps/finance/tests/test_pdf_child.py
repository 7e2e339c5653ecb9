"""The PDF archive renders in a recycled child process (apps/finance/pdf_child.py),
so WeasyPrint's retained native memory never builds up in the serving process."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from apps.billing.models import Invoice
from apps.billing.pdf import static_uri
from apps.billing.tests.helpers import load_vehicle
from apps.finance.pdf_child import ChildPdfRenderer, PdfRenderError
from apps.finance.tests.helpers import credit_customer, cylinders, invoice_on, today
from conftest import api_client_for

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_child_renders_and_is_replaced_after_its_quota():
    page = "<html><head><link rel='stylesheet' href='{}'></head><body><p>DOC-{}</p></body></html>"
    with ChildPdfRenderer(renders_per_child=2) as to_pdf:
        texts, served_by = [], []
        for i in range(5):
            texts.append(_text(to_pdf(page.format(static_uri("billing/invoice.css"), i))))
            served_by.append(to_pdf._process.pid)
        processes = [to_pdf._process, to_pdf._spare]
    assert [f"DOC-{i}" in t for i, t in enumerate(texts)] == [True] * 5
    a, b, c = sorted(set(served_by), key=served_by.index)  # 2 + 2 + 1 renders: three children
    assert served_by == [a, a, b, b, c]
    assert processes[1] is not None  # the next one was starting half way through the third
    assert all(p.poll() is not None for p in processes)  # closing the renderer ends both


def test_a_refused_url_is_an_error_in_the_parent_and_the_child_keeps_serving(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    with ChildPdfRenderer(renders_per_child=10) as to_pdf:
        # the child uses billing's fetcher: a file outside the static files is refused, the PDF still renders
        data = to_pdf(f"<html><head><link rel='stylesheet' href='{secret.as_uri()}'></head><body>x</body></html>")
        assert data[:5] == b"%PDF-"
        to_pdf._process.stdin.write(b"\x00\x00\x00\x02\xff\xfe")  # not UTF-8: that child dies
        to_pdf._process.stdin.flush()
        to_pdf._process.wait(timeout=60)
        with pytest.raises(PdfRenderError):
            to_pdf("<p>lost</p>")
        assert to_pdf("<p>again</p>")[:5] == b"%PDF-"  # a new child after a failure


def test_zip_renders_missing_pdfs_without_weasyprint_in_the_serving_process(world, monkeypatch):
    load_vehicle(world, quantity=10)
    customer = credit_customer(world.customers[0])
    invoices = [invoice_on(world, today(), customer=customer, lines=cylinders(world, 1)) for _ in range(3)]
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(pdf="", pdf_rendered_at=None)

    def refused(*args, **kwargs):
        raise AssertionError("WeasyPrint ran in the serving process")

    monkeypatch.setattr("apps.billing.pdf.HTML", refused)
    response = api_client_for(world.users["finance"]).get(
        "/api/exports/invoices.zip", {"from": today().isoformat(), "to": today().isoformat()}
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted(f"invoices/{i.number}.pdf" for i in invoices)
    for invoice in invoices:
        assert invoice.number in _text(archive.read(f"invoices/{invoice.number}.pdf"))
        invoice.refresh_from_db()
        assert invoice.pdf and invoice.pdf_rendered_at  # stored on the way, read from storage next time
