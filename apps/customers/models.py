from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from apps.core.peppol import validate_participant_id
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
    peppol_id = models.CharField(
        "Peppol participant ID",
        max_length=64,
        blank=True,
        validators=[validate_participant_id],
        help_text="InvoiceNow address, e.g. 0195:SGUEN201912345K. Set: every invoice and credit note is "
        "e-invoiced automatically. Households have none (PDF only).",
    )
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


class CustomerContact(models.Model):
    """A person who signs in for one customer (role ``customer``): several per
    customer, one customer per login. Created by an invite; never deleted
    (the audit trail points at the login): deactivate the user."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer_contact")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notify_orders = models.BooleanField(
        default=True, help_text="E-mail this contact when an order is received, planned and delivered."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["customer_id", "id"]

    def __str__(self) -> str:
        return f"{self.user_id} for {self.customer_id}"


class ContactInvite(models.Model):
    """A one-time link to set a contact's password. Only the SHA-256 of the
    token is kept; the token itself travels once, in the e-mail."""

    contact = models.ForeignKey(CustomerContact, on_delete=models.PROTECT, related_name="invites")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="A newer invite replaced it.")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"invite {self.pk} of contact {self.contact_id}"
