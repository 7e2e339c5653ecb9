"""Finance API: reports, exports and e-mail. Thin: validate the query with an
input serializer, read through the selectors, audit once, render. Finance,
auditor and admin read; only finance and admin queue e-mail (an auditor
never writes)."""

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.billing.apis import PdfRenderer
from apps.billing.models import Invoice
from apps.core.api import ReadOnlyViewSet
from apps.core.exceptions import ValidationFailed
from apps.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from apps.core.idempotency import parse_key, run_idempotent
from apps.core.permissions import roles
from apps.core.roles import Role
from apps.customers.models import Customer
from apps.finance import exports, selectors, services
from apps.finance.serializers import (
    AccountingInput,
    AgeingInput,
    AgeingOutput,
    EmailInput,
    EmailLogSerializer,
    GstInput,
    GstSummaryOutput,
    PeriodInput,
    StatementInput,
    StatementOutput,
    ZipInput,
    ageing_json,
    gst_json,
    statement_json,
)
from config.routers import ReplicaReadsMixin

READERS = roles(Role.ADMIN, Role.FINANCE, Role.AUDITOR)
WRITERS = roles(Role.ADMIN, Role.FINANCE)
FILE = {(200, "text/csv"): OpenApiTypes.BINARY}


class CsvRenderer(BaseRenderer):
    """Lets ``?format=csv`` / ``Accept: text/csv`` through negotiation; the view
    streams the file itself and errors are switched back to JSON."""

    media_type = "text/csv"
    format = "csv"
    charset: str | None = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b""


class ZipRenderer(CsvRenderer):
    media_type = "application/zip"
    format = "zip"
    charset = None


class FinanceView(ReplicaReadsMixin, APIView):  # GET reports and exports read from the replica
    permission_classes = [READERS]
    renderer_classes = [JSONRenderer]

    def get_authenticators(self):
        """The admin's exports page calls these views with its session
        (``session=True``, passed only by the admin's own URL); the API takes JWTs."""
        if self.kwargs.get("session"):
            from rest_framework.authentication import SessionAuthentication

            return [SessionAuthentication()]
        return super().get_authenticators()

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors are JSON whatever file type the client asked for."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and not isinstance(getattr(response, "accepted_renderer", None), JSONRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    def valid(self, serializer_class, data) -> dict:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _period(params: dict) -> dict:
    return {"from": params["date_from"].isoformat(), "to": params["date_to"].isoformat()}


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exports.csv_stream(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _customer(pk) -> Customer:
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound("No such customer.")
    return customer


def _known_customer(pk: int | None) -> None:
    if pk is not None and not Customer.objects.filter(pk=pk).exists():
        raise ValidationFailed({"customer": ["No such customer."]})


class AgeingReportApi(FinanceView):
    @extend_schema(parameters=[AgeingInput], responses={200: AgeingOutput})
    def get(self, request, **kwargs):
        params = self.valid(AgeingInput, request.query_params)
        _known_customer(params.get("customer"))
        ageing = selectors.ageing_report(as_of=params["as_of"], customer_id=params.get("customer"))
        services.report_audit(
            actor=request.user, report="ageing", request=request, rows=ageing.invoice_count,
            params={"as_of": params["as_of"].isoformat(), "customer": params.get("customer")},
        )  # fmt: skip
        return Response(ageing_json(ageing))


class GstSummaryApi(FinanceView):
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(parameters=[GstInput], responses={200: GstSummaryOutput, **FILE})
    def get(self, request, **kwargs):
        params = self.valid(GstInput, request.query_params)
        as_csv = params["format"] == "csv" or request.accepted_renderer.format == "csv"
        summary = selectors.gst_summary(date_from=params["date_from"], date_to=params["date_to"])
        services.report_audit(
            actor=request.user, report="gst_summary", request=request, export=as_csv,
            rows=summary.invoice_count + summary.credit_note_count, params={**_period(params), "csv": as_csv},
        )  # fmt: skip
        body = gst_json(summary)
        if not as_csv:
            return Response(body)
        rows = [
            ["period_from", body["from"]],
            ["period_to", body["to"]],
            ["box1_standard_rated_supplies", body["box1_standard_rated_supplies"]],
            ["box6_output_tax", body["box6_output_tax"]],
            ["invoice_count", body["invoice_count"]],
            ["credit_note_count", body["credit_note_count"]],
            ["invoices_subtotal", body["invoices"]["subtotal"]],
            ["invoices_gst", body["invoices"]["gst"]],
            ["credit_notes_subtotal", body["credit_notes"]["subtotal"]],
            ["credit_notes_gst", body["credit_notes"]["gst"]],
        ]
        for r in body["by_rate"]:
            rows.append([f"net_supplies_at_{r['gst_rate']}", r["net_supplies"]])
            rows.append([f"output_tax_at_{r['gst_rate']}", r["output_tax"]])
        return csv_response(f"gst-f5-{body['from']}-{body['to']}.csv", ["item", "value"], rows)


class StatementApi(FinanceView):
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        parameters=[StatementInput], responses={200: StatementOutput, (200, "application/pdf"): OpenApiTypes.BINARY}
    )  # noqa: E501
    def get(self, request, pk, **kwargs):
        customer = _customer(pk)
        params = self.valid(StatementInput, request.query_params)
        as_pdf = params.get("format") == "pdf" or request.accepted_renderer.format == "pdf"
        statement = selectors.statement_build(
            customer=customer, date_from=params["date_from"], date_to=params["date_to"]
        )
        services.report_audit(
            actor=request.user, report="statement", request=request, export=as_pdf, rows=len(statement.entries),
            params={**_period(params), "customer": customer.pk, "pdf": as_pdf},
        )  # fmt: skip
        if not as_pdf:
            return Response(statement_json(statement))
        from apps.finance.pdf import statement_pdf_bytes

        response = HttpResponse(statement_pdf_bytes(statement), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="statement-{customer.code}-{params["date_to"]:%Y%m%d}.pdf"'
        )
        return response


