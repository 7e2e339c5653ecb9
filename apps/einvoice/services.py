"""E-invoicing writes: render (build, validate, store) the PINT-SG XML of a
stored tax invoice or credit note, serve it, and transmit it through the
access point's outbox. Each function keeps one invariant, in its docstring.

Rendering happens after the document's transaction has committed (a Celery
task queued by billing's ``document_issued`` hook, or on first download),
never while a row lock of the document is held."""

import hashlib
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.billing.issued import CREDIT_NOTE, INVOICE
from apps.billing.models import CreditNote, Invoice
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.locks import lock_entity, lock_entity_or_none
from apps.core.typing import AnyRequest
from apps.customers.models import Customer
from apps.einvoice import ubl
from apps.einvoice.access_point import DELIVERED, REJECTED, AccessPoint, TransientError, configured_access_point
from apps.einvoice.enums import DocumentKind, EInvoiceAction, EInvoiceStatus, TransmissionStatus
from apps.einvoice.models import EInvoice, ImmutableEInvoice, Transmission
from apps.einvoice.validation import Expected, validate

EINVOICE = "einvoice.einvoice"
TRANSMISSION = "einvoice.transmission"
Document = Invoice | CreditNote


class EInvoiceInvalid(ApplicationError):
    code = "einvoice_invalid"
    status_code = 422


def document_of(kind: str, document_id: int) -> Document:
    if kind == DocumentKind.INVOICE:
        return Invoice.objects.select_related("customer").get(pk=document_id)
    return CreditNote.objects.select_related("invoice", "invoice__customer").get(pk=document_id)


def expected_of(document: Document) -> Expected:
    return Expected(total=document.total, gst=document.gst_amount, subtotal=document.subtotal,
                    deposit_total=document.deposit_total, gst_rate=document.gst_rate)  # fmt: skip


def storage_name(sha256: str) -> str:
    """Content-addressed: einvoices/<2 hex>/<sha256>.xml (same bytes, same name)."""
    return f"einvoices/{sha256[:2]}/{sha256}.xml"


def _store(data: bytes) -> tuple[str, str]:
    sha256 = hashlib.sha256(data).hexdigest()
    name = storage_name(sha256)
    if not default_storage.exists(name):
        stored = default_storage.save(name, ContentFile(data))
        if stored != name:  # a concurrent writer won the name with the same bytes
            default_storage.delete(stored)
    return name, sha256


def _holding_locks() -> bool:
    from django.db import connection

    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def einvoice_render(*, kind: str, document_id: int) -> EInvoice:
    """Build, validate and store the e-invoice of one document. Invariant: a
    READY e-invoice is never rendered again (its bytes and UUID are final);
    only a document that passes every fatal rule becomes READY, and then its
    transmission is queued in the same transaction (when the buyer has an
    endpoint and an access point is configured). A failure is stored on the
    row with every failed rule's id and text, for finance to see."""
    if _holding_locks():
        raise RuntimeError("E-invoices are rendered after commit, never inside a transaction.")
    document = document_of(kind, document_id)
    field = "invoice" if kind == DocumentKind.INVOICE else "credit_note"
    existing = EInvoice.objects.filter(**{field: document}).first()
    if existing is not None and existing.status == EInvoiceStatus.READY:
        return existing
    xml = ubl.document_xml(document)
    report = validate(xml, expected_of(document))
    name, sha256 = _store(xml) if report.ok else ("", "")
    invoice = document if isinstance(document, Invoice) else document.invoice
    supplier, buyer = ubl.supplier_party(), ubl.buyer_party(invoice)
    values: dict[str, Any] = {
        "kind": kind, "number": document.number, "uuid": ubl.document_uuid(kind, document.number),
        "status": EInvoiceStatus.READY if report.ok else EInvoiceStatus.INVALID,
        "errors": [f.as_dict() for f in report.errors], "warnings": [f.as_dict() for f in report.warnings],
        "sha256": sha256, "file": name, "size": len(xml) if report.ok else 0,
        "sender_id": f"{supplier.endpoint_scheme}:{supplier.endpoint}" if supplier.endpoint else "",
        "receiver_id": f"{buyer.endpoint_scheme}:{buyer.endpoint}" if buyer.endpoint else "",
        "payable_amount": document.total, "tax_amount": document.gst_amount, "issue_date": document.issue_date,
        "rendered_at": timezone.now(),
    }  # fmt: skip
    try:
        with transaction.atomic():
            row = lock_entity_or_none(EInvoice.objects.filter(**{field: document}))
            if row is not None and row.status == EInvoiceStatus.READY:
                return row  # a concurrent render finished first
            if row is None:
                row = EInvoice.objects.create(**{field: document}, **values)
            else:
                EInvoice.objects.filter(pk=row.pk).update(**values)
                row.refresh_from_db()
            audit_record(
                action=EInvoiceAction.RENDERED if report.ok else EInvoiceAction.INVALID,
                entity_type=EINVOICE, entity_id=row.pk,
                after={"number": row.number, "kind": kind, "uuid": str(row.uuid), "sha256": sha256,
                       "errors": [f.rule for f in report.errors]},
            )  # fmt: skip
            if report.ok:
                transmission_queue(einvoice=row)
    except IntegrityError:  # two first renders at once: the other row stands
        return EInvoice.objects.get(**{field: document})
    return row


