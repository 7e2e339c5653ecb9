from django.conf import settings
from django.db import models

from apps.billing.models import Invoice
from apps.finance.enums import EmailKind, EmailStatus


class EmailLog(models.Model):
    """One e-mail of a document (invoice or statement) to a customer: queued in
    the request's transaction, then sent by a Celery task that records every
    attempt here. Listed on the invoice in the admin and the API."""

    kind = models.CharField(max_length=16, choices=EmailKind.choices)
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="email_logs"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="email_logs")
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # set while a worker sends it: a second copy of the task (redelivered, or
    # the sweep's) leaves it alone until FINANCE_EMAIL_CLAIM_SECONDS have passed
    sending_since = models.DateTimeField(null=True, blank=True)
    # given on the first attempt and sent with every attempt: a copy sent again
    # after a worker died between the mail server's acceptance and SENT is the
    # same message to the receiving server and mail clients (one in the inbox)
    message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "e-mail log"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=EmailKind.STATEMENT) | models.Q(invoice__isnull=False),
                name="emaillog_invoice_mail_has_invoice",
            ),
        ]

    def __str__(self) -> str:
        what = self.invoice.number if self.invoice is not None else f"statement {self.period_from}..{self.period_to}"
        return f"{what} to {self.to_address} ({self.status})"


class ReceivableInvoice(Invoice):
    """Billing's invoices as finance works them in the admin (proxy: no table)."""

    class Meta:
        proxy = True
        verbose_name = "receivable (invoice)"
        verbose_name_plural = "receivables (invoices)"
