import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import override_settings

from apps.einvoice.enums import DocumentKind, EInvoiceStatus
from apps.einvoice.services import einvoice_render
from apps.einvoice.tests.helpers import CYL, DEP, SVC, credit_full, credit_lines, issue
from apps.einvoice.validation import validate

pytestmark = pytest.mark.django_db


def _peppol(customer, value="0195:SGUEN201912399K"):
    customer.peppol_id = value
    customer.save(update_fields=["peppol_id"])
    return customer


def test_an_invoice_with_a_deposit_is_ready_and_ties_to_the_pdf(world):
    _peppol(world.customers[0])
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "3", "24.99"), (SVC, "Delivery fee", "1", "5.00"),
                            (DEP, "Cylinder deposit 12.7 kg", "2", "45.35")])  # fmt: skip
    row = einvoice_render(kind=DocumentKind.INVOICE, document_id=invoice.pk)
    assert row.status == EInvoiceStatus.READY, row.errors
    assert row.payable_amount == invoice.total and row.tax_amount == invoice.gst_amount
    assert row.receiver_id == "0195:SGUEN201912399K"
    data = row.file.read()
    root = ET.fromstring(data)
    ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
          "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}  # fmt: skip
    assert Decimal(root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", ns).text) == invoice.total
    assert Decimal(root.find("cac:TaxTotal/cbc:TaxAmount", ns).text) == invoice.gst_amount
    # the same document again: the same row, the same bytes
    assert einvoice_render(kind=DocumentKind.INVOICE, document_id=invoice.pk).sha256 == row.sha256


def test_credit_notes_full_and_deposit_refund(world):
    invoice = issue(world, [(CYL, "LPG 14 kg refill", "2", "27.50"), (DEP, "Cylinder deposit 14 kg", "2", "45.35")])
    refund = credit_lines(world, invoice, {2: Decimal(1)})
    full = credit_full(world, invoice)
    for note in (refund, full):
        row = einvoice_render(kind=DocumentKind.CREDIT_NOTE, document_id=note.pk)
        assert row.status == EInvoiceStatus.READY, row.errors
        assert row.payable_amount == note.total


def test_a_household_without_uen_is_invalid_with_the_rule(world):
    customer = world.customers[1]
    customer.uen = ""
    customer.save(update_fields=["uen"])
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "1", "24.99")], customer=customer)
    row = einvoice_render(kind=DocumentKind.INVOICE, document_id=invoice.pk)
    assert row.status == EInvoiceStatus.INVALID
    # ours, then the official files: PINT's and IRAS's "buyer electronic address", IRAS's buyer UEN
    assert [e["rule"] for e in row.errors] == ["LPG-EP-02", "ibr-080", "IRASC5-027", "IRASC5-034"], row.errors
    assert [e.get("source", "") != "" for e in row.errors] == [False, True, True, True]


def test_a_company_without_uen_fails_named_rules(world, settings):
    company = {**settings.COMPANY, "uen": "", "peppol_id": ""}
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "1", "24.99")])
    with override_settings(COMPANY=company):
        row = einvoice_render(kind=DocumentKind.INVOICE, document_id=invoice.pk)
    rules = {e["rule"] for e in row.errors}
    assert row.status == EInvoiceStatus.INVALID and {"LPG-EP-01", "LPG-UEN-01"} <= rules, rules


def test_a_tampered_total_fails_the_totals_rules(world):
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "3", "24.99")])
    from apps.einvoice.services import expected_of
    from apps.einvoice.ubl import invoice_xml

    xml = invoice_xml(invoice).replace(
        b'<cbc:PayableAmount currencyID="SGD">81.72', b'<cbc:PayableAmount currencyID="SGD">81.73'
    )
    report = validate(xml, expected_of(invoice))
    # PINT's totals rule, Singapore's own statement of it, the tie to the stored invoice: nothing else
    assert {f.rule for f in report.errors} == {"ibr-co-16", "BR-CO-16-GST-SG", "LPG-TIE-01"}, report.errors
    # and the official files say the same (the shared rule as Singapore's file restates it)
    assert {f.rule for f in report.errors if f.source} == {"ibr-co-16", "BR-CO-16-GST-SG"}, report.errors


def test_a_customer_known_by_peppol_id_only_gets_its_uen_from_the_id(world):
    """IRAS wants the buyer's legal registration id (IRASC5-034): a customer whose record has no
    UEN but whose Peppol ID is a UEN one is stated with that UEN."""
    customer = world.customers[1]
    customer.uen, customer.peppol_id = "", "0195:SGUEN201533333R"
    customer.save(update_fields=["uen", "peppol_id"])
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "7", "26.45")], customer=customer)
    row = einvoice_render(kind=DocumentKind.INVOICE, document_id=invoice.pk)
    assert row.status == EInvoiceStatus.READY, row.errors
    from apps.einvoice.ubl import invoice_xml

    assert b'<cbc:CompanyID schemeID="0195">201533333R</cbc:CompanyID>' in invoice_xml(invoice)
