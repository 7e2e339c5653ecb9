"""Each kind of defect is caught by the schema or by the named rule meant for
it (a valid document, altered one way at a time); where the rule is the
specification's, the official rule files name the same rule for the same
defect, and every rule we re-state exists in them with the same flag and text."""

import re

import pytest

from apps.einvoice import schematron
from apps.einvoice.services import expected_of
from apps.einvoice.tests.helpers import CYL, DEP, MTR, issue
from apps.einvoice.ubl import invoice_xml
from apps.einvoice.validation import RULES, official_findings, validate

pytestmark = pytest.mark.django_db


def _sub(pattern: str, repl, count: int = 1):
    """``repl``: a replacement string, or a function of the match (str in, str out)."""
    if callable(repl):

        def encoded(m):
            return repl(re.match(pattern, m.group(0).decode(), flags=re.S)).encode()
    else:
        encoded = repl.encode()
    return lambda xml: re.sub(pattern.encode(), encoded, xml, count=count, flags=re.S)


CASES = [
    ("element order", _sub(r"(<cbc:DueDate>.*?</cbc:DueDate>\s*)(<cbc:InvoiceTypeCode>.*?</cbc:InvoiceTypeCode>)",
                           r"\2\1"), "UBL-XSD"),
    ("unknown element", _sub(r"<cbc:BuyerReference>", "<cbc:Buyer>x</cbc:Buyer><cbc:BuyerReference>"), "UBL-XSD"),
    ("no UUID", _sub(r"\s*<cbc:UUID>[^<]*</cbc:UUID>", ""), "BR-108-GST-SG"),
    ("no seller GST id", _sub(r"\s*<cac:PartyTaxScheme>.*?</cac:PartyTaxScheme>", ""), "BR-105-GST-SG"),
    ("no buyer post code", _sub(r"(<cac:AccountingCustomerParty>.*?)\s*<cbc:PostalZone>[^<]*</cbc:PostalZone>",
                                r"\1"), "BR-107-GST-SG"),
    ("unknown GST category", _sub(r"<cbc:ID>OS</cbc:ID>", "<cbc:ID>XX</cbc:ID>", 0), "BR-CL-17-GST-SG"),
    ("wrong SR rate", _sub(r"<cbc:Percent>9</cbc:Percent>", "<cbc:Percent>8</cbc:Percent>", 0), "LPG-GST-01"),
    ("wrong specification id", _sub(r"billing-1@sg-1", "billing-1@jp-1"), "LPG-SPEC-01"),
    ("malformed buyer endpoint", _sub(r"(<cac:AccountingCustomerParty>.*?<cbc:EndpointID schemeID=\"0195\">)SGUEN",
                                      r"\1"), "LPG-EP-02"),
    ("three decimals", _sub(r"(<cbc:TaxAmount currencyID=\"SGD\">)(\d+\.\d\d)<", r"\g<1>\g<2>0<"), "LPG-DEC-01"),
    ("line price", _sub(r"<cbc:PriceAmount currencyID=\"SGD\">24.99", '<cbc:PriceAmount currencyID="SGD">24.98'),
     "LPG-LINE-01"),
    ("line sum", _sub(r"(<cac:InvoiceLine>.*?<cbc:LineExtensionAmount currencyID=\"SGD\">)(\d+)\.", r"\g<1>1\2."),
     "ibr-co-10"),
    ("wrong specification id, Singapore's rule", _sub(r"billing-1@sg-1", "billing-1@jp-1"), "PEPPOL-EN16931-R004-SG"),
    ("wrong business process", _sub(r"<cbc:ProfileID>[^<]*<", "<cbc:ProfileID>urn:peppol:bis:other<"),
     "PEPPOL-EN16931-R007-SG"),
    ("no buyer reference", _sub(r"\s*<cbc:BuyerReference>[^<]*</cbc:BuyerReference>", ""), "PEPPOL-EN16931-R003-SG"),
    ("a second tax total with subtotals", _sub(r"(<cac:TaxTotal>.*?</cac:TaxTotal>)", r"\1\1"),
     "PEPPOL-EN16931-R053-SG"),
    ("malformed UUID", _sub(r"<cbc:UUID>([^<]*)</cbc:UUID>", r"<cbc:UUID>not-a-uuid</cbc:UUID>"), "BR-109-GST-SG"),
    ("payable, no due date nor terms", lambda xml: _sub(r"\s*<cac:PaymentTerms>.*?</cac:PaymentTerms>", "")(
        _sub(r"\s*<cbc:DueDate>[^<]*</cbc:DueDate>", "")(xml)), "BR-CO-25-SG"),
    ("line net beyond 2 cents", _sub(r"<cbc:PriceAmount currencyID=\"SGD\">24.99",
                                     '<cbc:PriceAmount currencyID="SGD">24.97'), "PEPPOL-EN16931-R120-SG"),
    ("no buyer country", _sub(r"(<cac:AccountingCustomerParty>.*?)<cac:Country>.*?</cac:Country>", r"\1"),
     "BR-11-SG"),
    ("total with GST off by a cent", _sub(r"(<cbc:TaxInclusiveAmount currencyID=\"SGD\">\d+\.\d)(\d)",
                                          lambda m: m.group(1) + str((int(m.group(2)) + 1) % 10)), "BR-CO-15-GST-SG"),
    ("category tax more than 2 off its rate", _sub(r"(<cac:TaxSubtotal>\s*<cbc:TaxableAmount currencyID=\"SGD\">"
                                                   r"[^<]*</cbc:TaxableAmount>\s*<cbc:TaxAmount currencyID=\"SGD\">)"
                                                   r"(\d+)\.", lambda m: f"{m.group(1)}{int(m.group(2)) + 5}."),
     "BR-CO-17-GST-SG"),
    ("no seller legal registration id", _sub(r"(<cac:AccountingSupplierParty>.*?<cac:PartyLegalEntity>.*?)"
                                             r"\s*<cbc:CompanyID[^>]*>[^<]*</cbc:CompanyID>", r"\1"), "BR-112-GST-SG"),
    ("an accounting currency on an SGD invoice", _sub(r"(<cbc:DocumentCurrencyCode>SGD</cbc:DocumentCurrencyCode>)",
                                                      r"\1<cbc:TaxCurrencyCode>SGD</cbc:TaxCurrencyCode>"),
     "BR-113-GST-SG"),
    ("category taxable amount with 3 decimals", _sub(r"(<cac:TaxSubtotal>\s*<cbc:TaxableAmount currencyID=\"SGD\">"
                                                     r"\d+\.\d\d)<", r"\g<1>0<"), "BR-DEC-19-SG"),
    ("payment means not in UNCL4461", _sub(r"<cbc:PaymentMeansCode>30<", "<cbc:PaymentMeansCode>99<"), "BR-CL-16-SG"),
    ("a line's category not Singapore's", _sub(r"(<cac:ClassifiedTaxCategory>\s*<cbc:ID>)SR<", r"\1S<"),
     "BR-CL-18-GST-SG"),
    ("a line without its unit code", _sub(r"(<cbc:InvoicedQuantity) unitCode=\"[^\"]*\"", r"\1"), "ibr-023"),
    ("a line without its item name", _sub(r"(<cac:Item>.*?)<cbc:Name>[^<]*</cbc:Name>", r"\1"), "ibr-025"),
    ("a negative net price", _sub(r"<cbc:PriceAmount currencyID=\"SGD\">24.99",
                                  '<cbc:PriceAmount currencyID="SGD">-24.99'), "ibr-027"),
    ("total without GST with 3 decimals", _sub(r"(<cbc:TaxExclusiveAmount currencyID=\"SGD\">\d+\.\d\d)<",
                                               r"\g<1>0<"), "BR-DEC-12-SG"),
    # defects only the official files name (this project does not re-state these rules)
    ("an endpoint scheme outside the EAS list", _sub(r"<cbc:EndpointID schemeID=\"0195\">",
                                                     '<cbc:EndpointID schemeID="9999">', 0), "ibr-cl-25"),
    ("an empty element", _sub(r"<cbc:BuyerReference>[^<]*<", "<cbc:BuyerReference><"), "ibr-079"),
    ("a net price with 3 decimals", _sub(r"<cbc:PriceAmount currencyID=\"SGD\">24.99<",
                                         '<cbc:PriceAmount currencyID="SGD">24.990<'), "IRASC5-097"),
    ("a base quantity in another unit", _sub(r"(<cbc:PriceAmount currencyID=\"SGD\">24.99</cbc:PriceAmount>)",
                                             r'\1<cbc:BaseQuantity unitCode="KGM">1</cbc:BaseQuantity>'), "ibr-088"),
]  # fmt: skip
# PINT-SG 1.4.1 states BR-DEC-19-SG and BR-DEC-20-SG on `cac:TaxTotal/cac:TaxSubtotal`, after a rule
# on `cac:TaxSubtotal` in the same pattern: Schematron fires one rule per node, so the official file
# never raises them. IRAS's file states the same rule, and raises it.
SHADOWED = {"BR-DEC-19-SG": "IRASC5-082", "BR-DEC-20-SG": "IRASC5-083"}


