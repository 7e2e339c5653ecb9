from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import SafeLookupMixin
from apps.core.commands import command_create
from apps.core.db import retry_on_conflict
from apps.core.pagination import LedgerPagination
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.depots.models import Equipment
from apps.inventory import selectors, services
from apps.inventory.commands import STOCK_DOCUMENT_CREATE
from apps.inventory.filters import StockBalanceFilter, StockMoveFilter
from apps.inventory.serializers import (
    EquipmentMoveSerializer,
    ReverseInput,
    StockBalanceSerializer,
    StockDocumentSerializer,
    StockMoveSerializer,
)


class StockBalanceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Full and empty cylinders per location and type (plain list, no paging)."""

    serializer_class = StockBalanceSerializer
    filterset_class = StockBalanceFilter
    pagination_class = None
    search_fields: list = []
    ordering_fields: list = []

    def get_queryset(self):
        return selectors.stock_balance_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # Every balance the office may see is one row per location and type
        # (thousands with every customer site): read as plain values, not
        # through a serializer field by field; the shape is the serializer's.
        queryset = self.filter_queryset(self.get_queryset())
        return Response(list(selectors.stock_balance_rows(queryset)))


class StockMoveViewSet(SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """The ledger, read-only."""

    serializer_class = StockMoveSerializer
    filterset_class = StockMoveFilter
    pagination_class = LedgerPagination
    search_fields: list = []
    # the cursor pagination fixes the order (newest first, by id)
    ordering = ("-id",)
    ordering_fields = ["id"]

    def get_queryset(self):
        return selectors.stock_move_list(user=self.request.user)

    def ledger_branches(self, request):
        """``?location=``: its moves out and in, paged along each index (LedgerPagination)."""
        value = request.query_params.get("location", "")
        if not value.isdigit():
            return None  # absent, or refused by the filter (400)
        return [Q(from_location_id=int(value)), Q(to_location_id=int(value))]


class StockDocumentViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Receipts, dumps, transfers (depot staff at their depot), adjustments and
    write-offs (supervisor, with a reason), reversals (supervisor)."""

    serializer_class = StockDocumentSerializer
    permission_classes = [roles(Role.ADMIN, Role.SUPERVISOR, Role.DEPOT_STAFF, Role.FINANCE)]
    filterset_fields = ["kind"]
    search_fields = ["number", "reference", "reason"]

    def get_queryset(self):
        return selectors.stock_document_list(user=self.request.user)

    create = command_create(STOCK_DOCUMENT_CREATE)

    @extend_schema(request=ReverseInput, responses={201: StockDocumentSerializer})
    @action(detail=True, methods=["post"], permission_classes=[roles(Role.ADMIN, Role.SUPERVISOR)])
    @retry_on_conflict
    def reverse(self, request, pk=None):
        document = self.get_object()
        data = ReverseInput(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = services.stock_document_reverse(
            actor=request.user,
            document_type="inventory.stockdocument",
            document_id=document.pk,
            reason=data.validated_data["reason"],
        )
        return Response(StockDocumentSerializer(reversal).data, status=status.HTTP_201_CREATED)


class EquipmentHistoryApi(generics.ListAPIView):
    """Every move of one serialised cylinder, oldest first (plain list)."""

    serializer_class = EquipmentMoveSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        try:
            return selectors.equipment_history(user=self.request.user, equipment_id=self.kwargs["pk"])
        except Equipment.DoesNotExist:
            raise Http404 from None
