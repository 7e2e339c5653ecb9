"""GST F5 summary across the 2024 rate change; register CSVs; the Xero and
QuickBooks Online import files tie to the invoice register to the cent."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from apps.audit.models import AuditLog
from apps.billing.models import CreditNote, Invoice
from apps.finance.exports import QBO_INVOICE_HEADER, XERO_INVOICE_HEADER, split_tax
from apps.finance.selectors import gst_summary
from apps.finance.tests.helpers import credit_customer, credit_one, cylinders, invoice_on, load_vehicle, pay, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_end(world):
    """8% invoices in 2023, 9% in 2024, a payment and a credit note (dated today)."""
    load_vehicle(world, quantity=40)
    customer = credit_customer(world.customers[0], days=14)
    a = invoice_on(world, date(2023, 12, 31), customer=customer, lines=cylinders(world, 6, type_index=1))
    b = invoice_on(world, date(2024, 1, 1), customer=customer, lines=cylinders(world, 6, type_index=1))
    c = invoice_on(
        world, date(2024, 2, 29), customer=credit_customer(world.customers[1], days=0),
        lines=[{"cylinder_type": world.types[0], "delivered_full": 3, "returned_empty": 0},
               {"cylinder_type": world.types[2], "delivered_full": 1, "returned_empty": 0}],
    )  # fmt: skip
    pay(world, b, "100.35", date(2024, 1, 20))
    note = credit_one(world, a)
    return a, b, c, note


def test_invoices_carry_the_rate_of_their_date(year_end):
    a, b, c, note = year_end
    assert (a.gst_rate, a.subtotal, a.gst_amount) == (Decimal("0.0800"), Decimal("165.00"), Decimal("13.20"))
    assert (b.gst_rate, b.subtotal, b.gst_amount) == (Decimal("0.0900"), Decimal("165.00"), Decimal("14.85"))
    # 3 x 24.99 + 92.00 = 166.97; 9% = 15.0273 -> 15.03
    assert (c.subtotal, c.gst_amount) == (Decimal("166.97"), Decimal("15.03"))
    assert (note.gst_rate, note.subtotal, note.gst_amount) == (Decimal("0.0800"), Decimal("27.50"), Decimal("2.20"))


def test_gst_summary_equals_the_documents_to_the_cent(year_end):
    a, b, c, note = year_end
    whole = gst_summary(date_from=date(2023, 1, 1), date_to=today())
    invoices = Invoice.objects.filter(issue_date__gte=date(2023, 1, 1), issue_date__lte=today())
    notes = CreditNote.objects.filter(issue_date__gte=date(2023, 1, 1), issue_date__lte=today())
    assert whole.box1 == sum(i.subtotal for i in invoices) - sum(n.subtotal for n in notes)
    assert whole.box6 == sum(i.gst_amount for i in invoices) - sum(n.gst_amount for n in notes)
    assert (whole.box1, whole.box6) == (Decimal("469.47"), Decimal("40.88"))  # 496.97 - 27.50; 43.08 - 2.20
    assert (whole.invoice_count, whole.credit_note_count) == (3, 1)
    rates = {r["gst_rate"]: r for r in whole.by_rate}
    assert rates[Decimal("0.0800")]["subtotal"] == Decimal("137.50")  # 165.00 - 27.50 credited
    assert rates[Decimal("0.0800")]["gst"] == Decimal("11.00")
    assert rates[Decimal("0.0900")]["gst"] == Decimal("29.88")
    # the credit note is netted in the period it is issued, not the invoice's
    y2023 = gst_summary(date_from=date(2023, 1, 1), date_to=date(2023, 12, 31))
    assert (y2023.box1, y2023.box6, y2023.credit_note_count) == (Decimal("165.00"), Decimal("13.20"), 0)
    y2024 = gst_summary(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    assert (y2024.box1, y2024.box6) == (Decimal("331.97"), Decimal("29.88"))


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300] if hasattr(response, "content") else response
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _header(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


def test_gst_summary_api_json_and_csv(year_end, api, world):
    client = api(world.users["finance"])
    body = client.get("/api/reports/gst-summary/", {"from": "2024-01-01", "to": "2024-12-31"}).json()
    assert body["box1_standard_rated_supplies"] == "331.97" and body["box6_output_tax"] == "29.88"
    rows = {r["item"]: r["value"] for r in _csv(client.get("/api/reports/gst-summary/",
                                                           {"from": "2023-01-01", "to": today().isoformat(),
                                                            "format": "csv"}))}  # fmt: skip
    assert rows["box1_standard_rated_supplies"] == "469.47" and rows["box6_output_tax"] == "40.88"
    audit = AuditLog.objects.filter(entity_type="finance.gst_summary").order_by("id")
    assert [a.after["rows"] for a in audit] == [2, 4]
    assert audit.last().action == "finance.export" and audit.last().after["from"] == "2023-01-01"


def test_registers(year_end, api, world):
    a, b, c, note = year_end
    client = api(world.users["auditor"])
    period = {"from": "2023-12-01", "to": today().isoformat()}
    register = _csv(client.get("/api/exports/invoice-register.csv", period))
    assert [r["number"] for r in register] == [a.number, b.number, c.number]
    row_b = register[1]
    assert (row_b["total"], row_b["amount_paid"], row_b["outstanding"], row_b["status"]) == (
        "179.85", "100.35", "79.50", "PARTLY_PAID")  # fmt: skip
    payments = _csv(client.get("/api/exports/payments.csv", period))
    assert [(p["invoice_number"], p["amount"], p["received_date"]) for p in payments] == [
        (b.number, "100.35", "2024-01-20")]  # fmt: skip
    notes = _csv(client.get("/api/exports/credit-notes.csv", period))
    assert [(n["number"], n["invoice_number"], n["total"]) for n in notes] == [(note.number, a.number, "29.70")]
    assert sorted(a.after["rows"] for a in AuditLog.objects.filter(action="finance.export")) == [1, 1, 3]


def test_xero_file_header_lines_and_ties(year_end, api, world):
    a, b, c, note = year_end
    client = api(world.users["finance"])
    period = {"from": "2023-12-01", "to": today().isoformat()}
    response = client.get("/api/exports/accounting.csv", {**period, "system": "xero"})
    rows = _csv(response)
    assert _header(client.get("/api/exports/accounting.csv", {**period, "system": "xero"})) == XERO_INVOICE_HEADER
    invoice_rows = [r for r in rows if r["*InvoiceNumber"].startswith("INV-")]
    assert len(invoice_rows) == a.lines.count() + b.lines.count() + c.lines.count() == 4
    register = {r["number"]: r for r in _csv(client.get("/api/exports/invoice-register.csv", period))}
    for number, reg in register.items():
        lines = [r for r in invoice_rows if r["*InvoiceNumber"] == number]
        net = sum(Decimal(r["*Quantity"]) * Decimal(r["*UnitAmount"]) for r in lines)
        assert net == Decimal(reg["subtotal"]), number
        rate = {"0.0800": "Standard-Rated Supplies (8%)", "0.0900": "Standard-Rated Supplies (9%)"}[reg["gst_rate"]]
        assert {r["*TaxType"] for r in lines} == {rate}
    first = invoice_rows[0]
    assert (first["*InvoiceDate"], first["*DueDate"], first["*ContactName"]) == (
        "31/12/2023", "14/01/2024", a.customer_name)  # fmt: skip
    credit = [r for r in rows if r["*InvoiceNumber"] == note.number]
    assert [(r["*Quantity"], r["*UnitAmount"], r["Reference"]) for r in credit] == [("-1", "27.50", a.number)]
    payments = _csv(client.get("/api/exports/accounting.csv", {**period, "system": "xero", "kind": "payments"}))
    assert [(p["*Date"], p["*Amount"], p["Reference"]) for p in payments] == [("20/01/2024", "100.35", b.number)]


def test_quickbooks_file_header_lines_and_ties(year_end, api, world):
    a, b, c, note = year_end
    client = api(world.users["finance"])
    period = {"from": "2023-12-01", "to": today().isoformat()}
    assert _header(client.get("/api/exports/accounting.csv", {**period, "system": "quickbooks"})) == QBO_INVOICE_HEADER
    rows = _csv(client.get("/api/exports/accounting.csv", {**period, "system": "quickbooks"}))
    assert len(rows) == 4
    register = {r["number"]: r for r in _csv(client.get("/api/exports/invoice-register.csv", period))}
    for number, reg in register.items():
        lines = [r for r in rows if r["*InvoiceNo"] == number]
        assert sum(Decimal(r["*ItemAmount"]) for r in lines) == Decimal(reg["subtotal"])
        assert sum(Decimal(r["ItemTaxAmount"]) for r in lines) == Decimal(reg["gst_amount"])
        for r in lines:
            assert (Decimal(r["ItemQuantity"]) * Decimal(r["ItemRate"])).quantize(Decimal("0.01")) == Decimal(
                r["*ItemAmount"])  # fmt: skip
    c_lines = [r for r in rows if r["*InvoiceNo"] == c.number]
    assert [r["ItemTaxAmount"] for r in c_lines] == ["6.75", "8.28"]  # 15.03 split 74.97 : 92.00
    assert {r["*ItemTaxCode"] for r in c_lines} == {"SR 9%"}


def test_split_tax_adds_up_exactly():
    shares = split_tax([Decimal("0.01"), Decimal("0.01"), Decimal("0.01")], Decimal("0.01"))
    assert sum(shares) == Decimal("0.01") and sorted(shares) == [Decimal("0"), Decimal("0"), Decimal("0.01")]
    amounts = [Decimal("435.83"), Decimal("12.70"), Decimal("0.07")]
    assert sum(split_tax(amounts, Decimal("40.37"))) == Decimal("40.37")


@pytest.mark.parametrize(
    "path, params, field",
    [
        ("/api/exports/accounting.csv", {"from": "2026-01-01", "to": "2026-01-31", "system": "sage"}, "system"),
        ("/api/exports/accounting.csv", {"from": "2026-01-01", "to": "2026-01-31"}, "system"),
        ("/api/exports/accounting.csv", {"from": "2026-01-31", "to": "2026-01-01", "system": "xero"}, "to"),
        ("/api/exports/invoice-register.csv", {"to": "2026-01-31"}, "from"),
        ("/api/exports/payments.csv", {"from": "2026-01-01"}, "to"),
        ("/api/exports/credit-notes.csv", {"from": "2026-13-01", "to": "2026-01-31"}, "from"),
        ("/api/reports/gst-summary/", {"from": "2026-03-31", "to": "2026-01-01"}, "to"),
        ("/api/reports/gst-summary/", {"from": "2026-01-01", "to": "2026-03-31", "format": "csv", "x": "1"}, None),
        ("/api/exports/invoices.zip", {"from": "2025-01-01", "to": "2026-01-06"}, "to"),
        ("/api/exports/invoices.zip", {"from": "2025-01-01"}, "to"),
    ],
)
def test_bad_periods_are_400_with_fields(world, api, path, params, field):
    response = api(world.users["finance"]).get(path, params)
    if field is None:  # extra parameters are ignored
        assert response.status_code == 200
        return
    assert response.status_code == 400, response
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()["fields"]
    assert not AuditLog.objects.filter(action__startswith="finance.").exists()


def test_deposits_are_exported_outside_the_gst_base(world, api):
    """7 x 14 kg with 7 deposits, then 2 returned (a deposit credit note): the
    deposit rows carry no tax and go to the deposits account; the GST of the
    taxable rows still adds up to the invoice's."""
    from apps.billing.models import DepositRate
    from apps.billing.tests.helpers import deliver, delivery_body, post_delivery
    from apps.billing.tests.helpers import load_vehicle as load

    load(world, quantity=40)
    ct = world.types[1]
    DepositRate.objects.create(cylinder_type=ct, valid_from=date(2020, 1, 1), amount=Decimal("45.35"))
    lines = [{"cylinder_type": ct, "delivered_full": 7, "returned_empty": 0}]
    invoice = Invoice.objects.get(pk=deliver(world, lines=lines, payment_method="CHEQUE").invoice_id)
    body = delivery_body(world, lines=[{"cylinder_type": ct.pk, "delivered_full": 0, "returned_empty": 2}])
    note_id = post_delivery(api(world.users["driver"]), body).json()["deposit_credit_note"]["id"]
    note = CreditNote.objects.get(pk=note_id)
    assert (invoice.deposit_total, note.deposit_total) == (Decimal("317.45"), Decimal("90.70"))
    client = api(world.users["finance"])
    period = {"from": today().isoformat(), "to": today().isoformat()}
    xero = _csv(client.get("/api/exports/accounting.csv", {**period, "system": "xero"}))
    deposit_rows = [r for r in xero if r["*TaxType"] == "No Tax"]
    assert [(r["*InvoiceNumber"], r["*Quantity"], r["*UnitAmount"], r["*AccountCode"]) for r in deposit_rows] == [
        (invoice.number, "7", "45.35", "850"), (note.number, "-2", "45.35", "850")]  # fmt: skip
    assert {r["*AccountCode"] for r in xero if r not in deposit_rows} == {"200"}
    qbo = [r for r in _csv(client.get("/api/exports/accounting.csv", {**period, "system": "quickbooks"}))
           if r["*InvoiceNo"] == invoice.number]  # fmt: skip
    assert sum(Decimal(r["ItemTaxAmount"]) for r in qbo) == invoice.gst_amount
    assert sum(Decimal(r["*ItemAmount"]) for r in qbo) == invoice.subtotal + invoice.deposit_total
    assert [(r["*ItemTaxCode"], r["ItemTaxAmount"]) for r in qbo if r["*ItemTaxCode"] == "Out of Scope"] == [
        ("Out of Scope", "0.00")]  # fmt: skip


def test_money_sums_from_the_database_come_back_to_cents():
    """SQLite's SUM over decimals is floating point: the report sums are cents."""
    from apps.finance.selectors import _cents

    assert _cents(0.1 + 0.2) == Decimal("0.30") and _cents(5.7601e-15) == Decimal("0.00")
    assert _cents(None) == Decimal("0.00") and _cents(Decimal("469.47")) == Decimal("469.47")