def einvoice_render_if_missing(*, kind: str, document_id: int) -> EInvoice:
    field = "invoice" if kind == DocumentKind.INVOICE else "credit_note"
    row = EInvoice.objects.filter(**{f"{field}_id": document_id}).first()
    if row is not None and row.status == EInvoiceStatus.READY:
        return row
    return einvoice_render(kind=kind, document_id=document_id)


def document_issued_listener(kind: str, document_id: int, customer_id: int) -> None:
    """billing's ``document_issued`` hook, after commit: customers with a Peppol
    ID are e-invoiced automatically (others on request: download, admin)."""
    if not getattr(settings, "EINVOICE_ON_ISSUE", True):
        return
    if not Customer.objects.filter(pk=customer_id).exclude(peppol_id="").exists():
        return
    from apps.einvoice.tasks import einvoice_render_task

    einvoice_render_task.delay(DocumentKind.INVOICE if kind == INVOICE else DocumentKind.CREDIT_NOTE, document_id)


assert {INVOICE, CREDIT_NOTE} == {DocumentKind.INVOICE.value, DocumentKind.CREDIT_NOTE.value}


def missing_einvoices(*, days: int = 30, limit: int = 500) -> list[tuple[str, int]]:
    """Documents of customers with a Peppol ID issued in the last ``days``
    without an e-invoice (the after-commit task was lost)."""
    since = timezone.localdate() - timedelta(days=days)
    invoices = Invoice.objects.filter(issue_date__gte=since, einvoice__isnull=True).exclude(customer__peppol_id="")
    notes = CreditNote.objects.filter(issue_date__gte=since, einvoice__isnull=True).exclude(
        invoice__customer__peppol_id=""
    )
    found = [(DocumentKind.INVOICE.value, pk) for pk in invoices.order_by("id").values_list("pk", flat=True)[:limit]]
    found += [(DocumentKind.CREDIT_NOTE.value, pk) for pk in notes.order_by("id").values_list("pk", flat=True)[:limit]]
    return found


