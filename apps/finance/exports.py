"""File exports: CSV registers, the Xero / QuickBooks Online import files and
the streamed ZIP of PDFs. Each builder is a generator of rows (or bytes), so a
response can stream it; nothing holds the whole period in memory.

Layouts of the accounting files (sources in docs/finance.md):
- Xero "Import invoices" (Sales > Invoices > Import) template, one row per
  line; asterisked columns are required. Credit notes go in the same file with
  a negative quantity (Xero imports a negative-total document as a credit note).
- QuickBooks Online "Import invoices" (Settings > Import data > Invoices)
  sample file for tax-registered companies outside the US, one row per line.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from apps.billing.enums import InvoiceLineKind
from apps.billing.serializers import gst_percent
from apps.finance import selectors

CENT = Decimal("0.01")


class _Echo:
    """A file-like object whose write returns the value (for csv.writer)."""

    def write(self, value):
        return value


def csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The CSV text, row by row (RFC 4180, CRLF line ends, UTF-8 BOM first so
    spreadsheet programs read non-ASCII names right)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # A leading =, +, - or @ makes spreadsheets run a formula (CSV injection);
    # a negative number stays a number.
    if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def _price(value: Decimal) -> str:
    cents = value.quantize(CENT)
    return str(cents) if cents == value else format(value.normalize(), "f")


def _item_code(line) -> str:
    if getattr(line, "cylinder_type", None) is not None:
        return getattr(line.cylinder_type, "sku", "") or ""
    if getattr(line, "service_item", None) is not None:
        return line.service_item.code
    return ""


def split_tax(amounts: list[Decimal], tax: Decimal) -> list[Decimal]:
    """Split an invoice's GST (computed once on the subtotal) over its lines in
    proportion to their amounts, to the cent, so the shares add up to the
    invoice's GST exactly (largest remainder)."""
    total = sum(amounts, Decimal("0"))
    if not amounts:
        return []
    if total == 0:
        return [tax] + [Decimal("0.00")] * (len(amounts) - 1)
    raw = [tax * a / total for a in amounts]
    shares = [r.quantize(CENT, rounding="ROUND_DOWN") for r in raw]
    left = int(((tax - sum(shares, Decimal("0"))) / CENT).to_integral_value(ROUND_HALF_UP))
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    step = CENT if left >= 0 else -CENT
    for i in order[: abs(left)]:
        shares[i] += step
    return shares


# -- Xero ---------------------------------------------------------------------------

XERO_INVOICE_HEADER = [
    "*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "Reference", "*InvoiceDate",
    "*DueDate", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "Discount", "*AccountCode",
    "*TaxType", "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency",
    "BrandingTheme",
]  # fmt: skip

# Xero's bank statement CSV import (Date, Amount, Payee, Description, Reference):
# payments received come in as bank lines that Xero matches to the invoice by reference.
XERO_PAYMENT_HEADER = ["*Date", "*Amount", "Payee", "Description", "Reference"]


def xero_tax_type(rate: Decimal) -> str:
    return settings.FINANCE_XERO_TAX_TYPE.format(percent=gst_percent(rate))


def _is_deposit(line) -> bool:
    """A cylinder deposit line (outside the GST base), of an invoice or credited by a credit note."""
    kind = getattr(line, "kind", None)
    if kind is None and getattr(line, "invoice_line", None) is not None:
        kind = line.invoice_line.kind
    return kind == InvoiceLineKind.DEPOSIT


def _xero_row(*, name, email, address, postal, number, reference, issued, due, code, description, qty, unit,
              rate, currency, deposit=False) -> list:  # fmt: skip
    account = settings.FINANCE_XERO_DEPOSIT_ACCOUNT_CODE if deposit else settings.FINANCE_XERO_ACCOUNT_CODE
    tax_type = settings.FINANCE_XERO_DEPOSIT_TAX_TYPE if deposit else xero_tax_type(rate)
    return [
        name, email, address, "", "", "", "Singapore", "", postal, "Singapore", number, reference, _dmy(issued),
        _dmy(due), code, description, qty, unit, "", account, tax_type, "", "", "", "", currency, "",
    ]  # fmt: skip


def xero_invoice_rows(*, date_from: date, date_to: date) -> Iterator[list]:
    for line in selectors.invoice_lines_in_period(date_from=date_from, date_to=date_to).iterator(chunk_size=2000):
        inv = line.invoice
        yield _xero_row(
            name=inv.customer_name, email=inv.customer.email, address=inv.customer_address,
            postal=inv.customer_postal_code, number=inv.number, reference="", issued=inv.issue_date,
            due=inv.due_date, code=_item_code(line), description=line.description, qty=_qty(line.quantity),
            unit=_price(line.unit_price), rate=inv.gst_rate, currency=inv.currency, deposit=_is_deposit(line),
        )  # fmt: skip
    for note_line in selectors.credit_note_lines_in_period(date_from=date_from, date_to=date_to).iterator(
        chunk_size=2000
    ):
        note, inv = note_line.credit_note, note_line.credit_note.invoice
        yield _xero_row(
            name=inv.customer_name, email=inv.customer.email, address=inv.customer_address,
            postal=inv.customer_postal_code, number=note.number, reference=inv.number, issued=note.issue_date,
            due=note.issue_date, code="", description=note_line.description, qty="-" + _qty(note_line.quantity),
            unit=_price(note_line.unit_price), rate=note.gst_rate, currency=inv.currency,
            deposit=_is_deposit(note_line),
        )  # fmt: skip


