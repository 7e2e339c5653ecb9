from django.db import models


class EmailKind(models.TextChoices):
    INVOICE = "INVOICE", "Invoice"
    STATEMENT = "STATEMENT", "Statement of account"


class EmailStatus(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    SENT = "SENT", "Sent"
    FAILED = "FAILED", "Failed"


class FinanceAction(models.TextChoices):
    """Audit actions of the finance back office (AuditLog.action has no choices)."""

    REPORT = "finance.report"
    EXPORT = "finance.export"
    EMAIL_QUEUED = "finance.email_queued"
    EMAIL_SENT = "finance.email_sent"
    EMAIL_FAILED = "finance.email_failed"


class AccountingSystem(models.TextChoices):
    XERO = "xero", "Xero"
    QUICKBOOKS = "quickbooks", "QuickBooks Online"


class AccountingKind(models.TextChoices):
    INVOICES = "invoices", "Invoices and credit notes"
    PAYMENTS = "payments", "Payments"
