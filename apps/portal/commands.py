"""The customer's writes (see ``apps/core/commands.py``)."""

from apps.core.commands import Command, register
from apps.core.exceptions import Forbidden
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.portal import services
from apps.portal.serializers import CustomerOrderInput, CustomerOrderSerializer


def contact_required(actor) -> None:
    if role_of(actor) != Role.CUSTOMER:
        raise Forbidden("Only a customer's contact orders through the customer app.")


# POST /api/customer/orders/: one order per Idempotency-Key (a double tap makes one order).
CUSTOMER_ORDER_CREATE = register(
    Command(
        name="customer.order_create",
        input=CustomerOrderInput,
        service=services.customer_order_place,
        output=CustomerOrderSerializer,
        authorize=contact_required,
    )
)
