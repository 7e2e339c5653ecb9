from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.inventory.enums import CylinderState
from apps.orders.enums import CountStatus, OrderStatus


class Order(models.Model):
    """What a customer asked for on a day; a dispatcher assigns it to a driver
    and a delivery fulfils it."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="orders")
    scheduled_for = models.DateField(db_index=True)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLANNED, db_index=True)
    notes = models.TextField(blank=True)
    delivery_id = models.BigIntegerField(
        null=True, blank=True, help_text="The last delivery towards it (the one that completed it, once DELIVERED)."
    )
    delivered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last delivery towards it was recorded."
    )
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        indexes = [models.Index(fields=["driver", "scheduled_for"])]

    def __str__(self) -> str:
        return f"Order #{self.pk} {self.customer} {self.scheduled_for}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    delivered_quantity = models.PositiveIntegerField(
        default=0, help_text="Fulls delivered towards this line so far (all deliveries of the order)."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_gt_0"),
            models.CheckConstraint(condition=Q(delivered_quantity__gte=0), name="orderline_delivered_gte_0"),
            models.UniqueConstraint(fields=["order", "cylinder_type"], name="orderline_unique_type"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.cylinder_type_id}"

    @property
    def remaining_quantity(self) -> int:
        return max(self.quantity - self.delivered_quantity, 0)


class RoutePlan(models.Model):
    """A driver's stops for a day, in the order to drive them, from the
    vehicle's home depot. Planning again replaces the stops."""

    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="route_plans")
    date = models.DateField()
    start_depot = models.ForeignKey("depots.Depot", on_delete=models.PROTECT, related_name="+")
    total_km = models.DecimalField(max_digits=9, decimal_places=3, default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    planned_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "driver_id"]
        constraints = [models.UniqueConstraint(fields=["driver", "date"], name="routeplan_unique_driver_date")]

    def __str__(self) -> str:
        return f"Route {self.driver} {self.date}"


class RouteStop(models.Model):
    plan = models.ForeignKey(RoutePlan, on_delete=models.CASCADE, related_name="stops")
    sequence = models.PositiveIntegerField()
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="route_stops")
    leg_km = models.DecimalField(
        max_digits=9,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="From the previous stop (empty: no coordinates).",
    )

    class Meta:
        ordering = ["plan_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="routestop_unique_sequence"),
            models.UniqueConstraint(fields=["plan", "order"], name="routestop_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. order #{self.order_id}"


class DayEndCount(models.Model):
    """The physical count of a truck at the end of the day against the ledger.
    A difference waits for a supervisor, who posts it as an ADJUSTMENT or
    sends it back for a recount."""

    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="day_end_counts")
    vehicle = models.ForeignKey("depots.Vehicle", on_delete=models.PROTECT, related_name="day_end_counts")
    date = models.DateField(db_index=True)
    status = models.CharField(max_length=16, choices=CountStatus.choices, db_index=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    counted_at = models.DateTimeField()
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    adjustment = models.ForeignKey(
        "inventory.StockDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"Count {self.vehicle} {self.date} ({self.status})"


class DayEndCountLine(models.Model):
    count = models.ForeignKey(DayEndCount, on_delete=models.CASCADE, related_name="lines")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=CylinderState.choices)
    counted_qty = models.PositiveIntegerField()
    ledger_qty = models.IntegerField(help_text="The vehicle's balance when the count was recorded.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["count", "cylinder_type", "state"], name="dayendcountline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cylinder_type_id} {self.state}: counted {self.counted_qty}, ledger {self.ledger_qty}"

    @property
    def variance(self) -> int:
        return self.counted_qty - self.ledger_qty
