"""E-invoices (PINT-SG UBL 2.1 XML) of billing's tax invoices and credit
notes, and their outbox towards the InvoiceNow access point.

An ``EInvoice`` is the one e-invoice of one document: its UUID (derived from
the company and the document number, so it never changes), the stored XML
(content-addressed: ``einvoices/<sha256>.xml``) and the result of the
validation. A READY row never changes again; an INVALID one holds the failed
rules and may be rendered again once the cause (a Peppol ID, the company's
UEN) is fixed. A ``Transmission`` is the one sending of a READY e-invoice:
unique per e-invoice and per UUID, so nothing is ever sent twice."""

from django.db import models
from django.db.models import Q

from apps.billing.models import MONEY
from apps.einvoice.enums import DocumentKind, EInvoiceStatus, TransmissionStatus


class ImmutableEInvoice(Exception):
    """A READY e-invoice is history: it is never rendered, changed or deleted again."""


class EInvoice(models.Model):
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    invoice = models.OneToOneField(
        "billing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="einvoice"
    )
    credit_note = models.OneToOneField(
        "billing.CreditNote", null=True, blank=True, on_delete=models.PROTECT, related_name="einvoice"
    )
    number = models.CharField(max_length=32, help_text="The document's number (cbc:ID).")
    uuid = models.UUIDField(unique=True, help_text="cbc:UUID: derived from the company UEN and the number.")
    status = models.CharField(max_length=8, choices=EInvoiceStatus.choices, db_index=True)
    errors = models.JSONField(default=list, blank=True, help_text="Failed rules: [{rule, flag, text}].")
    warnings = models.JSONField(default=list, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="einvoices/", max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    sender_id = models.CharField(max_length=64, blank=True, help_text="Supplier participant id (0195:...).")
    receiver_id = models.CharField(max_length=64, blank=True, help_text="Buyer participant id (0195:...).")
    payable_amount = models.DecimalField(**MONEY, help_text="cbc:PayableAmount: the PDF's total.")
    tax_amount = models.DecimalField(**MONEY, help_text="cac:TaxTotal/cbc:TaxAmount: the PDF's GST.")
    issue_date = models.DateField(db_index=True)
    rendered_at = models.DateTimeField()

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = "e-invoice"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=DocumentKind.INVOICE, invoice__isnull=False, credit_note__isnull=True)
                | Q(kind=DocumentKind.CREDIT_NOTE, invoice__isnull=True, credit_note__isnull=False),
                name="einvoice_one_document",
            ),
            models.CheckConstraint(
                condition=Q(status=EInvoiceStatus.INVALID) | ~Q(sha256=""), name="einvoice_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.status})"

    def delete(self, *args, **kwargs):
        raise ImmutableEInvoice("E-invoices are never deleted.")


class Transmission(models.Model):
    """The outbox row of one e-invoice: queued in the transaction that made
    the e-invoice READY, sent by a Celery task after commit, every attempt
    recorded here and in the audit log."""

    einvoice = models.OneToOneField(EInvoice, on_delete=models.PROTECT, related_name="transmission")
    document_uuid = models.UUIDField(unique=True, help_text="The idempotency key towards the access point.")
    status = models.CharField(
        max_length=10, choices=TransmissionStatus.choices, default=TransmissionStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    ap_reference = models.CharField(max_length=128, blank=True, help_text="The access point's message id.")
    queued_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.einvoice.number} {self.status}"
