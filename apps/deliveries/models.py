"""Deliveries at a customer site. The tables keep the names they had when the
models lived in ``apps.distribution`` (moved state-only, data untouched)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Delivery(models.Model):
    """A delivery at a customer site: fulls delivered (DELIVERY moves), empties
    picked up (RETURN moves), services and a meter reading, invoiced by exactly
    one tax invoice created in the same transaction."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="deliveries")
    vehicle = models.ForeignKey("depots.Vehicle", on_delete=models.PROTECT, related_name="deliveries")
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    # The order this delivery fulfils, if any (column order_id, as before the FK).
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
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
        db_table = "distribution_delivery"  # the table predates the app (state-only move)
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
        db_table = "distribution_deliveryline"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_full__gt=0) | Q(returned_empty__gt=0), name="deliveryline_not_empty"
            ),
            models.UniqueConstraint(fields=["delivery", "cylinder_type"], name="deliveryline_unique_type"),
        ]

    def __str__(self) -> str:
        return f"{self.cylinder_type_id}: {self.delivered_full} full / {self.returned_empty} empty"
