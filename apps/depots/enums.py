from django.db import models


class EquipmentStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    MAINTENANCE = "MAINTENANCE", "Maintenance"
    RETIRED = "RETIRED", "Retired"


class Ownership(models.TextChoices):
    COMPANY = "COMPANY", "Company"
    CUSTOMER = "CUSTOMER", "Customer"


class EquipmentState(models.TextChoices):
    """A serial's state where it is (the ledger's CylinderState, by value)."""

    FULL = "FULL", "Full"
    EMPTY = "EMPTY", "Empty"
