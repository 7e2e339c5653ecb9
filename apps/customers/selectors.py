from datetime import time

from django.db.models import Q, QuerySet

from apps.core.scoping import scope_by_role
from apps.customers.enums import CustomerKind
from apps.customers.models import Customer
from apps.customers.rules import HOUSEHOLD_HOURS


def _active(_user) -> Q:
    return Q(is_active=True)


def customer_list(*, user) -> QuerySet[Customer]:
    """Drivers and depot staff see active customers (any can be served on the
    road); the office sees all."""
    return scope_by_role(Customer.objects.all(), user, driver_rule=_active, depot_staff_rule=_active)


def receiving_hours(customer: Customer) -> tuple[time, time] | None:
    """When the customer takes deliveries: its own hours, a household's
    07:00-21:00 where it names none (or only one end), None for any time."""
    opens, closes = customer.receiving_from, customer.receiving_until
    if customer.kind == CustomerKind.HOUSEHOLD:
        return (
            max(opens or HOUSEHOLD_HOURS[0], HOUSEHOLD_HOURS[0]),
            min(closes or HOUSEHOLD_HOURS[1], HOUSEHOLD_HOURS[1]),
        )
    if opens is None and closes is None:
        return None
    return (opens or time(0, 0), closes or time(23, 59))
