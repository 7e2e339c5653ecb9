from django.db import models


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", "Tax invoice (380)"
    CREDIT_NOTE = "credit_note", "Credit note (381)"


class EInvoiceStatus(models.TextChoices):
    READY = "READY", "Ready (valid)"
    INVALID = "INVALID", "Invalid (a fatal rule failed)"


class TransmissionStatus(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    SENT = "SENT", "Sent (accepted by our access point)"
    DELIVERED = "DELIVERED", "Delivered to the buyer's access point"
    REJECTED = "REJECTED", "Rejected"
    FAILED = "FAILED", "Failed (retries exhausted)"


class EInvoiceAction(models.TextChoices):
    """Audit actions of e-invoicing (AuditLog.action has no choices)."""

    RENDERED = "einvoice.rendered"
    INVALID = "einvoice.invalid"
    DOWNLOADED = "einvoice.downloaded"
    QUEUED = "einvoice.queued"
    ATTEMPT = "einvoice.transmit_attempt"
    SENT = "einvoice.sent"
    DELIVERED = "einvoice.delivered"
    REJECTED = "einvoice.rejected"
    FAILED = "einvoice.failed"
