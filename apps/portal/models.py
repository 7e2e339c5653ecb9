from django.db import models

from apps.portal.enums import NotificationKind, NotificationStatus


class OrderNotification(models.Model):
    """One order e-mail to a customer's contacts, recorded before it is sent.
    (order, kind, key) is unique and a SENT row is never sent again, so a
    retried or redelivered task finds the row and sends nothing twice.
    ``key``: empty for "received", the window's revision for "planned"
    (a new row only when the window moved materially), the delivery for
    "delivered" / "partly_delivered". ``recipients``: the addresses it went to."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    key = models.CharField(max_length=64, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    delivery = models.ForeignKey(
        "deliveries.Delivery", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)  # the same for every attempt (apps.core.mail)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "key"], name="ordernotification_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} e-mail of order #{self.order_id} ({self.status})"
