from django.db.models import QuerySet

from apps.core.scoping import scope_by_role
from apps.distribution.models import DistributionHeader


def distribution_list(*, user) -> QuerySet[DistributionHeader]:
    """A driver sees their own distributions; depot staff those at their depot."""
    qs = DistributionHeader.objects.select_related("vehicle", "driver").prefetch_related("items").order_by("-id")
    return scope_by_role(qs, user, driver="driver", depot="items__depot", distinct=True)
