from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import Exact, GreaterThanOrEqual

from apps.billing.enums import DeliveryPaymentMethod, InvoiceLineKind, InvoiceStatus, MeterUnit, PaymentMethod

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


def cents(field_name: str) -> Round:
    """A money column as whole cents: ROUND(column * 100). Exact on every
    database: PostgreSQL and MySQL/MariaDB compute it in DECIMAL; SQLite
    stores NUMERIC as a double, and a two-decimal amount below 10^13 cents
    times 100 lies within 1e-3 of its integer, so ROUND gives that integer
    exactly and sums of such integers are exact. Comparing the raw columns
    on SQLite compares doubles (192.50 + 17.33 != 209.83), so every money
    CHECK compares cents instead."""
    return Round(F(field_name) * 100)


UNIT_PRICE: dict[str, Any] = {"max_digits": 12, "decimal_places": 4}


# -- prices and tax ----------------------------------------------------------------

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class ImmutableError(Exception):
    """An attempt to change or delete history (an issued invoice, a payment...)."""


class GstRate(models.Model):
    """GST in force from ``valid_from`` until the next row. The delivery date picks the rate."""

    valid_from = models.DateField(unique=True)
    rate = models.DecimalField(max_digits=5, decimal_places=4, validators=NON_NEGATIVE, help_text="0.0900 = 9%")

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "GST rate"
        constraints = [models.CheckConstraint(condition=Q(rate__gte=0, rate__lt=1), name="gstrate_rate_range")]

    def __str__(self) -> str:
        return f"{self.rate * 100:.2f}% from {self.valid_from}"