def xero_payment_rows(*, date_from: date, date_to: date) -> Iterator[list]:
    for row in selectors.payment_rows(date_from=date_from, date_to=date_to):
        _pk, day, _at, number, _code, name, method, ref, amount = row
        yield [_dmy(day), amount, name, f"{method} {ref}".strip(), number]


# -- QuickBooks Online --------------------------------------------------------------

QBO_INVOICE_HEADER = [
    "*InvoiceNo", "*Customer", "*InvoiceDate", "*DueDate", "Terms", "Location", "Memo", "Item(Product/Service)",
    "ItemDescription", "ItemQuantity", "ItemRate", "*ItemAmount", "*ItemTaxCode", "ItemTaxAmount", "Currency",
    "Service Date",
]  # fmt: skip

# QuickBooks Online bank transactions upload, 3-column layout (Date, Description, Amount).
QBO_PAYMENT_HEADER = ["Date", "Description", "Amount"]


def qbo_tax_code(rate: Decimal) -> str:
    return settings.FINANCE_QBO_TAX_CODE.format(percent=gst_percent(rate))


def _grouped(lines: Iterable, key) -> Iterator[list]:
    batch: list = []
    current = None
    for line in lines:
        k = key(line)
        if batch and k != current:
            yield batch
            batch = []
        current = k
        batch.append(line)
    if batch:
        yield batch


def qbo_invoice_rows(*, date_from: date, date_to: date) -> Iterator[list]:
    """One row per line; the invoice's GST split over its lines to the cent.
    Credit notes are not part of QuickBooks' invoice import: they are in the
    register (credit-notes.csv) and entered as credit memos."""
    lines = selectors.invoice_lines_in_period(date_from=date_from, date_to=date_to).iterator(chunk_size=2000)
    for batch in _grouped(lines, key=lambda line: line.invoice_id):
        inv = batch[0].invoice
        # the GST over the taxable lines only; a deposit line is out of scope, no tax
        taxable = [line for line in batch if not _is_deposit(line)]
        shares = split_tax([line.amount for line in taxable], inv.gst_amount)
        taxes = dict(zip([line.pk for line in taxable], shares, strict=True))
        for line in batch:
            deposit = line.pk not in taxes
            yield [
                inv.number, inv.customer_name, _dmy(inv.issue_date), _dmy(inv.due_date), inv.payment_terms, "",
                "", _item_code(line) or line.description[:100], line.description, _qty(line.quantity),
                _price(line.unit_price), line.amount,
                settings.FINANCE_QBO_DEPOSIT_TAX_CODE if deposit else qbo_tax_code(inv.gst_rate),
                Decimal("0.00") if deposit else taxes[line.pk], inv.currency, "",
            ]  # fmt: skip


def qbo_payment_rows(*, date_from: date, date_to: date) -> Iterator[list]:
    for row in selectors.payment_rows(date_from=date_from, date_to=date_to):
        _pk, day, _at, number, _code, name, method, ref, amount = row
        yield [_dmy(day), f"{name} {number} {method} {ref}".strip(), amount]


ACCOUNTING = {
    ("xero", "invoices"): (XERO_INVOICE_HEADER, xero_invoice_rows),
    ("xero", "payments"): (XERO_PAYMENT_HEADER, xero_payment_rows),
    ("quickbooks", "invoices"): (QBO_INVOICE_HEADER, qbo_invoice_rows),
    ("quickbooks", "payments"): (QBO_PAYMENT_HEADER, qbo_payment_rows),
}


def accounting_row_count(*, system: str, kind: str, date_from: date, date_to: date) -> int:
    if kind == "payments":
        return selectors.payments_in_period(date_from=date_from, date_to=date_to).count()
    n = selectors.invoice_lines_in_period(date_from=date_from, date_to=date_to).count()
    if system == "xero":
        n += selectors.credit_note_lines_in_period(date_from=date_from, date_to=date_to).count()
    return n


# -- the ZIP of PDFs ---------------------------------------------------------------


class _Sink(io.RawIOBase):
    """An unseekable sink: zipfile writes into it; the generator drains it."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        data = bytes(b)
        self.chunks.append(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def drain(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def zip_stream(documents: Iterable[tuple[str, Callable[[], bytes]]]) -> Iterator[bytes]:
    """Stream a ZIP of (file name, function returning the bytes) pairs. One
    document's bytes are in memory at a time; the ZIP's central directory
    (a few dozen bytes per file) is the only thing that grows."""
    sink = _Sink()
    try:
        with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for name, load in documents:
                data = load()
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
                del data
                chunk = sink.drain()
                if chunk:
                    yield chunk
        tail = sink.drain()
        if tail:
            yield tail
    finally:  # a download abandoned half way stops the documents' renderer now
        close = getattr(documents, "close", None)
        if close is not None:
            close()
