"""Property: every tax invoice and credit note the services can issue (one to
twenty lines of cylinders at list or contract prices, services, metered gas,
deposits charged and refunded, zero prices, credit notes full and partial)
becomes an e-invoice that passes the UBL 2.1 schema and every fatal rule, and
whose totals equal the stored document's to the cent."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.billing.enums import InvoiceLineKind
from apps.einvoice.services import expected_of
from apps.einvoice.tests.helpers import CYL, DEP, MTR, SVC, credit_full, credit_lines, issue
from apps.einvoice.ubl import CAC, CBC, document_xml
from apps.einvoice.validation import validate

NS = {"cac": CAC, "cbc": CBC}

cents = st.integers(min_value=0, max_value=50_000).map(lambda c: Decimal(c) / 100)
meter_rate = st.integers(min_value=1, max_value=99_999).map(lambda c: Decimal(c) / 10_000)  # 4-decimal unit prices
line = st.one_of(
    st.tuples(st.just(CYL), st.sampled_from(["LPG 12.7 kg refill", "LPG 50 kg refill"]),
              st.integers(1, 40).map(Decimal), st.sampled_from([Decimal("24.99"), Decimal("27.50")]) | cents),
    st.tuples(st.just(SVC), st.sampled_from(["Delivery fee", "Installation"]), st.integers(1, 3).map(Decimal), cents),
    st.tuples(st.just(MTR), st.sampled_from(["LPG by meter M1: 1.000 to 9.500 kg", "LPG by meter M2: 0 to 3 m³"]),
              st.integers(1, 999_999).map(lambda q: Decimal(q) / 1000), meter_rate),
    st.tuples(st.just(DEP), st.just("Cylinder deposit 12.7 kg"), st.integers(1, 10).map(Decimal),
              st.sampled_from([Decimal("45.35"), Decimal("0.00"), Decimal("60.00")])),
)  # fmt: skip
plans = st.fixed_dictionaries({
    "lines": st.lists(line, min_size=1, max_size=20),
    "credit": st.sampled_from(["none", "full", "partial", "deposit"]),
    "fraction": st.floats(min_value=0.01, max_value=1.0),
    "day": st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
})  # fmt: skip


def _check(document) -> None:
    xml = document_xml(document)
    report = validate(xml, expected_of(document))
    assert report.ok, [f.as_dict() for f in report.errors]
    root = ET.fromstring(xml)
    assert Decimal(root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text) == document.total
    assert Decimal(root.find("cac:TaxTotal/cbc:TaxAmount", NS).text) == document.gst_amount


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans)
def test_every_issued_document_is_a_valid_pint_sg_einvoice(world, plan):
    invoice = issue(world, [(k, d, str(q), str(p)) for k, d, q, p in plan["lines"]], day=plan["day"])
    _check(invoice)
    lines = list(invoice.lines.order_by("position"))
    taxable = [li for li in lines if li.kind != InvoiceLineKind.DEPOSIT]
    deposits = [li for li in lines if li.kind == InvoiceLineKind.DEPOSIT]
    note = None
    try:
        if plan["credit"] == "full" and invoice.subtotal + invoice.gst_amount > 0:
            note = credit_full(world, invoice)
        elif plan["credit"] == "partial" and taxable:
            chosen = taxable[: max(1, int(len(taxable) * plan["fraction"]))]
            quantities = {li.position: max(Decimal("0.001"), (li.quantity * Decimal(str(plan["fraction"])))
                                           .quantize(Decimal("0.001"))) for li in chosen}  # fmt: skip
            quantities = {
                p: min(q, next(li.quantity for li in chosen if li.position == p)) for p, q in quantities.items()
            }
            if sum(li.amount for li in chosen) > 0:
                note = credit_lines(world, invoice, quantities)
        elif plan["credit"] == "deposit" and deposits and sum(li.amount for li in deposits) > 0:
            note = credit_lines(world, invoice, {li.position: li.quantity for li in deposits})
    except Exception as exc:  # the services refuse a credit that is zero or too much: not an e-invoice question
        if getattr(exc, "code", "") not in ("invalid", "credit_exceeds_remaining"):
            raise
        note = None
    if note is not None:
        _check(note)
