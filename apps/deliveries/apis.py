from rest_framework import mixins, viewsets

from apps.core.api import SafeLookupMixin
from apps.core.commands import command_create
from apps.core.permissions import roles
from apps.deliveries import selectors
from apps.deliveries.commands import DELIVERY_CREATE
from apps.deliveries.serializers import DeliverySerializer
from apps.distribution.apis import OPERATIONS


class DeliveryViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Deliveries at customer sites, each with its tax invoice."""

    serializer_class = DeliverySerializer
    permission_classes = [roles(*OPERATIONS)]
    filterset_fields = ["customer", "vehicle", "driver"]
    search_fields = ["invoice__number"]
    ordering_fields = ["id", "occurred_at", "created_at"]

    def get_queryset(self):
        return selectors.delivery_list(user=self.request.user)

    create = command_create(DELIVERY_CREATE)
