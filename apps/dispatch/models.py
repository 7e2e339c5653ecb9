from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.dispatch.enums import PlanKind


class DispatchPlan(models.Model):
    """One solve of a day: which truck takes which order, in what order, with
    the ETAs, the load sheets and the orders left out (each with its reason).

    Versions of a day count up from 1; the newest is the day's plan (its
    routes are written to ``orders.RoutePlan``/``RouteStop``, which the
    drivers read). Rows are never changed: ``snapshot`` is the plan as it was
    answered, kept for the record beside the audit row."""

    date = models.DateField(db_index=True)
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=PlanKind.choices)
    engine = models.CharField(max_length=16)
    solve_ms = models.PositiveIntegerField()
    total_km = models.DecimalField(max_digits=9, decimal_places=3)
    trucks_used = models.PositiveSmallIntegerField()
    orders_planned = models.PositiveIntegerField()
    orders_unassigned = models.PositiveIntegerField()
    buffer_percent = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-version"]
        constraints = [models.UniqueConstraint(fields=["date", "version"], name="dispatchplan_unique_version")]

    def __str__(self) -> str:
        return f"Plan {self.date} v{self.version}"


class LoadSheetLine(models.Model):
    """What one truck loads at its depot for a plan: the cylinders of its
    stops plus the buffer, per type (the depot counter pre-fills from it)."""

    plan = models.ForeignKey(DispatchPlan, on_delete=models.CASCADE, related_name="load_lines")
    vehicle = models.ForeignKey("depots.Vehicle", on_delete=models.PROTECT, related_name="+")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    ordered = models.PositiveIntegerField(help_text="Cylinders of the truck's planned stops.")
    buffer = models.PositiveIntegerField()
    to_load = models.PositiveIntegerField()

    class Meta:
        ordering = ["plan_id", "vehicle_id", "cylinder_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "vehicle", "cylinder_type"], name="loadsheetline_unique"),
            models.CheckConstraint(condition=Q(to_load__gte=models.F("ordered")), name="loadsheetline_covers"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_id}: {self.to_load} x {self.cylinder_type_id}"