@pytest.mark.parametrize(("what", "alter", "rule"), CASES, ids=[c[0] for c in CASES])
def test_each_defect_is_named(world, what, alter, rule):
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "3", "24.99"), (DEP, "Cylinder deposit", "1", "45.35")])
    xml = invoice_xml(invoice)
    assert validate(xml, expected_of(invoice)).ok
    altered = alter(xml)
    assert altered != xml, what
    report = validate(altered, expected_of(invoice))
    assert not report.ok
    assert rule in {f.rule for f in report.errors}, [f.as_dict() for f in report.errors]
    if not rule.startswith(("LPG-", "UBL-XSD")):
        official = {f.rule for f in official_findings(altered) if f.flag == "fatal"}
        assert SHADOWED.get(rule, rule) in official, (what, official)


def test_every_restated_rule_is_the_official_one():
    """Same id, same flag, same text (spacing, quotes and a final full stop aside)."""
    official = schematron.rule_texts()

    def plain(text: str) -> str:
        return " ".join(text.replace("\u2019", "'").split()).rstrip(".").lower()

    restated = [rule for rule in RULES if not rule.id.startswith(("LPG-", "UBL-XSD"))]
    assert len(restated) > 70
    for rule in restated:
        assert rule.id in official, f"{rule.id} is in no official rule file"
        stated = {(flag, plain(text)) for flag, text in official[rule.id]}
        assert (rule.flag, plain(rule.text)) in stated, (rule.id, stated)


def test_the_official_files_pass_a_valid_document_and_state_every_rule_they_raise(world):
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "7", "26.45"), (MTR, "LPG by meter M1", "123.456", "2.3456"),
                            (DEP, "Cylinder deposit", "7", "45.35")])  # fmt: skip
    xml = invoice_xml(invoice)
    assert b"<cbc:BaseQuantity" in xml
    assert official_findings(xml) == []
    known = schematron.rule_texts()
    assert len(known) > 300 and {"ibr-001", "BR-108-GST-SG", "IRASC5-097"} <= set(known)


def test_rule_ids_are_unique_and_every_rule_has_a_text():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert all(rule.text and rule.flag in ("fatal", "warning") for rule in RULES)
