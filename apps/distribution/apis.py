from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import SafeLookupMixin
from apps.core.db import retry_on_conflict
from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, require_key
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.distribution import selectors, services
from apps.distribution.receipts import distribution_receipt_bytes
from apps.distribution.serializers import DistributionInput, DistributionSerializer, ReverseInput
from apps.distribution.submit import distribution_submit

IDEMPOTENCY_HEADER = IDEMPOTENCY_KEY_PARAMETER

OPERATIONS = (Role.ADMIN, Role.SUPERVISOR, Role.DEPOT_STAFF, Role.DRIVER, Role.FINANCE)


class DistributionViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DistributionSerializer
    permission_classes = [roles(*OPERATIONS)]
    filterset_fields = ["vehicle", "driver", "status"]
    search_fields = ["number"]
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return selectors.distribution_list(user=self.request.user)

    @extend_schema(request=DistributionInput, responses={201: DistributionSerializer}, parameters=[IDEMPOTENCY_HEADER])
    @retry_on_conflict
    def create(self, request, *args, **kwargs):
        if request.user.role == Role.FINANCE:
            self.permission_denied(request, "Finance has read-only access to operations.")
        result = distribution_submit(actor=request.user, payload=request.data, key=require_key(request))
        return Response(
            result.body, status=result.status_code, headers={"Idempotent-Replayed": str(result.replayed).lower()}
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        """The thermal receipt as ESC/POS bytes (reprints, depot printers)."""
        header = self.get_object()
        response = HttpResponse(distribution_receipt_bytes(header), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{header.number}.bin"'
        return response

    @extend_schema(request=ReverseInput, responses={200: DistributionSerializer})
    @action(detail=True, methods=["post"], permission_classes=[roles(Role.ADMIN, Role.SUPERVISOR)])
    @retry_on_conflict
    def reverse(self, request, pk=None):
        header = self.get_object()
        data = ReverseInput(data=request.data)
        data.is_valid(raise_exception=True)
        header = services.distribution_reverse(actor=request.user, header=header, reason=data.validated_data["reason"])
        return Response(DistributionSerializer(header).data)
