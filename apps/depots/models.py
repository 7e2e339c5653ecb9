import uuid
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.depots.enums import EquipmentState, EquipmentStatus, Ownership

LATITUDE = [MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))]
LONGITUDE = [MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))]


class Depot(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=255)
    postal_code = models.CharField(max_length=6, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE)
    is_active = models.BooleanField(default=True)
    admin = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="administered_depots"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Vehicle(models.Model):
    plate_number = models.CharField(max_length=16, unique=True)
    home_depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="vehicles")
    description = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    max_load_kg = models.DecimalField(
        max_digits=8,
        decimal_places=1,
        default=Decimal("3000"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text="Gross weight of cylinders it may carry (the dispatch planner's limit).",
    )
    shift_start = models.TimeField(default=time(7, 0), help_text="Leaves the depot no earlier than this.")
    shift_end = models.TimeField(default=time(19, 0), help_text="Back at the depot by this.")

    class Meta:
        ordering = ["plate_number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shift_start__lt=models.F("shift_end")), name="vehicle_shift_order"
            ),
        ]

    def __str__(self) -> str:
        return self.plate_number


class CylinderType(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    weight_kg = models.DecimalField(max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    list_price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], help_text="SGD, before GST."
    )
    is_active = models.BooleanField(default=True)
    serialised = models.BooleanField(
        default=False, help_text="Every move of this type names its cylinders' serial numbers (Equipment)."
    )
    tare_kg = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The empty cylinder's weight: a full one weighs this plus its gas.",
    )

    class Meta:
        ordering = ["weight_kg", "sku"]
        constraints = [models.CheckConstraint(condition=models.Q(list_price__gte=0), name="cylindertype_price_gte_0")]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight_kg} kg)"


class VehicleCapacity(models.Model):
    """How many cylinders of one type a truck's racks hold (a type with no row:
    none). The dispatch planner keeps every truck within these and within its
    ``max_load_kg``."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="capacities")
    cylinder_type = models.ForeignKey(CylinderType, on_delete=models.PROTECT, related_name="+")
    max_qty = models.PositiveIntegerField()

    class Meta:
        ordering = ["vehicle_id", "cylinder_type_id"]
        verbose_name_plural = "vehicle capacities"
        constraints = [
            models.UniqueConstraint(fields=["vehicle", "cylinder_type"], name="vehiclecapacity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_id}: {self.max_qty} x {self.cylinder_type_id}"


class Equipment(models.Model):
    """A serialised asset: a cylinder with a serial number, a regulator, a meter.

    ``location``/``state``/``located_since`` are its current position, kept by
    the stock posting service (``apps.inventory.services.stock_post``) from the
    serials on each move, never written by hand; null: not in circulation.
    ``next_inspection_due`` is the hydrostatic retest date: past it, the
    cylinder may not be collected or delivered (422 ``retest_overdue``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    serial_number = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32, default="CYLINDER")
    cylinder_type = models.ForeignKey(
        CylinderType, null=True, blank=True, on_delete=models.PROTECT, related_name="equipment"
    )
    status = models.CharField(max_length=16, choices=EquipmentStatus.choices, default=EquipmentStatus.ACTIVE)
    ownership = models.CharField(max_length=16, choices=Ownership.choices, default=Ownership.COMPANY)
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="equipment")
    next_inspection_due = models.DateField(null=True, blank=True, db_index=True, help_text="Hydrostatic retest due.")
    location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="equipment",
        editable=False,
        help_text="Where it is now (kept by the stock posting service); empty: not in circulation.",
    )
    state = models.CharField(max_length=8, choices=EquipmentState.choices, blank=True, editable=False)
    located_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["serial_number"]
        verbose_name_plural = "equipment"
        indexes = [models.Index(fields=["cylinder_type", "location", "state"], name="equipment_type_position")]

    def __str__(self) -> str:
        return self.serial_number
