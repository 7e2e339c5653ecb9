"""Finance writes: the audit record of every report and export, and e-mail of
invoices and statements (queued in a transaction with its EmailLog row, sent
by a Celery task after commit, every attempt recorded)."""

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.billing.models import CreditNote, Invoice
from apps.billing.services import CREDIT_NOTE_DOCUMENT
from apps.core.background import enqueue_after_commit, sweep_enqueue
from apps.core.exceptions import ValidationFailed
from apps.core.locks import lock_entity
from apps.core.mail import new_message_id
from apps.core.typing import AnyRequest
from apps.customers.models import Customer
from apps.finance.backoff import retry_delay
from apps.finance.enums import EmailKind, EmailStatus, FinanceAction
from apps.finance.models import EmailLog

EMAIL_LOG = "finance.emaillog"


def report_audit(
    *, actor: User, report: str, params: dict, rows: int, request: AnyRequest | None = None, export: bool = False
) -> None:
    """One audit record per report or export: who, what, which period, how many rows."""
    audit_record(
        action=FinanceAction.EXPORT if export else FinanceAction.REPORT,
        user=actor,
        entity_type=f"finance.{report}",
        entity_id="",
        after={"report": report, **params, "rows": rows},
        request=request,
    )


def _recipient(customer: Customer, to: str | None) -> str:
    address = (to or customer.email or "").strip()
    if not address:
        raise ValidationFailed(
            {"to": [f"Customer {customer.code} has no e-mail address; give one in 'to'."]},
            detail="No e-mail address to send to.",
        )
    return address


def _queue(log: EmailLog, actor: User, request: AnyRequest | None) -> EmailLog:
    from apps.finance.tasks import email_send

    audit_record(
        action=FinanceAction.EMAIL_QUEUED,
        user=actor,
        entity_type=EMAIL_LOG,
        entity_id=log.pk,
        after={
            "kind": log.kind,
            "invoice": log.invoice_id,
            "customer": log.customer_id,
            "to": log.to_address,
            "period_from": log.period_from,
            "period_to": log.period_to,
        },  # fmt: skip
        request=request,
    )
    enqueue_after_commit(email_send, log.pk)
    return log


@transaction.atomic
def invoice_email_queue(
    *, actor: User, invoice: Invoice, to: str | None = None, request: AnyRequest | None = None
) -> EmailLog:
    """Queue the invoice PDF to the customer (or ``to``). Invariant: the log row
    and its audit record commit together; the send starts only after commit."""
    customer = Customer.objects.get(pk=invoice.customer_id)
    log = EmailLog.objects.create(
        kind=EmailKind.INVOICE,
        invoice=invoice,
        customer=customer,
        to_address=_recipient(customer, to),
        subject=f"Tax invoice {invoice.number} from {settings.COMPANY['name']}"[:200],
        requested_by=actor,
    )
    return _queue(log, actor, request)


@transaction.atomic
def statement_email_queue(
    *,
    actor: User,
    customer: Customer,
    date_from: date,
    date_to: date,
    to: str | None = None,
    request: AnyRequest | None = None,
) -> EmailLog:
    log = EmailLog.objects.create(
        kind=EmailKind.STATEMENT,
        customer=customer,
        period_from=date_from,
        period_to=date_to,
        to_address=_recipient(customer, to),
        subject=f"Statement of account {date_from:%d/%m/%Y} to {date_to:%d/%m/%Y}, {settings.COMPANY['name']}"[:200],
        requested_by=actor,
    )
    return _queue(log, actor, request)


