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


# -- deliveries (vehicle <-> customer) ----------------------------------------------


class Delivery(models.Model):
    """A delivery at a customer site: fulls delivered (DELIVERY moves), empties
    picked up (RETURN moves), services and a meter reading, invoiced by exactly
    one tax invoice created in the same transaction."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="deliveries")
    vehicle = models.ForeignKey("depots.Vehicle", on_delete=models.PROTECT, related_name="deliveries")
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    # The order this delivery fulfils (apps.orders links it; no FK yet to keep the apps independent).
    order_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payment_method = models.CharField(max_length=16)
    invoice = models.OneToOneField(
        "billing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="delivery"
    )
    total_delivered = models.PositiveIntegerField(default=0)
    total_returned = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(help_text="When it happened (the device's clock).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery #{self.pk}"


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    delivered_full = models.PositiveIntegerField(default=0)
    returned_empty = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_full__gt=0) | Q(returned_empty__gt=0), name="deliveryline_not_empty"
            ),
            models.UniqueConstraint(fields=["delivery", "cylinder_type"], name="deliveryline_unique_type"),
        ]

    def __str__(self) -> str:
        return f"{self.cylinder_type_id}: {self.delivered_full} full / {self.returned_empty} empty"
