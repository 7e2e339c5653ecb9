from django.db.models import Exists, OuterRef, QuerySet

from apps.core.scoping import scope_by_role
from apps.deliveries.models import Delivery, DeliveryAttachment


def delivery_list(*, user) -> QuerySet[Delivery]:
    """A driver sees their own deliveries; depot staff those of their depot's vehicles.
    The proof and its attachments come with the page (fixed queries, whatever the count)."""
    qs = (
        Delivery.objects.select_related("invoice", "proof")
        .prefetch_related("lines", "invoice__payments", "attachments")
        .order_by("-id")
    )
    return scope_by_role(qs, user, driver="driver", vehicle="vehicle")


def with_missing_uploads(qs: QuerySet[Delivery], missing: bool = True) -> QuerySet[Delivery]:
    """Deliveries with (or without) a declared signature or photo not uploaded yet."""
    pending = Exists(DeliveryAttachment.objects.missing().filter(delivery=OuterRef("pk")))
    return qs.filter(pending) if missing else qs.exclude(pending)


def attachment_for_reading(*, user, delivery_id: int, sha256: str) -> DeliveryAttachment | None:
    """The attachment if ``user`` may see its delivery (the list's scoping), else None."""
    visible = delivery_list(user=user).filter(pk=delivery_id)
    return DeliveryAttachment.objects.filter(delivery__in=visible.values("pk"), sha256=sha256.lower()).first()
