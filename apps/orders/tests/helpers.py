from datetime import date
from decimal import Decimal

from apps.core.tests.factories import CustomerFactory
from apps.orders.services import order_create


def customer_at(lat: str, lng: str, **kwargs):
    return CustomerFactory(latitude=Decimal(lat), longitude=Decimal(lng), **kwargs)


def make_order(
    world, *, customer=None, driver="driver", day: date | None = None, quantity: int = 2, cylinder_type=None
):
    from django.utils import timezone

    return order_create(
        actor=world.users["supervisor"],
        customer=customer or world.customers[0],
        scheduled_for=day or timezone.localdate(),
        lines=[{"cylinder_type": cylinder_type or world.gas, "quantity": quantity}],
        driver=world.users[driver] if driver else None,
    )
