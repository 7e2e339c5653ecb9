from django.db import models


class EquipmentStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    MAINTENANCE = "MAINTENANCE", "Maintenance"
    RETIRED = "RETIRED", "Retired"


class Ownership(models.TextChoices):
    COMPANY = "COMPANY", "Company"
    CUSTOMER = "CUSTOMER", "Customer"