def einvoice_bytes(einvoice: EInvoice) -> bytes:
    with default_storage.open(einvoice.file.name or "", "rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != einvoice.sha256:
        raise ImmutableEInvoice(f"The stored e-invoice {einvoice.file.name} does not match its SHA-256.")
    return data


def einvoice_download(
    *, actor: User, kind: str, document_id: int, request: AnyRequest | None = None
) -> tuple[EInvoice, bytes]:
    """The stored XML (rendered now if missing); every download is audited.
    An invalid document answers 422 ``einvoice_invalid`` with the failed rules."""
    row = einvoice_render_if_missing(kind=kind, document_id=document_id)
    if row.status != EInvoiceStatus.READY:
        raise EInvoiceInvalid(
            f"{row.number} is not a valid PINT-SG e-invoice: "
            + "; ".join(
                f"[{e['rule']}] {e['text']}" + (f" ({e['detail']})" if e.get("detail") else "") for e in row.errors
            ),  # fmt: skip
            extra={"errors": row.errors},
        )
    data = einvoice_bytes(row)
    audit_record(
        action=EInvoiceAction.DOWNLOADED, user=actor, entity_type=EINVOICE, entity_id=row.pk,
        after={"number": row.number, "sha256": row.sha256}, request=request,
    )  # fmt: skip
    return row, data


def einvoice_zip(*, actor: User, date_from: date, date_to: date, request: AnyRequest | None = None) -> bytes:
    """Every tax invoice and credit note issued in the period as PINT-SG XML
    (rendered on the way when missing); the invalid ones listed in
    ``INVALID.txt`` with their failed rules. Audited as one export."""
    if date_to < date_from:
        raise ValidationFailed({"to": ["The period ends before it starts."]})
    if (date_to - date_from).days + 1 > settings.FINANCE_ZIP_MAX_DAYS:
        raise ValidationFailed({"to": [f"At most {settings.FINANCE_ZIP_MAX_DAYS} days at a time."]})
    documents = [(DocumentKind.INVOICE, pk) for pk in Invoice.objects.filter(
        issue_date__range=(date_from, date_to)).order_by("number").values_list("pk", flat=True)]  # fmt: skip
    documents += [(DocumentKind.CREDIT_NOTE, pk) for pk in CreditNote.objects.filter(
        issue_date__range=(date_from, date_to)).order_by("number").values_list("pk", flat=True)]  # fmt: skip
    buffer, invalid, count = io.BytesIO(), [], 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind, pk in documents:
            row = einvoice_render_if_missing(kind=kind, document_id=pk)
            if row.status != EInvoiceStatus.READY:
                invalid.append(f"{row.number}: " + "; ".join(f"[{e['rule']}] {e['text']}" for e in row.errors))
                continue
            folder = "invoices" if kind == DocumentKind.INVOICE else "credit-notes"
            archive.writestr(f"{folder}/{row.number}.xml", einvoice_bytes(row))
            count += 1
        if invalid:
            archive.writestr("INVALID.txt", "\n".join(invalid) + "\n")
    audit_record(
        action=EInvoiceAction.DOWNLOADED, user=actor, entity_type="einvoice.zip", entity_id="",
        after={"from": date_from, "to": date_to, "documents": count, "invalid": len(invalid)}, request=request,
    )  # fmt: skip
    return buffer.getvalue()


# -- transmission (the outbox) ------------------------------------------------------------


def transmission_queue(*, einvoice: EInvoice) -> Transmission | None:
    """Queue a READY e-invoice for sending, inside the caller's transaction.
    Invariant: one transmission per e-invoice and per UUID (unique columns);
    the send starts after commit. None: no buyer endpoint or no access point."""
    if einvoice.status != EInvoiceStatus.READY or not einvoice.receiver_id or configured_access_point() is None:
        return None
    transmission, created = Transmission.objects.get_or_create(
        einvoice=einvoice, defaults={"document_uuid": einvoice.uuid, "next_attempt_at": timezone.now()}
    )
    if created:
        audit_record(
            action=EInvoiceAction.QUEUED, entity_type=TRANSMISSION, entity_id=transmission.pk,
            after={"number": einvoice.number, "uuid": str(einvoice.uuid), "to": einvoice.receiver_id},
        )  # fmt: skip
        from apps.einvoice.tasks import einvoice_transmit

        transaction.on_commit(lambda: einvoice_transmit.delay(transmission.pk))
    return transmission


def retry_delay(attempt: int) -> int:
    """Exponential back-off: base, 2 x base, 4 x base ... capped at six hours."""
    return min(settings.EINVOICE_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), 6 * 3600)


def _finish(transmission: Transmission, status: str, action: str, **changes: Any) -> None:
    with transaction.atomic():
        Transmission.objects.filter(pk=transmission.pk).update(status=status, **changes)
        audit_record(
            action=action, entity_type=TRANSMISSION, entity_id=transmission.pk,
            after={"uuid": str(transmission.document_uuid), "status": status, "attempts": transmission.attempts,
                   **{k: v for k, v in changes.items() if k in ("ap_reference", "last_error")}},
        )  # fmt: skip


