from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from apps.customers.enums import CustomerKind, PaymentTerms
from apps.depots.models import LATITUDE, LONGITUDE

POSTAL_CODE = RegexValidator(r"^\d{6}$", "A Singapore postal code has six digits.")


class Customer(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=CustomerKind.choices, default=CustomerKind.COMMERCIAL)
    site_address = models.CharField(max_length=255)
    postal_code = models.CharField(max_length=6, validators=[POSTAL_CODE])
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    uen = models.CharField("UEN", max_length=16, blank=True)
    payment_terms = models.CharField(max_length=8, choices=PaymentTerms.choices, default=PaymentTerms.CASH)
    credit_term_days = models.PositiveSmallIntegerField(default=0, validators=[MinValueValidator(0)])
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE)
    receiving_from = models.TimeField(
        null=True, blank=True, help_text="Receives deliveries from (empty: households 07:00, others any time)."
    )
    receiving_until = models.TimeField(
        null=True, blank=True, help_text="Receives deliveries until (empty: households 21:00, others any time)."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(receiving_from__isnull=True)
                | Q(receiving_until__isnull=True)
                | Q(receiving_from__lt=F("receiving_until")),
                name="customer_receiving_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
