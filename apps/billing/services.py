"""Billing writes: invoices (issued inside the delivery's transaction), meter
readings, payments and credit notes. Each function keeps one invariant, stated
in its docstring. Numbers are taken last with ``sequence_next``, so a document
that rolls back gives its number back and the series stay gapless."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.audited import row_create, row_update
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.billing import issued
from apps.billing.enums import DeliveryPaymentMethod, InvoiceLineKind, InvoiceStatus
from apps.billing.issued import document_issued
from apps.billing.models import (
    CreditNote,
    CreditNoteLine,
    CustomerMeter,
    CustomerPrice,
    CylinderTypePrice,
    DepositRate,
    GstRate,
    Invoice,
    InvoiceLine,
    MeterReading,
    Payment,
    ServiceItem,
    ServiceItemPrice,
)
from apps.billing.pricing import gst_rate_on, invoice_totals, line_amount, split_gross
from apps.core.db import service_atomic
from apps.core.exceptions import ApplicationError, Forbidden, ValidationFailed, require_reason
from apps.core.locks import lock_entity, lock_entity_or_none, named_lock
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.core.sequences import sequence_next
from apps.core.typing import AnyRequest
from apps.customers.enums import PaymentTerms
from apps.customers.models import Customer
from apps.depots.models import CylinderType

INVOICE_DOCUMENT = "billing.invoice"
CREDIT_NOTE_DOCUMENT = "billing.creditnote"


class MeterReadingDecreased(ApplicationError):
    code = "meter_reading_decreased"
    status_code = 422


class Overpayment(ApplicationError):
    code = "overpayment"
    status_code = 422


class CreditExceedsRemaining(ApplicationError):
    code = "credit_exceeds_remaining"
    status_code = 422


class InsufficientTender(ApplicationError):
    code = "insufficient_tender"
    status_code = 422


class CreditNotAllowed(ApplicationError):
    code = "credit_not_allowed"
    status_code = 422
    default_detail = "This customer pays at the site; only credit customers may be invoiced on account."


# Paid at the door: the delivery records the payment in its own transaction.
DOOR_PAYMENT_METHODS = (DeliveryPaymentMethod.CASH, DeliveryPaymentMethod.PAYNOW)


def server_today() -> date:
    """The server's Singapore date: the issue date of a document numbered now."""
    return timezone.localdate()


def invoice_number(day: date) -> str:
    return sequence_next(slug=f"invoice/{day.year}", format_string=f"INV-{day.year}-{{value:06d}}")


def credit_note_number(day: date) -> str:
    return sequence_next(slug=f"credit_note/{day.year}", format_string=f"CN-{day.year}-{{value:06d}}")


def invoice_status_for(*, total: Decimal, paid: Decimal, credited: Decimal, refunded: Decimal = Decimal(0)) -> str:
    if total - paid - credited + refunded <= 0:
        return InvoiceStatus.PAID if paid > 0 or credited == 0 else InvoiceStatus.CREDITED
    if paid > 0:
        return InvoiceStatus.PARTLY_PAID
    if credited > 0:
        return InvoiceStatus.PARTLY_CREDITED
    return InvoiceStatus.ISSUED


@dataclass
class LineDraft:
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    cylinder_type: CylinderType | None = None
    service_item: ServiceItem | None = None
    amount: Decimal = field(init=False)

    def __post_init__(self) -> None:
        self.quantity = Decimal(self.quantity)
        self.amount = line_amount(self.quantity, self.unit_price)


def payment_terms_text(customer: Customer) -> tuple[str, int]:
    if customer.payment_terms == PaymentTerms.CREDIT and customer.credit_term_days:
        return f"Net {customer.credit_term_days} days", customer.credit_term_days
    if customer.payment_terms == PaymentTerms.CREDIT:
        return "Due on receipt (credit account)", 0
    return "Cash on delivery", 0


def payment_method_check(*, customer: Customer, payment_method: str) -> None:
    """CREDIT (on account) only for customers with credit terms
    (``Customer.payment_terms == "CREDIT"``): 422 ``credit_not_allowed``."""
    if payment_method == DeliveryPaymentMethod.CREDIT and customer.payment_terms != PaymentTerms.CREDIT:
        raise CreditNotAllowed()


