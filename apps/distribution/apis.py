from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import SafeLookupMixin
from apps.core.commands import command_create
from apps.core.db import retry_on_conflict
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.distribution import selectors, services
from apps.distribution.commands import DISTRIBUTION_CREATE
from apps.distribution.receipts import distribution_receipt_bytes
from apps.distribution.serializers import DistributionSerializer, ReverseInput

OPERATIONS = (Role.ADMIN, Role.SUPERVISOR, Role.DEPOT_STAFF, Role.DRIVER, Role.FINANCE)


class DistributionViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DistributionSerializer
    permission_classes = [roles(*OPERATIONS)]
    filterset_fields = ["vehicle", "driver", "status"]
    search_fields = ["number"]
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return selectors.distribution_list(user=self.request.user)

    create = command_create(DISTRIBUTION_CREATE)

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
