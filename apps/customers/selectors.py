from django.db.models import QuerySet

from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.customers.models import Customer


def customer_list(*, user) -> QuerySet[Customer]:
    """Drivers and depot staff see active customers (any can be served on the
    road); the office sees all."""
    role = role_of(user)
    if role in (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE, Role.AUDITOR):
        return Customer.objects.all()
    if role in (Role.DRIVER, Role.DEPOT_STAFF):
        return Customer.objects.filter(is_active=True)
    return Customer.objects.none()
