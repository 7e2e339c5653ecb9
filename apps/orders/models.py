from django.conf import settings
from django.db import models
from django.db.models import F, Q

from apps.inventory.enums import CylinderState
from apps.orders.enums import ClashKind, CountStatus, OrderSource, OrderStatus


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
    window_start = models.TimeField(
        null=True, blank=True, help_text="Deliver no earlier than this (empty: the customer's receiving hours)."
    )
    window_end = models.TimeField(
        null=True, blank=True, help_text="Deliver no later than this (empty: the customer's receiving hours)."
    )
    urgent = models.BooleanField(default=False, help_text="Planned before any other order when trucks are short.")
    source = models.CharField(max_length=8, choices=OrderSource.choices, default=OrderSource.OFFICE)
    pinned_vehicle = models.ForeignKey(
        "depots.Vehicle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Locked to this truck by a dispatcher: planning keeps it there.",
    )
    unplanned_reason = models.CharField(
        max_length=16, blank=True, help_text="Why the last plan of its day left it without a truck."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        indexes = [models.Index(fields=["driver", "scheduled_for"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_start__isnull=True)
                | Q(window_end__isnull=True)
                | Q(window_start__lt=F("window_end")),
                name="order_window_order",
            ),
        ]

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
    vehicle = models.ForeignKey("depots.Vehicle", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    total_km = models.DecimalField(max_digits=9, decimal_places=3, default=0)
    total_minutes = models.PositiveIntegerField(default=0, help_text="From leaving the depot to coming back.")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="The dispatch plan version that set these stops.")
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
    eta = models.DateTimeField(null=True, blank=True, help_text="When the truck is planned to arrive.")
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    service_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="routestop_unique_sequence"),
            models.UniqueConstraint(fields=["plan", "order"], name="routestop_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. order #{self.order_id}"


class RepeatOrder(models.Model):
    """A regular customer's standing order: every week on ``weekday`` an order
    with these lines is made for that day (``repeat_orders_generate``)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="repeat_orders")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    starts_on = models.DateField(help_text="No order before this day.")
    last_generated_for = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["customer_id", "weekday", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="repeatorder_weekday"),
            models.CheckConstraint(
                condition=Q(window_start__isnull=True)
                | Q(window_end__isnull=True)
                | Q(window_start__lt=F("window_end")),
                name="repeatorder_window_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} every {self.get_weekday_display()}"


class RepeatOrderLine(models.Model):
    repeat = models.ForeignKey(RepeatOrder, on_delete=models.CASCADE, related_name="lines")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="repeatorderline_quantity_gt_0"),
            models.UniqueConstraint(fields=["repeat", "cylinder_type"], name="repeatorderline_unique_type"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.cylinder_type_id}"


class RouteClash(models.Model):
    """A delivery recorded against an order its driver no longer had: the
    phone was offline while a dispatcher cancelled or moved the stop. The
    delivery stands (the gas is at the customer); the dispatcher settles it."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="clashes")
    delivery_id = models.BigIntegerField()
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ClashKind.choices)
    noted_at = models.DateTimeField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-noted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["order", "delivery_id"], name="routeclash_unique")]

    def __str__(self) -> str:
        return f"Clash on order #{self.order_id} ({self.kind})"


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