def transmission_attempt(*, transmission_id: int, access_point: AccessPoint | None = None) -> Transmission:
    """One attempt at handing a queued e-invoice to the access point.
    Invariants: only a QUEUED transmission is attempted (a redelivered task or
    a second worker does nothing); the attempt is counted and audited before
    the call, so a worker killed mid-call leaves a trace, and its retry sends
    the same UUID, which the access point answers without sending again; at
    most ``EINVOICE_MAX_ATTEMPTS`` attempts, then FAILED. Raises
    TransientError when a retry is due (``next_attempt_at``)."""
    ap = access_point or configured_access_point()
    with transaction.atomic():
        t = lock_entity(Transmission.objects.select_related("einvoice").filter(pk=transmission_id))
        if t.status != TransmissionStatus.QUEUED or ap is None:
            return t
        now = timezone.now()
        t.attempts += 1
        Transmission.objects.filter(pk=t.pk).update(
            attempts=t.attempts, last_attempt_at=now, next_attempt_at=now + timedelta(seconds=retry_delay(t.attempts))
        )
        audit_record(
            action=EInvoiceAction.ATTEMPT, entity_type=TRANSMISSION, entity_id=t.pk,
            after={"uuid": str(t.document_uuid), "attempt": t.attempts, "to": t.einvoice.receiver_id},
        )  # fmt: skip
    einvoice = t.einvoice
    try:
        outcome = ap.send(
            document_uuid=str(t.document_uuid), sender=einvoice.sender_id, receiver=einvoice.receiver_id,
            document_type=einvoice.kind, xml=einvoice_bytes(einvoice),
        )  # fmt: skip
    except TransientError as exc:
        error = str(exc)[:2000]
        if t.attempts >= settings.EINVOICE_MAX_ATTEMPTS:
            _finish(t, TransmissionStatus.FAILED, EInvoiceAction.FAILED, last_error=error, next_attempt_at=None)
        else:
            with transaction.atomic():
                Transmission.objects.filter(pk=t.pk).update(last_error=error)
                audit_record(
                    action=EInvoiceAction.ATTEMPT, entity_type=TRANSMISSION, entity_id=t.pk,
                    after={"uuid": str(t.document_uuid), "attempt": t.attempts, "error": error, "retry": True},
                )  # fmt: skip
        raise
    now = timezone.now()
    if outcome.status == REJECTED:
        _finish(t, TransmissionStatus.REJECTED, EInvoiceAction.REJECTED, last_error=outcome.reason[:2000],
                ap_reference=outcome.reference, rejected_at=now, next_attempt_at=None)  # fmt: skip
    elif outcome.status == DELIVERED:
        _finish(t, TransmissionStatus.DELIVERED, EInvoiceAction.DELIVERED, ap_reference=outcome.reference,
                sent_at=now, delivered_at=now, next_attempt_at=None, last_error="")  # fmt: skip
    else:
        _finish(t, TransmissionStatus.SENT, EInvoiceAction.SENT, ap_reference=outcome.reference, sent_at=now,
                next_attempt_at=None, last_error="")  # fmt: skip
    t.refresh_from_db()
    return t


def transmission_refresh(*, transmission_id: int, access_point: AccessPoint | None = None) -> Transmission:
    """Ask the access point what became of a SENT e-invoice: DELIVERED or REJECTED (audited)."""
    ap = access_point or configured_access_point()
    t = Transmission.objects.get(pk=transmission_id)
    if t.status != TransmissionStatus.SENT or ap is None:
        return t
    outcome = ap.status(document_uuid=str(t.document_uuid))
    now = timezone.now()
    if outcome.status == DELIVERED:
        _finish(t, TransmissionStatus.DELIVERED, EInvoiceAction.DELIVERED, delivered_at=now)
    elif outcome.status == REJECTED:
        _finish(t, TransmissionStatus.REJECTED, EInvoiceAction.REJECTED, rejected_at=now,
                last_error=outcome.reason[:2000])  # fmt: skip
    t.refresh_from_db()
    return t


def due_transmissions(now: datetime | None = None) -> Iterator[int]:
    """QUEUED transmissions whose next attempt is due (a lost task, a killed worker)."""
    now = now or timezone.now()
    yield from (
        Transmission.objects.filter(status=TransmissionStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("id")
        .values_list("pk", flat=True)
    )