class CylinderTypePrice(models.Model):
    """Dated list price of a cylinder type (SGD, before GST); falls back to CylinderType.list_price."""

    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="prices")
    valid_from = models.DateField()
    price = models.DecimalField(**MONEY, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["cylinder_type_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["cylinder_type", "valid_from"], name="cylindertypeprice_unique_date"),
            models.CheckConstraint(condition=Q(price__gte=0), name="cylindertypeprice_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.cylinder_type_id} {self.price} from {self.valid_from}"


class CustomerPrice(models.Model):
    """A customer's own price for a cylinder type, overriding the list price from ``valid_from``."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="prices")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField()
    price = models.DecimalField(**MONEY, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["customer_id", "cylinder_type_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "cylinder_type", "valid_from"], name="customerprice_unique_date"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="customerprice_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.cylinder_type_id} {self.price} from {self.valid_from}"


class ServiceItem(models.Model):
    """A chargeable service that is not stock: delivery fee, installation fee, ..."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceItemPrice(models.Model):
    service_item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="prices")
    valid_from = models.DateField()
    price = models.DecimalField(**MONEY, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["service_item_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["service_item", "valid_from"], name="serviceitemprice_unique_date"),
            models.CheckConstraint(condition=Q(price__gte=0), name="serviceitemprice_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.service_item_id} {self.price} from {self.valid_from}"


class DepositRate(models.Model):
    """Dated deposit per cylinder of a type (SGD, not subject to GST: a
    deposit is not a supply). No row in force on the supply day: no deposit
    is charged for that type (docs/billing.md, "Cylinder deposits")."""

    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="deposit_rates")
    valid_from = models.DateField()
    amount = models.DecimalField(**MONEY, validators=NON_NEGATIVE)

    class Meta:
        ordering = ["cylinder_type_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["cylinder_type", "valid_from"], name="depositrate_unique_date"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="depositrate_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.cylinder_type_id} deposit {self.amount} from {self.valid_from}"


# -- meters ------------------------------------------------------------------------


class CustomerMeter(models.Model):
    """The gas meter at a metered customer's site, billed per unit at ``unit_rate``."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.PROTECT, related_name="meter")
    serial_number = models.CharField(max_length=64)
    unit = models.CharField(max_length=4, choices=MeterUnit.choices, default=MeterUnit.KG)
    unit_rate = models.DecimalField(**UNIT_PRICE, validators=NON_NEGATIVE, help_text="SGD per unit, before GST.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["customer_id"]
        constraints = [models.CheckConstraint(condition=Q(unit_rate__gte=0), name="customermeter_rate_gte_0")]

    def __str__(self) -> str:
        return f"{self.serial_number} ({self.customer_id})"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError(f"{self.model.__name__} rows are history and cannot be changed.")

    def delete(self):
        raise ImmutableError(f"{self.model.__name__} rows are history and cannot be deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableError(f"{type(self).__name__} rows are history and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{type(self).__name__} rows are history and cannot be deleted.")


class MeterReading(AppendOnlyModel):
    """One reading of a meter, kept forever. ``consumption`` is what was billed
    (reading minus the previous one); a replacement starts a new baseline."""

    meter = models.ForeignKey(CustomerMeter, on_delete=models.PROTECT, related_name="readings")
    reading = models.DecimalField(max_digits=14, decimal_places=3, validators=NON_NEGATIVE)
    previous_reading = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    consumption = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal("0"))
    is_replacement = models.BooleanField(default=False, help_text="New meter fitted: this reading is a new baseline.")
    delivery_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    read_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meter_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(reading__gte=0), name="meterreading_reading_gte_0"),
            models.CheckConstraint(condition=Q(consumption__gte=0), name="meterreading_consumption_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id}: {self.reading}"


# -- invoices ----------------------------------------------------------------------

# What may still change on an issued invoice: its settlement state and its PDF.
INVOICE_MUTABLE_FIELDS = frozenset(
    {"status", "amount_paid", "amount_credited", "amount_refunded", "pdf", "pdf_rendered_at"}
)


class InvoiceQuerySet(models.QuerySet):
    def update(self, **kwargs):
        frozen = set(kwargs) - INVOICE_MUTABLE_FIELDS
        if frozen:
            raise ImmutableError(
                f"Issued invoices cannot be edited ({', '.join(sorted(frozen))}); issue a credit note."
            )
        return super().update(**kwargs)

    def delete(self):
        raise ImmutableError("Issued invoices are never deleted; issue a credit note.")


class Invoice(models.Model):
    """A Singapore tax invoice, created with its number in the delivery's
    transaction. Issued fields never change; GST is computed once on the
    subtotal (sum of the lines' rounded amounts), half-up to the cent."""

    number = models.CharField(max_length=32, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="invoices")
    customer_name = models.CharField(max_length=200)
    customer_address = models.CharField(max_length=255)
    customer_postal_code = models.CharField(max_length=6, blank=True)
    customer_uen = models.CharField(max_length=16, blank=True)
    issue_date = models.DateField(
        db_index=True, help_text="Server's Singapore date when the number was taken (numbers rise with it)."
    )
    supply_date = models.DateField(
        db_index=True, help_text="Date of supply: the delivery's date (device time); picks the GST rate."
    )
    due_date = models.DateField()
    payment_terms = models.CharField(max_length=64)
    payment_method = models.CharField(max_length=16, choices=DeliveryPaymentMethod.choices)
    currency = models.CharField(max_length=3, default="SGD")
    subtotal = models.DecimalField(**MONEY, help_text="The GST base: the taxable lines (deposits excluded).")
    gst_rate = models.DecimalField(max_digits=5, decimal_places=4)
    gst_amount = models.DecimalField(**MONEY)
    deposit_total = models.DecimalField(
        **MONEY, default=Decimal("0.00"), help_text="Cylinder deposits: not subject to GST, outside the subtotal."
    )
    total = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY, default=Decimal("0.00"))
    amount_credited = models.DecimalField(**MONEY, default=Decimal("0.00"))
    amount_refunded = models.DecimalField(
        **MONEY,
        default=Decimal("0.00"),
        help_text="Credited after it was paid (a deposit refund): owed back to the customer.",
    )
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED, db_index=True)
    pdf = models.FileField(upload_to="invoices/%Y/", blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(cents("total"), cents("subtotal") + cents("gst_amount") + cents("deposit_total")),
                name="invoice_total_adds_up_cents",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0, amount_credited__gte=0, deposit_total__gte=0, amount_refunded__gte=0),
                name="invoice_settlement_gte_0",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(
                    cents("total") + cents("amount_refunded"), cents("amount_paid") + cents("amount_credited")
                ),
                name="invoice_not_oversettled_cents",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values().first()
            if stored is not None:
                changed = [
                    f.attname
                    for f in self._meta.concrete_fields
                    if f.attname not in INVOICE_MUTABLE_FIELDS and stored[f.attname] != getattr(self, f.attname)
                ]
                if changed:
                    raise ImmutableError(f"Issued invoices cannot be edited ({', '.join(changed)}).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Issued invoices are never deleted; issue a credit note.")

    @property
    def amount_due(self) -> Decimal:
        return self.total - self.amount_paid - self.amount_credited + self.amount_refunded


class InvoiceLine(AppendOnlyModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=InvoiceLineKind.choices)
    description = models.CharField(max_length=255)
    cylinder_type = models.ForeignKey(
        "depots.CylinderType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_item = models.ForeignKey(ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(**UNIT_PRICE)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["invoice_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoiceline_unique_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoiceline_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.description} x {self.quantity}"


class CreditNote(AppendOnlyModel):
    """Reverses all or part of an invoice; numbered CN-YYYY-NNNNNN, gapless per year."""

    number = models.CharField(max_length=32, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    reason = models.TextField()
    issue_date = models.DateField()
    subtotal = models.DecimalField(**MONEY)
    gst_rate = models.DecimalField(max_digits=5, decimal_places=4)
    gst_amount = models.DecimalField(**MONEY)
    deposit_total = models.DecimalField(
        **MONEY, default=Decimal("0.00"), help_text="Deposits refunded: no GST on this part."
    )
    total = models.DecimalField(**MONEY)
    amount_refunded = models.DecimalField(
        **MONEY, default=Decimal("0.00"), help_text="The part of the credit beyond what was still due: paid back."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="creditnote_total_gt_0"),
            models.CheckConstraint(
                condition=Exact(cents("total"), cents("subtotal") + cents("gst_amount") + cents("deposit_total")),
                name="creditnote_total_adds_up_cents",
            ),
            models.CheckConstraint(
                condition=Q(deposit_total__gte=0, amount_refunded__gte=0), name="creditnote_deposit_refund_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CreditNoteLine(AppendOnlyModel):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(**UNIT_PRICE)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["credit_note_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="creditnoteline_quantity_gt_0")]

    def __str__(self) -> str:
        return f"{self.description} x {self.quantity}"


class Payment(AppendOnlyModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=64, blank=True)
    amount_tendered = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Cash handed over at the door (the change is tendered - amount)."
    )
    received_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(amount_tendered__isnull=True)  # type: ignore[arg-type]  # Q | Lookup is a Q at runtime
                | GreaterThanOrEqual(cents("amount_tendered"), cents("amount")),
                name="payment_tendered_covers_amount_cents",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.amount} {self.method}"

    @property
    def change_due(self) -> Decimal | None:
        return None if self.amount_tendered is None else self.amount_tendered - self.amount


# -- cylinder deposits held by customers --------------------------------------------


class DepositHolding(models.Model):
    """A customer's deposits of one cylinder type: the units its deposits
    cover and the amount held. Derived from ``DepositMove`` (the ledger),
    kept in the delivery's transaction; the row is the lock (an entity row,
    taken before the stock balances) that serialises two deliveries of the
    type to the customer."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="deposit_holdings")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    units = models.IntegerField(default=0)
    amount = models.DecimalField(**MONEY, default=Decimal("0.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer_id", "cylinder_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "cylinder_type"], name="depositholding_unique_type"),
            models.CheckConstraint(condition=Q(units__gte=0, amount__gte=0), name="depositholding_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.cylinder_type_id}: {self.units} units, {self.amount}"


class DepositMove(AppendOnlyModel):
    """One change of a customer's deposit holding: a charge (units > 0, on the
    invoice's DEPOSIT line ``invoice_line``) or a refund (units < 0, on the
    credit note's line ``credit_note_line`` crediting that same invoice line)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    units = models.IntegerField()
    amount = models.DecimalField(**MONEY)
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="deposit_moves")
    credit_note_line = models.ForeignKey(
        CreditNoteLine, null=True, blank=True, on_delete=models.PROTECT, related_name="deposit_moves"
    )
    delivery_id = models.BigIntegerField(db_index=True)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["customer_id", "cylinder_type_id", "id"]
        indexes = [models.Index(fields=["customer", "cylinder_type", "id"], name="depositmove_customer_type")]
        constraints = [
            models.CheckConstraint(
                condition=Q(units__gt=0, amount__gte=0, credit_note_line__isnull=True)
                | Q(units__lt=0, amount__lte=0, credit_note_line__isnull=False),
                name="depositmove_charge_or_refund",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.cylinder_type_id} {self.units:+d} {self.amount}"
