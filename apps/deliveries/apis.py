from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from apps.core.api import SafeLookupMixin
from apps.core.db import retry_on_conflict
from apps.core.idempotency import require_key, run_idempotent
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.deliveries import selectors, services
from apps.deliveries.serializers import DeliveryInput, DeliverySerializer
from apps.distribution.apis import IDEMPOTENCY_HEADER, OPERATIONS


class DeliveryViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Deliveries at customer sites, each with its tax invoice."""

    serializer_class = DeliverySerializer
    permission_classes = [roles(*OPERATIONS)]
    filterset_fields = ["customer", "vehicle", "driver"]
    search_fields = ["invoice__number"]
    ordering_fields = ["id", "occurred_at", "created_at"]

    def get_queryset(self):
        return selectors.delivery_list(user=self.request.user)

    @extend_schema(request=DeliveryInput, responses={201: DeliverySerializer}, parameters=[IDEMPOTENCY_HEADER])
    @retry_on_conflict
    def create(self, request, *args, **kwargs):
        if request.user.role in (Role.FINANCE, Role.DEPOT_STAFF):
            self.permission_denied(request, "Your role may not record deliveries.")
        key = require_key(request)
        data = DeliveryInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = run_idempotent(
            key=key,
            scope="delivery.create",
            payload=data.canonical(),
            user=request.user,
            action=lambda: services.delivery_body(
                services.delivery_create(actor=request.user, **data.service_kwargs())
            ),
        )
        return Response(
            result.body, status=result.status_code, headers={"Idempotent-Replayed": str(result.replayed).lower()}
        )
