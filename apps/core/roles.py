from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    SUPERVISOR = "supervisor", "Supervisor / dispatcher"
    DEPOT_STAFF = "depot_staff", "Depot staff"
    DRIVER = "driver", "Driver"
    FINANCE = "finance", "Finance"
    AUDITOR = "auditor", "Auditor (read-only)"
    CUSTOMER = "customer", "Customer contact (self-service)"
