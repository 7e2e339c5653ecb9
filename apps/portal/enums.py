from django.db import models


class TrackingState(models.TextChoices):
    """Where the customer's order is (docs/customers.md, "Tracking states")."""

    RECEIVED = "received", "Received"
    PLANNED = "planned", "Planned, with its arrival window"
    ON_THE_WAY = "on_the_way", "On the way"
    DELIVERED = "delivered", "Delivered"
    PARTLY_DELIVERED = "partly_delivered", "Partly delivered"
    CANCELLED = "cancelled", "Cancelled"
