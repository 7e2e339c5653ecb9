from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.inventory.enums import VIRTUAL_KINDS, CylinderState, LocationKind, MovementType, StockDocumentKind


class ImmutableError(Exception):
    pass


class Location(models.Model):
    """Where cylinders can be: one per depot, vehicle and customer, plus the
    virtual ones (filling plant, adjustments, write-offs) that may go negative."""

    kind = models.CharField(max_length=16, choices=LocationKind.choices)
    name = models.CharField(max_length=200)
    is_virtual = models.BooleanField(default=False)
    depot = models.OneToOneField(
        "depots.Depot", null=True, blank=True, on_delete=models.PROTECT, related_name="location"
    )
    vehicle = models.OneToOneField(
        "depots.Vehicle", null=True, blank=True, on_delete=models.PROTECT, related_name="location"
    )
    customer = models.OneToOneField(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="location"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            # exactly one owner for real locations, none for virtual ones
            models.CheckConstraint(
                condition=(
                    Q(kind=LocationKind.DEPOT, depot__isnull=False, vehicle__isnull=True, customer__isnull=True)
                    | Q(kind=LocationKind.VEHICLE, vehicle__isnull=False, depot__isnull=True, customer__isnull=True)
                    | Q(kind=LocationKind.CUSTOMER, customer__isnull=False, depot__isnull=True, vehicle__isnull=True)
                    | Q(
                        kind__in=sorted(VIRTUAL_KINDS),
                        depot__isnull=True,
                        vehicle__isnull=True,
                        customer__isnull=True,
                    )
                ),
                name="location_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class StockDocument(models.Model):
    """A depot/supervisor stock operation that is not a distribution or a
    delivery: receipt, dump, transfer, adjustment, write-off, reversal."""

    kind = models.CharField(max_length=16, choices=StockDocumentKind.choices)
    number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    reason = models.TextField(blank=True)
    reference = models.CharField(max_length=64, blank=True, help_text="Delivery order, plant docket, ...")
    reverses_document_type = models.CharField(max_length=32, blank=True)
    reverses_document_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number or f"{self.kind} #{self.pk}"


class StockMoveQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("Stock moves are immutable; post a reversing document instead.")

    def delete(self):
        raise ImmutableError("Stock moves are immutable; post a reversing document instead.")


class StockMove(models.Model):
    """One immutable ledger row: ``quantity`` cylinders of one type and state
    moved from one location to another, caused by one document."""

    movement_type = models.CharField(max_length=16, choices=MovementType.choices, db_index=True)
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="moves")
    state = models.CharField(max_length=8, choices=CylinderState.choices)
    quantity = models.PositiveIntegerField()
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="moves_out")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="moves_in")
    document_type = models.CharField(max_length=32, db_index=True)
    document_id = models.BigIntegerField(db_index=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(help_text="When it happened (the device's clock).")
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="When the server recorded it.")

    objects = StockMoveQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["document_type", "document_id"]),
            # What moved on and off one location in a time window (a truck's
            # day on /api/my-day/): one index range per direction, not a scan
            # of the location's whole history.
            models.Index(fields=["from_location", "occurred_at"], name="stockmove_from_occurred"),
            models.Index(fields=["to_location", "occurred_at"], name="stockmove_to_occurred"),
            # A location's ledger, newest first: each direction paged along its
            # own index range, the two pages merged (apps.core.pagination).
            models.Index(fields=["from_location", "id"], name="stockmove_from_id"),
            models.Index(fields=["to_location", "id"], name="stockmove_to_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stockmove_quantity_gt_0"),
            models.CheckConstraint(condition=~Q(from_location=models.F("to_location")), name="stockmove_from_ne_to"),
        ]

    def __str__(self) -> str:
        return f"{self.movement_type} {self.quantity} x {self.cylinder_type_id} {self.state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Stock moves are immutable; post a reversing document instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Stock moves are immutable; post a reversing document instead.")


class StockBalance(models.Model):
    """Derived from the ledger, kept in the same transaction as the moves.
    Real locations can never go below zero: the database refuses it."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="balances")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="balances")
    location_is_virtual = models.BooleanField(default=False)
    full_qty = models.IntegerField(default=0)
    empty_qty = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["location_id", "cylinder_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["location", "cylinder_type"], name="stockbalance_unique_location_type"),
            models.CheckConstraint(
                condition=Q(location_is_virtual=True) | Q(full_qty__gte=0, empty_qty__gte=0),
                name="stockbalance_real_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location} / {self.cylinder_type_id}: {self.full_qty} full, {self.empty_qty} empty"


class EquipmentMoveQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("Equipment moves are immutable; post a reversing document instead.")

    def delete(self):
        raise ImmutableError("Equipment moves are immutable; post a reversing document instead.")


class EquipmentMove(models.Model):
    """One serial's share of one ledger move (append-only): the history of a
    serialised cylinder. Written by ``stock_post`` with the move itself."""

    equipment = models.ForeignKey("depots.Equipment", on_delete=models.PROTECT, related_name="moves")
    stock_move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="equipment_moves")
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=CylinderState.choices)
    occurred_at = models.DateTimeField()

    objects = EquipmentMoveQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["equipment", "id"], name="equipmentmove_equipment_id")]
        constraints = [
            models.UniqueConstraint(fields=["stock_move", "equipment"], name="equipmentmove_once_per_move"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.from_location_id} -> {self.to_location_id} {self.state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Equipment moves are immutable; post a reversing document instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Equipment moves are immutable; post a reversing document instead.")
