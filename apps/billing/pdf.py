"""The tax invoice PDF: rendered with WeasyPrint from templates/billing/invoice.html,
after the invoice's transaction has committed, never while a row lock is held.
The URL fetcher lets WeasyPrint read the project's own static files and the
inline QR image, nothing else (no network, no arbitrary files)."""

import base64
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from apps.billing.enums import InvoiceLineKind
from apps.billing.models import Invoice
from apps.billing.paynow import paynow_payload, qr_png_data_uri
from apps.billing.serializers import gst_percent


@cache
def _static_files() -> frozenset[Path]:
    files = set()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            try:
                files.add(Path(storage.path(path)).resolve())
            except NotImplementedError:  # non-local storage: never fetched
                continue
    return frozenset(files)


class StaticOnlyFetcher(URLFetcher):
    """Refuses every URL except inline ``data:image/...`` and file:// URLs of
    the project's own static files."""

    def __init__(self, **kwargs):
        super().__init__(timeout=1, allowed_protocols={"data", "file"}, allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "data" and url.startswith("data:image/"):
            return super().fetch(url, headers)
        if parsed.scheme == "file" and not parsed.netloc:
            path = Path(unquote(parsed.path)).resolve()
            if path in _static_files():
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"Refused to fetch {url[:80]!r}: only the project's static files are allowed.")


def static_uri(relative: str) -> str:
    found = finders.find(relative)
    if not found:
        raise FileNotFoundError(relative)
    return Path(found).resolve().as_uri()


def invoice_paynow_payload(invoice: Invoice) -> str:
    company = settings.COMPANY
    return paynow_payload(
        uen=company["uen"], amount=invoice.total, reference=invoice.number, merchant_name=company["name"]
    )


def _holding_locks() -> bool:
    """True inside a real transaction (row locks possibly held); a test's own
    wrapping transaction does not count."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def quantity_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def unit_price_text(value: Decimal) -> str:
    """Cents when the price is in cents (24.99), more places only when needed (0.1234)."""
    cents = value.quantize(Decimal("0.01"))
    return str(cents) if cents == value else format(value.normalize(), "f")


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=None, url_fetcher=StaticOnlyFetcher()).write_pdf()


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    return html_to_pdf(invoice_pdf_html(invoice))


def received_by(invoice: Invoice) -> dict | None:
    """ "Received by": the recipient's name and, once uploaded, the signature
    (a PNG, inlined as a data: URI) of the delivery this invoice bills, read
    through the relations (billing does not import the deliveries app)."""
    try:
        proof = invoice.delivery.proof
    except ObjectDoesNotExist:
        return None
    signature = (
        invoice.delivery.attachments.filter(kind="SIGNATURE", uploaded_at__isnull=False).exclude(file="").first()
    )
    image = None
    if signature is not None:
        try:
            with signature.file.open("rb") as fh:
                image = "data:image/png;base64," + base64.b64encode(fh.read()).decode()
        except OSError:  # lost from the storage: the name still prints
            image = None
    if not proof.recipient_name and image is None:
        return None
    return {"name": proof.recipient_name, "signature": image}


def invoice_pdf_html(invoice: Invoice) -> str:
    """The invoice's HTML; WeasyPrint turns it into the PDF (``html_to_pdf``,
    in this process or a recycled child process: apps/finance/pdf_child.py)."""
    if _holding_locks():
        raise RuntimeError("Invoice PDFs are rendered after commit, never inside a transaction.")
    lines = [
        {
            "position": line.position,
            "kind": line.kind,
            "description": line.description,
            "quantity": quantity_text(line.quantity),
            "unit_price": unit_price_text(line.unit_price),
            "amount": line.amount,
        }
        for line in invoice.lines.order_by("position")
    ]
    # deposits are not a supply: listed apart, outside the GST base
    deposit_lines = [line for line in lines if line["kind"] == InvoiceLineKind.DEPOSIT]
    lines = [line for line in lines if line["kind"] != InvoiceLineKind.DEPOSIT]
    payload = invoice_paynow_payload(invoice)
    return render_to_string(
        "billing/invoice.html",
        {
            "company": settings.COMPANY,
            "invoice": invoice,
            "lines": lines,
            "deposit_lines": deposit_lines,
            "gst_percent": gst_percent(invoice.gst_rate),
            "paynow_payload": payload,
            "paynow_qr": qr_png_data_uri(payload),
            "stylesheet": static_uri("billing/invoice.css"),
            "received_by": received_by(invoice),
        },
    )
