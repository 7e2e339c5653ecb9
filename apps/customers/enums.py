from django.db import models


class PaymentTerms(models.TextChoices):
    CASH = "CASH", "Cash (pay at site)"
    CREDIT = "CREDIT", "Credit account"


class CustomerKind(models.TextChoices):
    HOUSEHOLD = "HOUSEHOLD", "Household"
    COMMERCIAL = "COMMERCIAL", "Commercial (F&B, industrial)"


class CustomerAuditAction(models.TextChoices):
    """Audit actions of the customers' contacts and self-service (docs/customers.md)."""

    CONTACT_INVITED = "customer.contact_invited"
    INVITE_ACCEPTED = "customer.invite_accepted"
    CONTACT_PREFERENCES = "customer.contact_preferences"
    CONTACT_CORRECTED = "customer.contact_corrected"
    DATA_EXPORTED = "customer.data_exported"
    ORDER_NOTIFIED = "customer.order_notified"
    ORDER_NOTIFY_FAILED = "customer.order_notify_failed"
