"""PINT-SG UBL 2.1 XML of a stored tax invoice or credit note.

Everything comes from the stored document (its lines, amounts, GST rate and
customer snapshot); nothing is priced or rounded again. docs/einvoice.md
maps every element to its source. The output is deterministic (same
document, same bytes), so the stored file can be named by its SHA-256."""

import re
import uuid
import xml.etree.ElementTree as ET  # noqa: S405  # building, never parsing untrusted input
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from apps.billing.enums import InvoiceLineKind
from apps.billing.models import CreditNote, Invoice
from apps.core.peppol import participant_for_uen, split_participant, uen_of_endpoint
from apps.einvoice.enums import DocumentKind

CUSTOMIZATION_ID = "urn:peppol:pint:billing-1@sg-1"
PROFILE_ID = "urn:peppol:bis:billing"
INVOICE_TYPE_CODE = "380"  # UNCL1001: commercial invoice
CREDIT_NOTE_TYPE_CODE = "381"  # UNCL1001: credit note
TAX_SCHEME = "GST"
SR = "SR"  # standard-rated: local supply of goods and services
OS = "OS"  # out of scope of the GST Act: cylinder deposits (not a supply)
COUNTRY = "SG"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ET.register_namespace("cac", CAC)
ET.register_namespace("cbc", CBC)

# UN/ECE Recommendation 20 unit codes
UNIT_PIECE = "H87"  # a cylinder (refill or deposit)
UNIT_ONE = "C62"  # a service, a whole-document credit
UNIT_KG = "KGM"
UNIT_M3 = "MTQ"

_UUID_NAMESPACE = uuid.UUID("6f1c4a52-3f0e-5b8e-9a0e-8f6b1c1d2e3f")


class EInvoiceBuildError(Exception):
    """The document cannot be expressed at all (not a rule failure)."""


@dataclass(frozen=True)
class Party:
    name: str
    street: str
    postal_code: str
    endpoint_scheme: str
    endpoint: str
    uen: str = ""
    gst_reg_no: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Line:
    position: int
    description: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    amount: Decimal
    category: str
    percent: Decimal


def document_uuid(kind: str, number: str) -> uuid.UUID:
    """cbc:UUID: one per document, forever (the number is unique per company)."""
    return uuid.uuid5(_UUID_NAMESPACE, f"{settings.COMPANY.get('uen', '')}:{kind}:{number}")


def _street_and_postal(address: str, postal_code: str = "") -> tuple[str, str]:
    """'21 Tuas South Avenue 6, Singapore 637019' -> ('21 Tuas South Avenue 6', '637019')."""
    text = (address or "").strip()
    found = re.search(r"(?:,\s*)?(?:Singapore\s*)?(\d{6})\s*$", text, flags=re.IGNORECASE)
    if found:
        postal_code = postal_code or found.group(1)
        text = text[: found.start()].strip().rstrip(",").strip()
    return text, postal_code


def endpoint_of(participant_id: str) -> tuple[str, str]:
    """(schemeID, EndpointID) of a participant id; ('', '') when missing or malformed
    (the rules then report it, with the rule's id and text)."""
    if not participant_id:
        return "", ""
    try:
        return split_participant(participant_id)
    except Exception:  # noqa: BLE001  # django ValidationError: reported by the rules
        return "", participant_id


def supplier_party() -> Party:
    company = settings.COMPANY
    uen = (company.get("uen") or "").strip()
    participant = (company.get("peppol_id") or "").strip() or (participant_for_uen(uen) if uen else "")
    scheme, endpoint = endpoint_of(participant)
    street, postal = _street_and_postal(company.get("address", ""))
    return Party(
        name=company.get("name", ""), street=street, postal_code=postal, endpoint_scheme=scheme, endpoint=endpoint,
        uen=uen, gst_reg_no=(company.get("gst_reg_no") or "").strip(), phone=company.get("phone", ""),
        email=company.get("email", ""),
    )  # fmt: skip


def buyer_participant(invoice: Invoice) -> str:
    """The customer's Peppol ID; else, for a customer with a UEN, the id SGNIC
    registers that UEN under; else none (households)."""
    customer = invoice.customer
    if customer.peppol_id:
        return customer.peppol_id
    uen = (invoice.customer_uen or "").strip()
    return participant_for_uen(uen) if uen else ""


def buyer_party(invoice: Invoice) -> Party:
    scheme, endpoint = endpoint_of(buyer_participant(invoice))
    street, postal = _street_and_postal(invoice.customer_address, invoice.customer_postal_code)
    # the UEN the customer is registered with on Peppol when the record has none (IRAS wants the
    # buyer's legal registration id: IRASC5-034)
    uen = (invoice.customer_uen or "").strip() or uen_of_endpoint(endpoint)
    return Party(
        name=invoice.customer_name, street=street, postal_code=postal, endpoint_scheme=scheme, endpoint=endpoint,
        uen=uen,
    )  # fmt: skip