class RegisterExportApi(FinanceView):
    """invoice-register.csv, payments.csv, credit-notes.csv"""

    renderer_classes = [JSONRenderer, CsvRenderer]
    register = ""
    REGISTERS = {
        "invoice-register": (selectors.INVOICE_REGISTER_COLUMNS, selectors.invoice_register_rows,
                             selectors.invoices_in_period),
        "payments": (selectors.PAYMENT_COLUMNS, selectors.payment_rows, selectors.payments_in_period),
        "credit-notes": (selectors.CREDIT_NOTE_COLUMNS, selectors.credit_note_rows, selectors.credit_notes_in_period),
    }  # fmt: skip

    @extend_schema(parameters=[PeriodInput], responses=FILE)
    def get(self, request, **kwargs):
        params = self.valid(PeriodInput, request.query_params)
        header, rows, queryset = self.REGISTERS[self.register]
        period = {"date_from": params["date_from"], "date_to": params["date_to"]}
        services.report_audit(
            actor=request.user, report=self.register.replace("-", "_"), request=request, export=True,
            rows=queryset(**period).count(), params=_period(params),
        )  # fmt: skip
        return csv_response(f"{self.register}-{params['date_from']}-{params['date_to']}.csv", header, rows(**period))


class AccountingExportApi(FinanceView):
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(parameters=[AccountingInput], responses=FILE)
    def get(self, request, **kwargs):
        params = self.valid(AccountingInput, request.query_params)
        system, kind = params["system"], params["kind"]
        period = {"date_from": params["date_from"], "date_to": params["date_to"]}
        header, rows = exports.ACCOUNTING[(system, kind)]
        services.report_audit(
            actor=request.user, report=f"accounting_{system}_{kind}", request=request, export=True,
            rows=exports.accounting_row_count(system=system, kind=kind, **period),
            params={**_period(params), "system": system, "kind": kind},
        )  # fmt: skip
        name = f"{system}-{kind}-{params['date_from']}-{params['date_to']}.csv"
        return csv_response(name, header, rows(**period))


class InvoiceZipApi(FinanceView):
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(parameters=[ZipInput], responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, **kwargs):
        params = self.valid(ZipInput, request.query_params)
        _known_customer(params.get("customer"))
        period = {"date_from": params["date_from"], "date_to": params["date_to"], "customer_id": params.get("customer")}
        count = selectors.invoices_in_period(**period).count() + selectors.credit_notes_in_period(**period).count()
        services.report_audit(
            actor=request.user, report="invoices_zip", request=request, export=True, rows=count,
            params={**_period(params), "customer": params.get("customer")},
        )  # fmt: skip
        documents = services.zip_documents(**period)
        response = StreamingHttpResponse(exports.zip_stream(documents), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="invoices-{params["date_from"]}-{params["date_to"]}.zip"'
        )
        return response


def _email_answer(log) -> dict:
    return EmailLogSerializer(log).data


class InvoiceEmailApi(FinanceView):
    permission_classes = [WRITERS]

    @extend_schema(
        request=EmailInput,
        responses={202: EmailLogSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request, pk):
        invoice = Invoice.objects.filter(pk=pk).first()
        if invoice is None:
            raise NotFound("No such invoice.")
        key = parse_key(request.headers.get(IDEMPOTENCY_HEADER))
        data = self.valid(EmailInput, request.data)
        result = run_idempotent(
            key=key,
            scope="finance.invoice_email",
            payload={"invoice": invoice.pk, "to": data.get("to") or ""},
            user=request.user,
            status_code=status.HTTP_202_ACCEPTED,
            action=lambda: _email_answer(
                services.invoice_email_queue(actor=request.user, invoice=invoice, to=data.get("to"), request=request)
            ),
        )
        return Response(result.body, status=result.status_code)


class StatementEmailApi(FinanceView):
    permission_classes = [WRITERS]

    @extend_schema(
        request=EmailInput,
        responses={202: EmailLogSerializer},
        parameters=[PeriodInput, OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request, pk):
        customer = _customer(pk)
        key = parse_key(request.headers.get(IDEMPOTENCY_HEADER))
        period = self.valid(PeriodInput, request.query_params)  # the same ?from=&to= as the statement itself
        data = {**self.valid(EmailInput, request.data), **period}
        result = run_idempotent(
            key=key,
            scope="finance.statement_email",
            payload={"customer": customer.pk, **_period(data), "to": data.get("to") or ""},
            user=request.user,
            status_code=status.HTTP_202_ACCEPTED,
            action=lambda: _email_answer(
                services.statement_email_queue(
                    actor=request.user,
                    customer=customer,
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    to=data.get("to"),
                    request=request,
                )  # fmt: skip
            ),
        )
        return Response(result.body, status=result.status_code)


class EmailLogViewSet(ReadOnlyViewSet):
    """Every e-mail of an invoice or statement and how it went (``?invoice=``)."""

    serializer_class = EmailLogSerializer
    permission_classes = [READERS]
    filterset_fields = ["invoice", "customer", "status", "kind"]
    search_fields = ["to_address", "invoice__number"]
    ordering_fields = ["id", "queued_at"]

    def get_queryset(self):
        return selectors.email_log_list(user=self.request.user)
