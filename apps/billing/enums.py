from django.db import models


class InvoiceStatus(models.TextChoices):
    ISSUED = "ISSUED", "Issued"
    PARTLY_PAID = "PARTLY_PAID", "Partly paid"
    PAID = "PAID", "Paid"
    PARTLY_CREDITED = "PARTLY_CREDITED", "Partly credited"
    CREDITED = "CREDITED", "Credited"


class PaymentMethod(models.TextChoices):
    CASH = "CASH", "Cash"
    PAYNOW = "PAYNOW", "PayNow"
    CHEQUE = "CHEQUE", "Cheque"
    BANK_TRANSFER = "BANK_TRANSFER", "Bank transfer"


class DeliveryPaymentMethod(models.TextChoices):
    """How the customer will settle a delivery's invoice. CREDIT (on account)
    only for customers with credit terms."""

    CASH = "CASH", "Cash"
    PAYNOW = "PAYNOW", "PayNow"
    CHEQUE = "CHEQUE", "Cheque"
    BANK_TRANSFER = "BANK_TRANSFER", "Bank transfer"
    CREDIT = "CREDIT", "On account (credit terms)"


class InvoiceLineKind(models.TextChoices):
    CYLINDER = "CYLINDER", "Cylinder refill"
    SERVICE = "SERVICE", "Service"
    METER = "METER", "Metered gas"
    DEPOSIT = "DEPOSIT", "Cylinder deposit (not subject to GST)"


class MeterUnit(models.TextChoices):
    KG = "kg", "kg"
    M3 = "m3", "m³"
