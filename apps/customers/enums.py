from django.db import models


class PaymentTerms(models.TextChoices):
    CASH = "CASH", "Cash (pay at site)"
    CREDIT = "CREDIT", "Credit account"


class CustomerKind(models.TextChoices):
    HOUSEHOLD = "HOUSEHOLD", "Household"
    COMMERCIAL = "COMMERCIAL", "Commercial (F&B, industrial)"
