"""The delivery writes, online and offline (see ``apps/core/commands.py``)."""

from apps.core.commands import Command, register
from apps.deliveries import policies as policies
from apps.deliveries.serializers import DeliveryInput, DeliverySerializer
from apps.deliveries.services import delivery_create

DELIVERY_CREATE = register(
    Command(
        name="delivery.create",
        input=DeliveryInput,
        service=delivery_create,
        output=DeliverySerializer,
        authorize=policies.delivery_create_allowed,
        sync_event=True,
    )
)
