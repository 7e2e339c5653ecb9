from django.db import models


class OrderStatus(models.TextChoices):
    PLANNED = "PLANNED", "Planned (no driver yet)"
    ASSIGNED = "ASSIGNED", "Assigned to a driver"
    PARTLY_DELIVERED = "PARTLY_DELIVERED", "Partly delivered (some still to deliver)"
    DELIVERED = "DELIVERED", "Delivered"
    CANCELLED = "CANCELLED", "Cancelled"


OPEN_STATUSES = (OrderStatus.PLANNED, OrderStatus.ASSIGNED, OrderStatus.PARTLY_DELIVERED)


class OrderSource(models.TextChoices):
    OFFICE = "OFFICE", "Entered by the office"
    IMPORT = "IMPORT", "Imported from a file"
    REPEAT = "REPEAT", "Repeat order"
    CUSTOMER = "CUSTOMER", "Ordered by the customer"


class ClashKind(models.TextChoices):
    CANCELLED = "CANCELLED", "Delivered after the order was cancelled"
    OTHER_DRIVER = "OTHER_DRIVER", "Delivered by a driver it was no longer assigned to"


class CountStatus(models.TextChoices):
    MATCHED = "MATCHED", "Matches the ledger"
    PENDING = "PENDING", "Variance awaiting a supervisor"
    APPROVED = "APPROVED", "Variance approved (adjustment posted)"
    RETURNED = "RETURNED", "Sent back for a recount"


class OrdersAuditAction(models.TextChoices):
    ORDER_CREATED = "order.created"
    ORDER_CHANGED = "order.changed"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_DELIVERED = "order.delivered"
    ROUTE_PLANNED = "route.planned"
    ORDERS_IMPORTED = "orders.imported"
    REPEAT_ORDER_SAVED = "repeat_order.saved"
    REPEAT_ORDERS_GENERATED = "repeat_orders.generated"
    ROUTE_CLASH = "route.clash"
    ROUTE_CLASH_RESOLVED = "route.clash_resolved"
    DAY_END_COUNTED = "day_end.counted"
    DAY_END_APPROVED = "day_end.approved"
    DAY_END_RETURNED = "day_end.returned"


class OrderEvent(models.TextChoices):
    """What apps.orders.events tells its listeners, after commit."""

    RECEIVED = "received", "Order received"
    PLANNED = "planned", "Planned with an arrival window"
    DELIVERED = "delivered", "Delivered (or partly)"
