from django.db.models import Q, QuerySet

from apps.core.scoping import scope_by_role
from apps.customers.models import Customer


def _active(_user) -> Q:
    return Q(is_active=True)


def customer_list(*, user) -> QuerySet[Customer]:
    """Drivers and depot staff see active customers (any can be served on the
    road); the office sees all."""
    return scope_by_role(Customer.objects.all(), user, driver_rule=_active, depot_staff_rule=_active)
