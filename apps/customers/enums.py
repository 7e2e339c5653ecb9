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
