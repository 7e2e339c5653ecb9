"""GET /api/invoices/<id>/einvoice/, GET /api/credit-notes/<id>/einvoice/:
the stored PINT-SG UBL 2.1 XML (application/xml), for whoever may read the
document (the same roles and querysets as the invoice's PDF and the credit
note); GET /api/exports/einvoices.zip?from=&to=: a period's XML (finance,
admin, auditor). An invalid document answers 422 ``einvoice_invalid`` with
the failed rules' ids and texts."""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from apps.billing import selectors as billing_selectors
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.einvoice import services
from apps.einvoice.enums import DocumentKind

OFFICE = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE)


class XmlRenderer(BaseRenderer):
    media_type = "application/xml"
    format = "xml"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class ZipRenderer(XmlRenderer):
    media_type = "application/zip"
    format = "zip"


class _JsonErrors:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and not isinstance(getattr(response, "accepted_renderer", None), JSONRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response


def _xml_response(row, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{row.number}.xml"'
    response["ETag"] = f'"{row.sha256}"'
    return response


class InvoiceEInvoiceApi(_JsonErrors, APIView):
    permission_classes = [roles(*OFFICE, Role.DRIVER, Role.DEPOT_STAFF)]
    renderer_classes = [JSONRenderer, XmlRenderer]

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY}, operation_id="invoices_einvoice")
    def get(self, request, pk: int):
        invoice = get_object_or_404(billing_selectors.invoice_list(user=request.user), pk=pk)
        row, data = services.einvoice_download(
            actor=request.user, kind=DocumentKind.INVOICE, document_id=invoice.pk, request=request
        )
        return _xml_response(row, data)


class CreditNoteEInvoiceApi(_JsonErrors, APIView):
    permission_classes = [roles(*OFFICE)]
    renderer_classes = [JSONRenderer, XmlRenderer]

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY}, operation_id="credit_notes_einvoice")
    def get(self, request, pk: int):
        note = get_object_or_404(billing_selectors.credit_note_list(user=request.user), pk=pk)
        row, data = services.einvoice_download(
            actor=request.user, kind=DocumentKind.CREDIT_NOTE, document_id=note.pk, request=request
        )
        return _xml_response(row, data)


class PeriodInput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def to_internal_value(self, data):
        return super().to_internal_value({"date_from": data.get("from"), "date_to": data.get("to")})


class EInvoiceZipApi(_JsonErrors, APIView):
    permission_classes = [roles(Role.ADMIN, Role.FINANCE)]
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True),
        ],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        period = PeriodInput(data=request.query_params)
        period.is_valid(raise_exception=True)
        data = services.einvoice_zip(actor=request.user, request=request, **period.validated_data)
        response = HttpResponse(data, content_type="application/zip")
        v = period.validated_data
        response["Content-Disposition"] = f'attachment; filename="einvoices-{v["date_from"]}-{v["date_to"]}.zip"'
        return response