def percent_of(rate: Decimal) -> Decimal:
    return (Decimal(rate) * 100).normalize()


def unit_code_for(kind: str, description: str) -> str:
    if kind == InvoiceLineKind.METER:  # the stored text ends with the meter's unit
        return UNIT_M3 if description.rstrip().endswith(("m³", "m3")) else UNIT_KG
    if kind in (InvoiceLineKind.CYLINDER, InvoiceLineKind.DEPOSIT):
        return UNIT_PIECE
    return UNIT_ONE


def _category(kind: str | None, rate: Decimal) -> tuple[str, Decimal]:
    if kind == InvoiceLineKind.DEPOSIT:
        return OS, Decimal(0)
    return SR, percent_of(rate)


def invoice_lines(invoice: Invoice) -> list[Line]:
    out = []
    for line in invoice.lines.order_by("position"):
        category, percent = _category(line.kind, invoice.gst_rate)
        out.append(
            Line(line.position, line.description, line.quantity, unit_code_for(line.kind, line.description),
                 line.unit_price, line.amount, category, percent)
        )  # fmt: skip
    return out


def credit_note_lines(note: CreditNote) -> list[Line]:
    out = []
    for i, line in enumerate(note.lines.select_related("invoice_line").order_by("id"), start=1):
        kind = line.invoice_line.kind if line.invoice_line is not None else None
        category, percent = _category(kind, note.gst_rate)
        unit = unit_code_for(kind, line.description) if kind else UNIT_ONE
        out.append(Line(i, line.description, line.quantity, unit, line.unit_price, line.amount, category, percent))
    return out


# -- text of values ------------------------------------------------------------------