def _message(log: EmailLog) -> EmailMessage:
    from apps.billing.services import invoice_pdf_render
    from apps.finance.pdf import statement_pdf_bytes
    from apps.finance.selectors import statement_build

    company = settings.COMPANY
    if log.kind == EmailKind.INVOICE:
        # an INVOICE e-mail has its invoice; its PDF is rendered here if missing
        invoice = invoice_pdf_render(invoice_id=log.invoice_id, only_if_missing=True)  # type: ignore[arg-type]
        with invoice.pdf.open("rb") as fh:
            data = fh.read()
        name = f"{invoice.number}.pdf"
        body = (
            f"Dear {invoice.customer_name},\n\nPlease find attached tax invoice {invoice.number} dated "
            f"{invoice.issue_date:%d/%m/%Y} for SGD {invoice.total}, due {invoice.due_date:%d/%m/%Y}.\n"
            f"Pay by PayNow to UEN {company['uen']} with reference {invoice.number}.\n\n{company['name']}\n"
            f"{company['phone']}\n"
        )
    else:
        # A STATEMENT e-mail always has its period (EmailLog constraint).
        statement = statement_build(
            customer=log.customer,
            date_from=log.period_from,  # type: ignore[arg-type]
            date_to=log.period_to,  # type: ignore[arg-type]
        )
        data = statement_pdf_bytes(statement)
        name = f"statement-{log.customer.code}-{log.period_to:%Y%m%d}.pdf"
        body = (
            f"Dear {log.customer.name},\n\nPlease find attached your statement of account for "
            f"{log.period_from:%d/%m/%Y} to {log.period_to:%d/%m/%Y}. Balance due: SGD "
            f"{statement.closing_balance}.\n\n{company['name']}\n{company['phone']}\n"
        )
    message = EmailMessage(
        subject=log.subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[log.to_address],
        reply_to=[company["email"]], headers={"Message-ID": log.message_id} if log.message_id else None,
    )  # fmt: skip
    message.attach(name, data, "application/pdf")
    return message


def email_attempt(*, log_id: int, final: bool) -> EmailLog:
    """Make one attempt at sending. Success: SENT. Failure: the error and the
    attempt are recorded; on the last attempt (``final``, or the attempts
    used up: a copy queued by the sweep starts its retries afresh) the log is
    FAILED, otherwise it stays QUEUED for the retry, and the error is raised
    again. A log already SENT is never sent twice (a redelivered task does
    nothing), nor one another worker claimed less than
    FINANCE_EMAIL_CLAIM_SECONDS ago (``sending_since``: the redelivered task
    and the sweep's copy never send side by side). A worker killed after the
    mail server took the message but before SENT was recorded is the one way
    to a second copy: the sweep sends it again once the claim has expired,
    with the Message-ID of the first (given on the first attempt and kept), so
    the receiving server and mail clients take it as the same message."""
    with transaction.atomic():
        log = lock_entity(EmailLog.objects.select_related("customer").filter(pk=log_id))
        now = timezone.now()
        claim = timedelta(seconds=settings.FINANCE_EMAIL_CLAIM_SECONDS)
        if log.status != EmailStatus.QUEUED or (log.sending_since and now - log.sending_since < claim):
            return log
        log.message_id = log.message_id or new_message_id("email")
        EmailLog.objects.filter(pk=log.pk).update(
            attempts=log.attempts + 1, last_attempt_at=now, sending_since=now, message_id=log.message_id
        )
        log.attempts += 1
    final = final or log.attempts > settings.FINANCE_EMAIL_MAX_RETRIES
    try:
        _message(log).send(fail_silently=False)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        status = EmailStatus.FAILED if final else EmailStatus.QUEUED
        with transaction.atomic():
            EmailLog.objects.filter(pk=log.pk).update(
                last_error=error, status=status, failed_at=timezone.now() if final else None, sending_since=None
            )
            if final:
                audit_record(
                    action=FinanceAction.EMAIL_FAILED, entity_type=EMAIL_LOG, entity_id=log.pk,
                    after={"to": log.to_address, "attempts": log.attempts, "error": error},
                )  # fmt: skip
        raise
    with transaction.atomic():
        EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.SENT, sent_at=timezone.now(), sending_since=None)
        audit_record(
            action=FinanceAction.EMAIL_SENT, entity_type=EMAIL_LOG, entity_id=log.pk,
            after={"to": log.to_address, "attempts": log.attempts},
        )  # fmt: skip
    log.refresh_from_db()
    return log


