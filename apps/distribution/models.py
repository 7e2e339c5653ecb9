from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.distribution.enums import DistributionMovement, DistributionStatus


class DistributionHeader(models.Model):
    """A handover between a depot and a vehicle: fulls loaded (COLLECTION),
    empties and unsold fulls brought back (EMPTY_RETURN, FULL_RETURN)."""

    number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="distributions"
    )
    vehicle = models.ForeignKey("depots.Vehicle", on_delete=models.PROTECT, related_name="distributions")
    status = models.CharField(max_length=16, choices=DistributionStatus.choices, default=DistributionStatus.CONFIRMED)
    total_collection = models.PositiveIntegerField(default=0)
    total_return = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number or f"distribution #{self.pk}"


class DistributionItem(models.Model):
    header = models.ForeignKey(DistributionHeader, on_delete=models.PROTECT, related_name="items")
    depot = models.ForeignKey("depots.Depot", on_delete=models.PROTECT, related_name="+")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    movement_type = models.CharField(max_length=16, choices=DistributionMovement.choices)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="distributionitem_quantity_gt_0")]

    def __str__(self) -> str:
        return f"{self.movement_type} {self.quantity}"