def invoice_issue(
    *,
    actor: User,
    customer: Customer,
    payment_method: str,
    lines: list[LineDraft],
    supply_date: date | None = None,
    issue_date: date | None = None,
) -> Invoice:
    """Issue a tax invoice inside the caller's transaction. Invariant: the
    number is taken last (after every other lock of the document), the
    customer is snapshotted, and subtotal + GST = total to the cent.

    DEPOSIT lines are outside the GST base: ``subtotal`` and GST are those
    of the other lines, ``deposit_total`` the deposits, total = subtotal +
    GST + deposits (a database CHECK on cents holds it).

    Two dates: ``supply_date`` is when the goods were supplied (the
    delivery's date, from the device's clock; it picks the GST rate);
    ``issue_date`` is the server's Singapore date when the number is taken
    (today), so invoice numbers never go back in date. ``issue_date`` is only
    for callers that issue on a known server date (tests, migrations of old
    data); the series year follows the issue date."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice_issue must run inside the document's transaction")
    if not lines:
        raise ValidationFailed({"lines": ["An invoice needs at least one chargeable line."]})
    issue_date = issue_date or server_today()
    supply_date = supply_date or issue_date
    rate = gst_rate_on(supply_date)
    subtotal, gst, deposit_total, total = invoice_totals(
        (d.amount for d in lines if d.kind != InvoiceLineKind.DEPOSIT),
        (d.amount for d in lines if d.kind == InvoiceLineKind.DEPOSIT),
        rate,
    )
    terms, days = payment_terms_text(customer)
    number = invoice_number(issue_date)  # the last lock of the document
    invoice = Invoice.objects.create(
        number=number,
        customer=customer,
        customer_name=customer.name,
        customer_address=customer.site_address,
        customer_postal_code=customer.postal_code,
        customer_uen=customer.uen,
        issue_date=issue_date,
        supply_date=supply_date,
        due_date=issue_date + timedelta(days=days),
        payment_terms=terms,
        payment_method=payment_method,
        subtotal=subtotal,
        gst_rate=rate,
        gst_amount=gst,
        deposit_total=deposit_total,
        total=total,
        status=InvoiceStatus.ISSUED if total > 0 else InvoiceStatus.PAID,
        created_by=actor,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=i,
                kind=d.kind,
                description=d.description[:255],
                cylinder_type=d.cylinder_type,
                service_item=d.service_item,
                quantity=d.quantity,
                unit_price=d.unit_price,
                amount=d.amount,
            )
            for i, d in enumerate(lines, start=1)
        ]
    )
    audit_record(
        action=AuditAction.INVOICE_ISSUED,
        user=actor,
        entity_type=INVOICE_DOCUMENT,
        entity_id=invoice.pk,
        after={
            "number": number,
            "customer": customer.pk,
            "issue_date": issue_date,
            "supply_date": supply_date,
            "subtotal": subtotal,
            "gst_rate": rate,
            "gst_amount": gst,
            **({"deposit_total": deposit_total} if deposit_total else {}),
            "total": total,
        },
    )
    document_issued(kind=issued.INVOICE, document_id=invoice.pk, customer_id=customer.pk)
    return invoice


def meter_lock(*, customer: Customer) -> CustomerMeter | None:
    """Lock the customer's active meter (an entity row: before balances and
    numbers, ``apps/core/locks.py``); None when it has none."""
    return lock_entity_or_none(CustomerMeter.objects.filter(customer=customer, is_active=True))


def meter_reading_take(
    *, actor: User, customer: Customer, reading: Decimal, replacement: bool, read_at: datetime, delivery_id: int | None
) -> tuple[MeterReading, CustomerMeter]:
    """Record a reading on the customer's meter (row locked, so two readings
    never both count the same consumption). A reading below the last one is
    refused unless a supervisor records a meter replacement (new baseline)."""
    meter = meter_lock(customer=customer)  # held already when the delivery locked it first
    if meter is None:
        raise ValidationFailed({"meter_reading": ["This customer has no active meter."]})
    if replacement and role_of(actor) not in (Role.ADMIN, Role.SUPERVISOR):
        raise Forbidden("Only a supervisor may record a meter replacement.")
    last = meter.readings.order_by("-id").first()
    previous = last.reading if last is not None else None
    if replacement or previous is None:
        consumption = Decimal("0")
    elif reading < previous:
        raise MeterReadingDecreased(
            f"The reading {reading} is below the last reading {previous} of meter {meter.serial_number}.",
            extra={"last_reading": str(previous)},
        )
    else:
        consumption = reading - previous
    row = MeterReading.objects.create(
        meter=meter,
        reading=reading,
        previous_reading=previous,
        consumption=consumption,
        is_replacement=replacement,
        delivery_id=delivery_id,
        read_at=read_at,
        recorded_by=actor,
    )
    return row, meter


def _reading_text(value: Decimal) -> str:
    return f"{Decimal(value):.3f}"


def meter_line(meter: CustomerMeter, row: MeterReading) -> LineDraft | None:
    if row.consumption <= 0:
        return None
    return LineDraft(
        kind=InvoiceLineKind.METER,
        description=(
            f"LPG by meter {meter.serial_number}: {_reading_text(row.previous_reading or Decimal(0))} to "
            f"{_reading_text(row.reading)} {meter.get_unit_display()}"
        ),
        quantity=row.consumption,
        unit_price=meter.unit_rate,
    )


def _invoice_lock(invoice_id: int) -> Invoice:
    return lock_entity(Invoice.objects.filter(pk=invoice_id))


def _settlement_update(invoice: Invoice, *, paid: Decimal, credited: Decimal, refunded: Decimal | None = None) -> None:
    refunded = invoice.amount_refunded if refunded is None else refunded
    status = invoice_status_for(total=invoice.total, paid=paid, credited=credited, refunded=refunded)
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_paid=paid, amount_credited=credited, amount_refunded=refunded, status=status
    )
    invoice.amount_paid, invoice.amount_credited, invoice.amount_refunded = paid, credited, refunded
    invoice.status = status


@service_atomic
def payment_record(
    *,
    actor: User,
    invoice: Invoice,
    amount: Decimal,
    method: str,
    reference: str = "",
    received_at: datetime | None = None,
    amount_tendered: Decimal | None = None,
) -> Payment:
    """Record money received. Invariant: paid + credited never exceeds the
    total (compared in Decimal under the invoice's row lock, and again by the
    database's CHECK on whole cents). ``amount_tendered``: the cash handed
    over at the door, at least ``amount`` (the change is the difference)."""
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationFailed({"amount": ["Must be greater than zero."]})
    if amount_tendered is not None and Decimal(amount_tendered) < amount:
        raise InsufficientTender(
            f"{amount_tendered} tendered is less than the {amount} to pay.", extra={"amount_due": str(amount)}
        )
    locked = _invoice_lock(invoice.pk)
    due = locked.amount_due
    if amount > due:
        raise Overpayment(
            f"{amount} is more than the {due} still due on {locked.number}.", extra={"amount_due": str(due)}
        )
    before = {"status": locked.status, "amount_paid": locked.amount_paid}
    payment = Payment.objects.create(
        invoice=locked,
        amount=amount,
        method=method,
        reference=(reference or "")[:64],
        amount_tendered=amount_tendered,
        received_at=received_at or timezone.now(),
        recorded_by=actor,
    )
    _settlement_update(locked, paid=locked.amount_paid + amount, credited=locked.amount_credited)
    audit_record(
        action=AuditAction.PAYMENT_RECORDED,
        user=actor,
        entity_type=INVOICE_DOCUMENT,
        entity_id=locked.pk,
        before=before,
        after={
            "payment": payment.pk,
            "amount": amount,
            "method": method,
            "status": locked.status,
            "amount_paid": locked.amount_paid,
            **({"amount_tendered": amount_tendered} if amount_tendered is not None else {}),
        },
    )
    invoice.amount_paid, invoice.status = locked.amount_paid, locked.status
    return payment


def door_payment_record(
    *,
    actor: User,
    invoice: Invoice | None,
    payment_method: str,
    received_at: datetime,
    amount_tendered: Decimal | None = None,
    payment_reference: str = "",
) -> Payment | None:
    """Inside the delivery's transaction: a CASH or PAYNOW delivery is paid at
    the door, in full. CASH: ``amount_tendered`` defaults to the total; less
    than the total is refused (422 ``insufficient_tender``, the whole delivery
    rolls back). PAYNOW: the optional reference is kept on the payment.
    Nothing to pay (no invoice, or a zero total): no payment row."""
    if payment_method not in DOOR_PAYMENT_METHODS:
        return None
    total = invoice.total if invoice is not None else Decimal("0.00")
    if amount_tendered is not None and Decimal(amount_tendered) < total:
        raise InsufficientTender(
            f"{amount_tendered} tendered is less than the total of {total}.", extra={"amount_due": str(total)}
        )
    if invoice is None or total <= 0:
        return None
    tendered = None
    if payment_method == DeliveryPaymentMethod.CASH:
        tendered = total if amount_tendered is None else Decimal(amount_tendered)
    return payment_record(
        actor=actor,
        invoice=invoice,
        amount=total,
        method=payment_method,
        reference=payment_reference if payment_method == DeliveryPaymentMethod.PAYNOW else "",
        received_at=received_at,
        amount_tendered=tendered,
    )


@transaction.atomic
def credit_note_create(*, actor: User, invoice: Invoice, reason: str, lines: list[dict] | None = None) -> CreditNote:
    """Credit all (no ``lines``) or part of an invoice. Invariant: the credit
    never exceeds what is still due on the invoice, nor a line's uncredited
    quantity; numbered CN-YYYY-NNNNNN, taken last.

    Deposits are not credited here: a DEPOSIT line is refunded when the
    cylinders come back (``apps.billing.deposits``), so the customer's
    deposit ledger always explains its credit notes. A credit of the whole
    invoice leaves out the deposits still held."""
    reason = require_reason(reason, "A reason is required.")
    locked = _invoice_lock(invoice.pk)
    if lines:
        for i, line in enumerate(lines):
            if line["invoice_line"].kind == InvoiceLineKind.DEPOSIT:
                raise ValidationFailed(
                    {"lines": {i: {"invoice_line": ["A deposit is refunded when the cylinders come back."]}}}
                )
        return credit_note_lines_issue(actor=actor, invoice=locked, reason=reason, lines=lines)
    due = locked.amount_due
    if locked.deposit_total > 0:  # deposits still held stay on the invoice
        # summed in Decimal here: SQLite's SUM over decimals is floating point
        refunded = sum(CreditNote.objects.filter(invoice=locked).values_list("deposit_total", flat=True), Decimal("0"))
        due -= locked.deposit_total - refunded
    if due <= 0:
        raise CreditExceedsRemaining(f"Nothing is left to credit on {locked.number}.")
    subtotal, gst = split_gross(due, locked.gst_rate)
    draft = CreditNoteLine(
        description=f"Credit of invoice {locked.number}", quantity=1, unit_price=subtotal, amount=subtotal
    )
    return _credit_note_write(
        actor=actor, invoice=locked, reason=reason, drafts=[draft], figures=(subtotal, gst, Decimal("0.00"), due)
    )


def credit_note_lines_issue(
    *, actor: User, invoice: Invoice, reason: str, lines: list[dict], refund_beyond_due: bool = False
) -> CreditNote:
    """Credit chosen quantities of lines of ``invoice`` (row-locked by the
    caller) at their unit prices: GST on the taxable lines only, none on
    DEPOSIT lines (``deposit_total``). Never more than a line's uncredited
    quantity. Beyond what is still due: refused (422
    ``credit_exceeds_remaining``), or with ``refund_beyond_due`` (a deposit
    refund on a paid invoice) recorded as ``amount_refunded``, money paid
    back to the customer."""
    credited = dict(
        CreditNoteLine.objects.filter(credit_note__invoice=invoice, invoice_line__isnull=False)
        .values("invoice_line")
        .annotate(q=Sum("quantity"))
        .values_list("invoice_line", "q")
    )
    drafts: list[CreditNoteLine] = []
    kinds: list[str] = []
    for i, line in enumerate(lines):
        inv_line, qty = line["invoice_line"], Decimal(line["quantity"])
        if inv_line.invoice_id != invoice.pk:
            raise ValidationFailed({"lines": {i: {"invoice_line": ["Not a line of this invoice."]}}})
        left = inv_line.quantity - credited.get(inv_line.pk, Decimal("0"))
        if qty <= 0 or qty > left:
            raise ValidationFailed({"lines": {i: {"quantity": [f"Between 0 and {left} may still be credited."]}}})
        credited[inv_line.pk] = credited.get(inv_line.pk, Decimal("0")) + qty
        kinds.append(inv_line.kind)
        drafts.append(
            CreditNoteLine(
                invoice_line=inv_line,
                description=inv_line.description,
                quantity=qty,
                unit_price=inv_line.unit_price,
                amount=line_amount(qty, inv_line.unit_price),
            )
        )
    pairs = list(zip(kinds, drafts, strict=True))
    figures = invoice_totals(
        (d.amount for k, d in pairs if k != InvoiceLineKind.DEPOSIT),
        (d.amount for k, d in pairs if k == InvoiceLineKind.DEPOSIT),
        invoice.gst_rate,
    )
    total = figures[3]
    if total <= 0:
        raise ValidationFailed({"lines": ["The credit must be greater than zero."]})
    due = invoice.amount_due
    if total > due and not refund_beyond_due:
        raise CreditExceedsRemaining(
            f"A credit of {total} is more than the {due} remaining on {invoice.number}.",
            extra={"amount_due": str(due)},
        )
    return _credit_note_write(actor=actor, invoice=invoice, reason=reason, drafts=drafts, figures=figures)


def _credit_note_write(
    *,
    actor: User,
    invoice: Invoice,
    reason: str,
    drafts: list[CreditNoteLine],
    figures: tuple[Decimal, Decimal, Decimal, Decimal],
) -> CreditNote:
    """Number (taken last), credit note, lines, the invoice's settlement and
    the audit row. The part of the credit beyond what was still due is
    ``amount_refunded`` (only a deposit refund gets here with such a part)."""
    subtotal, gst, deposit_total, total = figures
    refunded = max(Decimal("0.00"), total - max(invoice.amount_due, Decimal("0.00")))
    today = server_today()
    number = credit_note_number(today)  # last lock
    note = CreditNote.objects.create(
        number=number,
        invoice=invoice,
        reason=reason,
        issue_date=today,
        subtotal=subtotal,
        gst_rate=invoice.gst_rate,
        gst_amount=gst,
        deposit_total=deposit_total,
        total=total,
        amount_refunded=refunded,
        created_by=actor,
    )
    for d in drafts:
        d.credit_note = note
    CreditNoteLine.objects.bulk_create(drafts)
    before = {"status": invoice.status, "amount_credited": invoice.amount_credited}
    _settlement_update(
        invoice,
        paid=invoice.amount_paid,
        credited=invoice.amount_credited + total,
        refunded=invoice.amount_refunded + refunded,
    )
    audit_record(
        action=AuditAction.CREDIT_NOTE_ISSUED,
        user=actor,
        entity_type=INVOICE_DOCUMENT,
        entity_id=invoice.pk,
        before=before,
        after={
            "credit_note": number,
            "total": total,
            **({"deposit_total": deposit_total} if deposit_total else {}),
            **({"amount_refunded": refunded} if refunded else {}),
            "reason": reason,
            "status": invoice.status,
        },
    )
    document_issued(kind=issued.CREDIT_NOTE, document_id=note.pk, customer_id=invoice.customer_id)
    return note


class PdfBusy(OSError):
    """Another worker has held this invoice's render lock for PDF_LOCK_WAIT
    seconds: the task is retried (an OSError: the render task retries those)."""


PDF_LOCK_WAIT = 60.0  # a render takes a fraction of a second; a minute means a stuck one


def _pdf_present(invoice: Invoice) -> bool:
    return bool(invoice.pdf_rendered_at and invoice.pdf.name and invoice.pdf.storage.exists(invoice.pdf.name))


def invoice_pdf_render(
    *, invoice_id: int, to_pdf: Callable[[str], bytes] | None = None, only_if_missing: bool = False
) -> Invoice:
    """Render and store the tax invoice PDF. Runs after commit (Celery task
    queued with on_commit), on first download or e-mail, or from the sweep
    (``apps.deliveries.tasks.invoice_pdf_sweep``); never inside a transaction,
    so the invoice number is never held hostage to rendering. ``to_pdf``
    (HTML -> PDF bytes) lets a caller render in a child process (finance's ZIP).

    One render of an invoice at a time (a named lock, so a redelivered task,
    the sweep and a download never render it side by side); ``only_if_missing``:
    a PDF already stored is returned as it is (the first render after issue, a
    redelivered task, the sweep), otherwise it is rendered again (a signature
    uploaded since). ``pdf_rendered_at`` is the moment the render read the
    invoice, so a signature uploaded during a render is seen as newer. A file
    under the invoice's own name while the row records none was left by a
    first render that died before recording it (a killed worker, a full
    disk): it is replaced, never kept beside the new one."""
    from django.core.files.base import ContentFile

    from apps.billing.pdf import html_to_pdf, invoice_pdf_html

    if only_if_missing:
        invoice = Invoice.objects.get(pk=invoice_id)
        if _pdf_present(invoice):  # the usual case, without the lock's two statements
            return invoice
    with named_lock(f"lpg-invoice-pdf-{invoice_id}", wait=PDF_LOCK_WAIT) as taken:
        if not taken:
            raise PdfBusy(f"invoice {invoice_id}: another render has held the lock for {PDF_LOCK_WAIT:g} s")
        invoice = Invoice.objects.get(pk=invoice_id)
        if only_if_missing and _pdf_present(invoice):
            return invoice
        started = timezone.now()
        data = (to_pdf or html_to_pdf)(invoice_pdf_html(invoice))
        storage = invoice.pdf.storage
        name = invoice.pdf.field.generate_filename(invoice, f"{invoice.number}.pdf")
        if not invoice.pdf.name and storage.exists(name):
            storage.delete(name)  # a dead first render's leftover (possibly cut short), never recorded
        # The file this render writes: the invoice's own name, or beside the PDF already
        # recorded (a re-render); chosen here so that a failed write removes its own
        # partial file, never the recorded one (under the lock no other render picks it).
        target = storage.get_available_name(name)
        try:
            stored = storage.save(target, ContentFile(data))
        except OSError:
            if target != invoice.pdf.name and storage.exists(target):
                storage.delete(target)  # cut short (a full disk): no half file left behind
            raise
        Invoice.objects.filter(pk=invoice.pk).update(pdf=stored, pdf_rendered_at=started)
        invoice.pdf.name, invoice.pdf_rendered_at = stored, started
        return invoice


def invoice_pdf_download(*, actor: User, invoice: Invoice, request: AnyRequest | None = None) -> bytes:
    """The stored PDF (rendered now if missing); every download is audited."""
    if not _pdf_present(invoice):
        invoice = invoice_pdf_render(invoice_id=invoice.pk, only_if_missing=True)
    with invoice.pdf.open("rb") as fh:
        data = fh.read()
    audit_record(
        action=AuditAction.INVOICE_PDF_DOWNLOADED,
        user=actor,
        entity_type=INVOICE_DOCUMENT,
        entity_id=invoice.pk,
        after={"number": invoice.number, "file": invoice.pdf.name},
        request=request,
    )
    return data


# -- prices, GST rates, service items and meters: reference data -----------------
#
# Written by admins only, from the Django admin, through these functions (each
# atomic, with its audit row: apps.audit.audited). Prices and GST rates are
# dated rows: the row in force on an invoice's supply date priced it. A dated
# row is fixed once an invoice dated on or after its ``valid_from`` uses it
# (for its scope): creating, moving or changing it would re-price invoiced
# days. A later change is a new dated row from a day not yet invoiced.


class PricePeriodInvoiced(ApplicationError):
    code = "price_period_invoiced"
    status_code = 409


def _invoiced_from(scope: QuerySet[Invoice], day: date, what: str) -> None:
    first = list(scope.filter(supply_date__gte=day).order_by("supply_date").values_list("supply_date", flat=True)[:1])
    if first:
        raise PricePeriodInvoiced(
            f"{what} from {day:%d/%m/%Y} would change invoiced days (an invoice is dated "
            f"{first[0]:%d/%m/%Y}): add a new dated row from a day that is not invoiced yet.",
            extra={"first_invoiced": first[0].isoformat()},
        )


def _earliest(before: Any, after: Any) -> date:
    return min(after.valid_from, before.valid_from) if before is not None else after.valid_from


def gst_rate_check(before: GstRate | None, after: GstRate) -> None:
    """No invoice is supplied on or after the earliest date the change touches."""
    _invoiced_from(Invoice.objects.all(), _earliest(before, after), "A GST rate")


def cylinder_type_price_check(before: CylinderTypePrice | None, after: CylinderTypePrice) -> None:
    for row in {after.cylinder_type_id, getattr(before, "cylinder_type_id", after.cylinder_type_id)} - {None}:
        _invoiced_from(Invoice.objects.filter(lines__cylinder_type_id=row), _earliest(before, after), "A list price")


def customer_price_check(before: CustomerPrice | None, after: CustomerPrice) -> None:
    rows = {(row.customer_id, row.cylinder_type_id) for row in (before, after) if row is not None} - {(None, None)}
    for customer_id, cylinder_type_id in rows:
        scope = Invoice.objects.filter(customer_id=customer_id, lines__cylinder_type_id=cylinder_type_id)
        _invoiced_from(scope, _earliest(before, after), "A customer price")


def service_item_price_check(before: ServiceItemPrice | None, after: ServiceItemPrice) -> None:
    for row in {after.service_item_id, getattr(before, "service_item_id", after.service_item_id)} - {None}:
        _invoiced_from(Invoice.objects.filter(lines__service_item_id=row), _earliest(before, after), "A service price")


def deposit_rate_check(before: DepositRate | None, after: DepositRate) -> None:
    """Fixed once an invoice with a deposit line of that type is supplied on or after it."""
    for row in {after.cylinder_type_id, getattr(before, "cylinder_type_id", after.cylinder_type_id)} - {None}:
        scope = Invoice.objects.filter(lines__cylinder_type_id=row, lines__kind=InvoiceLineKind.DEPOSIT)
        _invoiced_from(scope, _earliest(before, after), "A deposit rate")


def gst_rate_create(*, actor: User, data: Mapping[str, Any]) -> GstRate:
    return row_create(actor=actor, model=GstRate, data=data, action=AuditAction.PRICE_CREATED, check=gst_rate_check)


def gst_rate_update(*, actor: User, gst_rate: GstRate, data: Mapping[str, Any]) -> GstRate:
    return row_update(actor=actor, instance=gst_rate, data=data, action=AuditAction.PRICE_CHANGED, check=gst_rate_check)


def cylinder_type_price_create(*, actor: User, data: Mapping[str, Any]) -> CylinderTypePrice:
    return row_create(
        actor=actor, model=CylinderTypePrice, data=data, action=AuditAction.PRICE_CREATED,
        check=cylinder_type_price_check,
    )  # fmt: skip


def cylinder_type_price_update(*, actor: User, price: CylinderTypePrice, data: Mapping[str, Any]) -> CylinderTypePrice:
    return row_update(
        actor=actor, instance=price, data=data, action=AuditAction.PRICE_CHANGED, check=cylinder_type_price_check
    )


def deposit_rate_create(*, actor: User, data: Mapping[str, Any]) -> DepositRate:
    return row_create(
        actor=actor, model=DepositRate, data=data, action=AuditAction.PRICE_CREATED, check=deposit_rate_check
    )


def deposit_rate_update(*, actor: User, rate: DepositRate, data: Mapping[str, Any]) -> DepositRate:
    return row_update(actor=actor, instance=rate, data=data, action=AuditAction.PRICE_CHANGED, check=deposit_rate_check)


def customer_price_create(*, actor: User, data: Mapping[str, Any]) -> CustomerPrice:
    return row_create(
        actor=actor, model=CustomerPrice, data=data, action=AuditAction.PRICE_CREATED, check=customer_price_check
    )


def customer_price_update(*, actor: User, price: CustomerPrice, data: Mapping[str, Any]) -> CustomerPrice:
    return row_update(
        actor=actor, instance=price, data=data, action=AuditAction.PRICE_CHANGED, check=customer_price_check
    )


def service_item_create(*, actor: User, data: Mapping[str, Any]) -> ServiceItem:
    return row_create(actor=actor, model=ServiceItem, data=data)


def service_item_update(*, actor: User, service_item: ServiceItem, data: Mapping[str, Any]) -> ServiceItem:
    return row_update(actor=actor, instance=service_item, data=data)


def service_item_price_create(*, actor: User, data: Mapping[str, Any]) -> ServiceItemPrice:
    return row_create(
        actor=actor, model=ServiceItemPrice, data=data, action=AuditAction.PRICE_CREATED,
        check=service_item_price_check,
    )  # fmt: skip


def service_item_price_update(*, actor: User, price: ServiceItemPrice, data: Mapping[str, Any]) -> ServiceItemPrice:
    return row_update(
        actor=actor, instance=price, data=data, action=AuditAction.PRICE_CHANGED, check=service_item_price_check
    )


def customer_meter_create(*, actor: User, data: Mapping[str, Any]) -> CustomerMeter:
    return row_create(actor=actor, model=CustomerMeter, data=data)


def customer_meter_update(*, actor: User, meter: CustomerMeter, data: Mapping[str, Any]) -> CustomerMeter:
    """``unit_rate`` is not dated: issued invoices keep the rate they were
    billed at; the new rate applies to readings billed from now on. A new
    meter (serial number) takes a replacement reading as its new baseline."""
    return row_update(actor=actor, instance=meter, data=data)