def email_sweep(*, now: datetime | None = None, batch: int = 200) -> list[int]:
    """Queue again the e-mails a lost task left QUEUED (a worker killed while
    sending, the broker away when it was queued): not claimed by a worker (or
    the claim expired), and overdue: never tried for FINANCE_EMAIL_SWEEP_GRACE
    seconds, or tried and its back-off (``retry_delay``) past by that grace
    (the retry the task scheduled itself goes first). Celery beat, every
    FINANCE_EMAIL_SWEEP_SECONDS. Returns the logs queued."""
    from apps.finance.tasks import email_send

    now = now or timezone.now()
    grace = timedelta(seconds=settings.FINANCE_EMAIL_SWEEP_GRACE)
    claim = now - timedelta(seconds=settings.FINANCE_EMAIL_CLAIM_SECONDS)
    rows = (
        EmailLog.objects.filter(status=EmailStatus.QUEUED, queued_at__lt=now - grace)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=claim))
        .order_by("pk")
        .values_list("pk", "attempts", "queued_at", "last_attempt_at", "sending_since")[:batch]
    )
    return [
        pk
        for pk, attempts, queued_at, last_attempt_at, since in rows
        if (last_attempt_at or queued_at) + timedelta(seconds=retry_delay(attempts) if attempts else 0) + grace < now
        and sweep_enqueue(email_send, pk, state=(attempts, since))
    ]


ToPdf = Callable[[str], bytes]
Documents = Iterator[tuple[str, Callable[[], bytes]]]


def _stored_invoice_bytes(pk: int, to_pdf: ToPdf) -> bytes:
    from apps.billing.services import invoice_pdf_render

    invoice = invoice_pdf_render(invoice_id=pk, to_pdf=to_pdf, only_if_missing=True)
    with invoice.pdf.open("rb") as fh:
        return fh.read()


def credit_note_pdf_download(*, actor: User, note: CreditNote, request: AnyRequest | None = None) -> bytes:
    """The credit note as a PDF, rendered from the stored note (credit notes
    keep no file); every download is audited, as an invoice's."""
    from apps.finance.pdf import credit_note_pdf_bytes

    data = credit_note_pdf_bytes(note)
    audit_record(
        action=AuditAction.CREDIT_NOTE_PDF_DOWNLOADED,
        user=actor,
        entity_type=CREDIT_NOTE_DOCUMENT,
        entity_id=note.pk,
        after={"number": note.number, "invoice": note.invoice.number},
        request=request,
    )
    return data


def _documents(invoices: list[tuple[int, str]], notes: list[tuple[int, str]]) -> Documents:
    """(file name, loader) pairs. Missing invoice PDFs are rendered and stored
    on the way and credit notes rendered, WeasyPrint running in a recycled
    child process (pdf_child.py) so its native memory never accumulates in the
    serving process; the child stops when the archive is done or abandoned."""
    from apps.finance.pdf import credit_note_pdf_bytes
    from apps.finance.pdf_child import ChildPdfRenderer

    with ChildPdfRenderer() as to_pdf:

        def note_bytes(pk: int) -> bytes:
            return credit_note_pdf_bytes(CreditNote.objects.select_related("invoice").get(pk=pk), to_pdf)

        for pk, number in invoices:
            yield f"invoices/{number}.pdf", partial(_stored_invoice_bytes, pk, to_pdf)
        for pk, number in notes:
            yield f"credit-notes/{number}.pdf", partial(note_bytes, pk)


def zip_documents(*, date_from: date, date_to: date, customer_id: int | None = None) -> Documents:
    """(file name, loader) pairs of the period's invoice and credit-note PDFs,
    read or rendered one at a time (a missing invoice PDF is rendered and
    stored on the way, exactly as a single download would)."""
    from apps.finance.selectors import credit_notes_in_period, invoices_in_period

    # Only (id, number) pairs are read up front (a few bytes each), so writing a
    # rendered PDF's name back never interleaves with an open read cursor.
    invoices = list(
        invoices_in_period(date_from=date_from, date_to=date_to, customer_id=customer_id).values_list("pk", "number")
    )
    notes = list(
        credit_notes_in_period(date_from=date_from, date_to=date_to, customer_id=customer_id).values_list(
            "pk", "number"
        )
    )
    return _documents(invoices, notes)


def zip_documents_for(pairs: list[tuple[int, str]]) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(file name, loader) pairs for a chosen list of invoices (admin action)."""
    return _documents(list(pairs), [])


def period_days(date_from: date, date_to: date) -> int:
    return (date_to - date_from + timedelta(days=1)).days