def amount_text(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def quantity_text(value: Decimal) -> str:
    value = Decimal(value)
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def net_price(unit_price: Decimal) -> tuple[Decimal, Decimal]:
    """The Item net price (ibt-146) and its base quantity (ibt-149): a price with
    more than two decimals (metered gas is priced to four) is stated per 10 or
    100 units, so that the price has two (IRAS's IRASC5-097) and quantity x
    price / base quantity is still exactly the stored line's."""
    value = Decimal(unit_price).normalize()
    decimals = max(0, -value.as_tuple().exponent)  # type: ignore[operator]  # finite: a stored price
    base = Decimal(10) ** max(0, decimals - 2)
    return (value * base).quantize(Decimal("0.01")), base


def percent_text(value: Decimal) -> str:
    return quantity_text(value)


# -- the tree -------------------------------------------------------------------------


def _el(parent: ET.Element, ns: str, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ns}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def _cbc(parent, name, text=None, **attrs):
    return _el(parent, CBC, name, text, **attrs)


def _cac(parent, name):
    return _el(parent, CAC, name)


def _money(parent, name, value, currency):
    return _cbc(parent, name, amount_text(value), currencyID=currency)


def _party(parent: ET.Element, wrapper: str, party: Party, *, supplier: bool) -> None:
    node = _cac(_cac(parent, wrapper), "Party")
    if party.endpoint:
        attrs = {"schemeID": party.endpoint_scheme} if party.endpoint_scheme else {}
        _cbc(node, "EndpointID", party.endpoint, **attrs)
    if party.uen:
        _cbc(_cac(node, "PartyIdentification"), "ID", party.uen, schemeID="0195")
    _cbc(_cac(node, "PartyName"), "Name", party.name)
    address = _cac(node, "PostalAddress")
    if party.street:
        _cbc(address, "StreetName", party.street)
    _cbc(address, "CityName", "Singapore")
    if party.postal_code:
        _cbc(address, "PostalZone", party.postal_code)
    _cbc(_cac(address, "Country"), "IdentificationCode", COUNTRY)
    if supplier and party.gst_reg_no:
        scheme = _cac(node, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", party.gst_reg_no)
        _cbc(_cac(scheme, "TaxScheme"), "ID", TAX_SCHEME)
    legal = _cac(node, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", party.name)
    if party.uen:
        _cbc(legal, "CompanyID", party.uen, schemeID="0195")
    if supplier and (party.phone or party.email):
        contact = _cac(node, "Contact")
        if party.phone:
            _cbc(contact, "Telephone", party.phone)
        if party.email:
            _cbc(contact, "ElectronicMail", party.email)


def _tax_category(parent: ET.Element, name: str, category: str, percent: Decimal) -> None:
    node = _cac(parent, name)
    _cbc(node, "ID", category)
    _cbc(node, "Percent", percent_text(percent))
    _cbc(_cac(node, "TaxScheme"), "ID", TAX_SCHEME)


def _tax_total(root: ET.Element, lines: list[Line], gst: Decimal, currency: str) -> None:
    total = _cac(root, "TaxTotal")
    _money(total, "TaxAmount", gst, currency)
    for category in (SR, OS):
        own = [line for line in lines if line.category == category]
        if not own:
            continue
        sub = _cac(total, "TaxSubtotal")
        _money(sub, "TaxableAmount", sum((line.amount for line in own), Decimal(0)), currency)
        _money(sub, "TaxAmount", gst if category == SR else Decimal(0), currency)
        _tax_category(sub, "TaxCategory", category, own[0].percent)


def _monetary_total(root: ET.Element, lines: list[Line], total: Decimal, currency: str) -> None:
    node = _cac(root, "LegalMonetaryTotal")
    net = sum((line.amount for line in lines), Decimal(0))
    _money(node, "LineExtensionAmount", net, currency)
    _money(node, "TaxExclusiveAmount", net, currency)
    _money(node, "TaxInclusiveAmount", total, currency)
    _money(node, "PayableAmount", total, currency)


def _line(root: ET.Element, line: Line, *, credit: bool, currency: str) -> None:
    node = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(node, "ID", str(line.position))
    _cbc(node, "CreditedQuantity" if credit else "InvoicedQuantity", quantity_text(line.quantity),
         unitCode=line.unit_code)  # fmt: skip
    _money(node, "LineExtensionAmount", line.amount, currency)
    item = _cac(node, "Item")
    _cbc(item, "Name", line.description)
    _tax_category(item, "ClassifiedTaxCategory", line.category, line.percent)
    price = _cac(node, "Price")
    amount, base = net_price(line.unit_price)
    _cbc(price, "PriceAmount", amount_text(amount), currencyID=currency)
    if base != 1:
        _cbc(price, "BaseQuantity", quantity_text(base), unitCode=line.unit_code)


def _serialise(root: ET.Element, namespace: str) -> bytes:
    """The root's namespace as the default one (``<Invoice xmlns="...">``, as
    every Peppol example has it): ElementTree names it ns0, and only the root is in it."""
    ET.indent(root, space="  ")
    data = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    name = root.tag.split("}")[1].encode()
    data = data.replace(b"<ns0:" + name, b"<" + name, 1).replace(b"</ns0:" + name + b">", b"</" + name + b">")
    data = data.replace(b'xmlns:ns0="' + namespace.encode() + b'"', b'xmlns="' + namespace.encode() + b'"', 1)
    assert b"ns0:" not in data
    return data + b"\n"


def invoice_xml(invoice: Invoice) -> bytes:
    currency = invoice.currency
    lines = invoice_lines(invoice)
    root = ET.Element(f"{{{NS_INVOICE}}}Invoice")
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", invoice.number)
    _cbc(root, "UUID", str(document_uuid(DocumentKind.INVOICE, invoice.number)))
    _cbc(root, "IssueDate", invoice.issue_date.isoformat())
    _cbc(root, "DueDate", invoice.due_date.isoformat())
    _cbc(root, "InvoiceTypeCode", INVOICE_TYPE_CODE)
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "BuyerReference", invoice.customer.code)
    _party(root, "AccountingSupplierParty", supplier_party(), supplier=True)
    _party(root, "AccountingCustomerParty", buyer_party(invoice), supplier=False)
    _cbc(_cac(root, "Delivery"), "ActualDeliveryDate", invoice.supply_date.isoformat())
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", "30")  # UNCL4461: credit transfer (PayNow to the UEN, bank transfer)
    _cbc(means, "PaymentID", invoice.number)
    _cbc(_cac(root, "PaymentTerms"), "Note", invoice.payment_terms)
    _tax_total(root, lines, invoice.gst_amount, currency)
    _monetary_total(root, lines, invoice.total, currency)
    for line in lines:
        _line(root, line, credit=False, currency=currency)
    return _serialise(root, NS_INVOICE)


def credit_note_xml(note: CreditNote) -> bytes:
    invoice = note.invoice
    currency = invoice.currency
    lines = credit_note_lines(note)
    root = ET.Element(f"{{{NS_CREDIT_NOTE}}}CreditNote")
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", note.number)
    _cbc(root, "UUID", str(document_uuid(DocumentKind.CREDIT_NOTE, note.number)))
    _cbc(root, "IssueDate", note.issue_date.isoformat())
    _cbc(root, "CreditNoteTypeCode", CREDIT_NOTE_TYPE_CODE)
    _cbc(root, "Note", note.reason[:1000])
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "BuyerReference", invoice.customer.code)
    reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
    _cbc(reference, "ID", invoice.number)
    _cbc(reference, "IssueDate", invoice.issue_date.isoformat())
    _party(root, "AccountingSupplierParty", supplier_party(), supplier=True)
    _party(root, "AccountingCustomerParty", buyer_party(invoice), supplier=False)
    _tax_total(root, lines, note.gst_amount, currency)
    _monetary_total(root, lines, note.total, currency)
    for line in lines:
        _line(root, line, credit=True, currency=currency)
    return _serialise(root, NS_CREDIT_NOTE)


def document_xml(document: Invoice | CreditNote) -> bytes:
    if isinstance(document, Invoice):
        return invoice_xml(document)
    return credit_note_xml(document)
