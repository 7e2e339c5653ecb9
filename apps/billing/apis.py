import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from apps.billing import selectors, services
from apps.billing.filters import InvoiceFilter
from apps.billing.serializers import (
    CreditNoteInput,
    CreditNoteSerializer,
    InvoiceSerializer,
    PaymentInput,
    PaymentSerializer,
)
from apps.core.api import SafeLookupMixin
from apps.core.db import retry_on_conflict
from apps.core.idempotency import idempotent_create
from apps.core.permissions import roles
from apps.core.roles import Role

OFFICE = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE)


class PdfRenderer(BaseRenderer):
    """Lets clients ask for application/pdf; errors still go out as JSON bytes."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


class InvoiceViewSet(SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Tax invoices, read-only: finance, admin and supervisors see all; a
    driver those of their own deliveries; others none (404)."""

    serializer_class = InvoiceSerializer
    permission_classes = [roles(*OFFICE, Role.DRIVER, Role.DEPOT_STAFF)]
    filterset_class = InvoiceFilter
    search_fields = ["number", "customer_name"]
    ordering_fields = ["id", "issue_date", "supply_date", "total"]

    def get_queryset(self):
        return selectors.invoice_detail_list(user=self.request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors are JSON even when the client asked for application/pdf."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(getattr(response, "accepted_renderer", None), PdfRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        data = services.invoice_pdf_download(actor=request.user, invoice=invoice, request=request)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        return response

    @extend_schema(request=PaymentInput, responses={201: PaymentSerializer})
    @idempotent_create("payment.create")
    @action(detail=True, methods=["post"], permission_classes=[roles(*OFFICE, Role.DRIVER)])
    @retry_on_conflict
    def payments(self, request, pk=None):
        invoice = self.get_object()
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.payment_record(actor=request.user, invoice=invoice, **data.validated_data)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class CreditNoteViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CreditNoteSerializer
    permission_classes = [roles(*OFFICE)]
    filterset_fields = ["invoice"]
    search_fields = ["number", "invoice__number"]

    def get_queryset(self):
        return selectors.credit_note_list(user=self.request.user)

    @extend_schema(request=CreditNoteInput, responses={201: CreditNoteSerializer})
    @idempotent_create("credit_note.create")
    @retry_on_conflict
    def create(self, request, *args, **kwargs):
        data = CreditNoteInput(data=request.data, invoices=selectors.invoice_list(user=request.user))
        data.is_valid(raise_exception=True)
        note = services.credit_note_create(actor=request.user, **data.validated_data)
        return Response(CreditNoteSerializer(note).data, status=status.HTTP_201_CREATED)
