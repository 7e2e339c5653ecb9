from django.db.models import QuerySet

from apps.core.scoping import scope_by_role
from apps.deliveries.models import Delivery


def delivery_list(*, user) -> QuerySet[Delivery]:
    """A driver sees their own deliveries; depot staff those of their depot's vehicles."""
    qs = Delivery.objects.select_related("invoice").prefetch_related("lines", "invoice__payments").order_by("-id")
    return scope_by_role(qs, user, driver="driver", vehicle="vehicle")
