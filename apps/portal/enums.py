from django.db import models


class TrackingState(models.TextChoices):
    """Where the customer's order is (docs/customers.md, "Tracking states")."""

    RECEIVED = "received", "Received"
    PLANNED = "planned", "Planned, with its arrival window"
    ON_THE_WAY = "on_the_way", "On the way"
    DELIVERED = "delivered", "Delivered"
    PARTLY_DELIVERED = "partly_delivered", "Partly delivered"
    CANCELLED = "cancelled", "Cancelled"


class NotificationKind(models.TextChoices):
    """The order e-mails to a customer's contacts (docs/customers.md, "Order e-mails")."""

    RECEIVED = "received", "Order received"
    PLANNED = "planned", "Planned, with its arrival window"
    DELIVERED = "delivered", "Delivered, with the tax invoice"
    PARTLY_DELIVERED = "partly_delivered", "Partly delivered, with the tax invoice"


class NotificationStatus(models.TextChoices):
    QUEUED = "QUEUED", "Queued"
    SENDING = "SENDING", "Being sent"
    SENT = "SENT", "Sent"
    FAILED = "FAILED", "Failed (retries exhausted)"
    SUPERSEDED = "SUPERSEDED", "Not sent: a newer window replaced it"
