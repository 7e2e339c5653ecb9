from rest_framework import mixins, viewsets

from apps.accounts.permissions import roles
from apps.core.api import SafeLookupMixin
from apps.core.commands import command_create
from apps.distribution import deliveries_selectors as selectors
from apps.distribution.apis import OPERATIONS
from apps.distribution.deliveries_commands import DELIVERY_CREATE
from apps.distribution.deliveries_serializers import DeliverySerializer


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
