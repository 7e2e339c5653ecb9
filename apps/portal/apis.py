"""The customer's self-service API, all under /api/customer/ (docs/customers.md).

Separate endpoints rather than the office's with one more scoping rule: a
contact's token is fenced to /api/customer/ (apps.accounts.authentication),
so no office endpoint can leak a row through a selector that forgot the
customer role, and each endpoint here builds its queryset from the contact's
one customer (another customer's id is a 404)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from apps.accounts.throttles import LoginIPThrottle
from apps.billing.apis import PdfRenderer
from apps.billing.models import CreditNote, Invoice
from apps.billing.selectors import customer_cylinders
from apps.billing.services import invoice_pdf_download
from apps.core.api import SafeLookupMixin
from apps.core.commands import command_create
from apps.core.db import retry_on_conflict
from apps.core.idempotency import idempotent_create
from apps.core.permissions import roles
from apps.core.throttling import FailOpen
from apps.customers.models import CustomerContact
from apps.customers.selectors import customer_list
from apps.customers.services import (
    CORRECTORS,
    INVITERS,
    contact_correct,
    contact_invite,
    contact_preferences_set,
    invite_accept,
)
from apps.finance.pdf import statement_pdf_bytes
from apps.finance.selectors import BUCKETS, open_invoices, statement_build
from apps.finance.serializers import StatementOutput, statement_json
from apps.finance.services import credit_note_pdf_download
from apps.orders.models import Order
from apps.portal import selectors
from apps.portal.commands import CUSTOMER_ORDER_CREATE
from apps.portal.permissions import IsCustomerContact
from apps.portal.serializers import (
    AccountOutput,
    ContactCorrectInput,
    ContactInviteInput,
    ContactInviteOutput,
    ContactOutput,
    CustomerCancelInput,
    CustomerCreditNoteSerializer,
    CustomerCylindersHeldOutput,
    CustomerInvoiceSerializer,
    CustomerOrderSerializer,
    CustomerPaymentOutput,
    CustomerStatementInput,
    DataExportOutput,
    InviteAcceptInput,
    InviteAcceptOutput,
    ProfileInput,
    ProfileOutput,
    QuoteInput,
    QuoteOutput,
)
from apps.portal.services import contact_data_export, customer_order_cancel, order_quote


def own_customer(request):
    """The signed-in contact's customer (403 ``customer_inactive`` once deactivated)."""
    return selectors.customer_of(request.user)


def _profile(request) -> dict:
    customer = own_customer(request)
    contact = selectors.contact_of(request.user)
    user = request.user
    return ProfileOutput({"email": user.email, "name": user.name, "customer": customer, "phone": user.phone,
                          "notify_orders": contact.notify_orders if contact else False,
                          "cylinder_types": selectors.customer_types_bought(customer=customer)}).data  # fmt: skip


class ProfileApi(APIView):
    """The contact and its customer; PATCH switches its order e-mails (its
    name, e-mail and phone are corrected by the office)."""

    permission_classes = [IsCustomerContact]

    @extend_schema(responses={200: ProfileOutput})
    def get(self, request):
        return Response(_profile(request))

    @extend_schema(request=ProfileInput, responses={200: ProfileOutput})
    @retry_on_conflict
    def patch(self, request):
        own_customer(request)  # 403 customer_inactive once the customer is closed
        data = ProfileInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact_preferences_set(actor=request.user, **data.validated_data)
        return Response(_profile(request))


class ExportThrottle(FailOpen, UserRateThrottle):
    scope = "customer_export"


class DataExportApi(APIView):
    """The contact's access request: its personal data and its customer's
    records it can see, as a JSON file (audited, throttled)."""

    permission_classes = [IsCustomerContact]
    throttle_classes = [ExportThrottle]

    @extend_schema(responses={200: DataExportOutput})
    def get(self, request):
        body = contact_data_export(actor=request.user, request=request)
        response = Response(DataExportOutput(body).data)
        response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate():%Y%m%d}.json"'
        return response


class ContactListApi(APIView):
    """The office reads a customer's contacts (docs/customers.md)."""

    permission_classes = [roles(*CORRECTORS)]

    @extend_schema(responses={200: ContactOutput(many=True)})
    def get(self, request, customer_pk: int):
        customer = get_object_or_404(customer_list(user=request.user), pk=customer_pk)
        contacts = CustomerContact.objects.filter(customer=customer).select_related("user").order_by("id")
        return Response(ContactOutput(contacts, many=True).data)


class ContactCorrectApi(APIView):
    """The office corrects a contact's name, e-mail or phone (audited before/after)."""

    permission_classes = [roles(*CORRECTORS)]

    @extend_schema(request=ContactCorrectInput, responses={200: ContactOutput})
    @retry_on_conflict
    def patch(self, request, customer_pk: int, pk: int):
        customer = get_object_or_404(customer_list(user=request.user), pk=customer_pk)
        contact = get_object_or_404(CustomerContact.objects.filter(customer=customer), pk=pk)
        data = ContactCorrectInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact = contact_correct(actor=request.user, contact=contact, data=data.validated_data)
        return Response(ContactOutput(CustomerContact.objects.select_related("user").get(pk=contact.pk)).data)


class AccountApi(APIView):
    """The balance due today and its ageing (days past due)."""

    permission_classes = [IsCustomerContact]

    @extend_schema(responses={200: AccountOutput})
    def get(self, request):
        customer = own_customer(request)
        today = timezone.localdate()
        items = open_invoices(as_of=today, customer_id=customer.pk)
        ageing: dict = {}
        for item in items:
            ageing[item.bucket] = ageing.get(item.bucket, 0) + item.outstanding
        body = {
            "as_of": today,
            "balance_due": sum((i.outstanding for i in items), 0),
            "ageing": {bucket: ageing.get(bucket, 0) for bucket in BUCKETS},
            "open_invoices": items,
        }
        return Response(AccountOutput(body).data)


class CustomerPaymentsApi(APIView):
    """Payments received on the customer's invoices, newest first."""

    permission_classes = [IsCustomerContact]

    @extend_schema(responses={200: CustomerPaymentOutput(many=True)})
    def get(self, request):
        payments = selectors.customer_payment_list(customer=own_customer(request))
        return Response(CustomerPaymentOutput(payments, many=True).data)


class CustomerCylindersApi(APIView):
    """Cylinders held at the site by type (and by serial, for serialised
    types) and the deposits held: the office's own view of the customer."""

    permission_classes = [IsCustomerContact]

    @extend_schema(responses={200: CustomerCylindersHeldOutput})
    def get(self, request):
        customer = own_customer(request)
        body = {**customer_cylinders(customer=customer), "serials": selectors.customer_serials(customer=customer)}
        return Response(CustomerCylindersHeldOutput(body).data)


class _PdfErrorsAsJson:
    """For views that render PDFs: their errors stay JSON."""

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors are JSON even when the client asked for application/pdf."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(getattr(response, "accepted_renderer", None), PdfRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response


class CustomerStatementApi(_PdfErrorsAsJson, APIView):
    """The statement of account for a period (at most
    CUSTOMER_STATEMENT_MAX_DAYS), as JSON or PDF (``?format=pdf``)."""

    permission_classes = [IsCustomerContact]
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        parameters=[CustomerStatementInput],
        responses={200: StatementOutput, (200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        customer = own_customer(request)
        data = CustomerStatementInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        as_pdf = params.get("format") == "pdf" or request.accepted_renderer.format == "pdf"
        statement = statement_build(customer=customer, date_from=params["date_from"], date_to=params["date_to"])
        if not as_pdf:
            return Response(statement_json(statement))
        response = HttpResponse(statement_pdf_bytes(statement), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="statement-{customer.code}-{params["date_to"]:%Y%m%d}.pdf"'
        )
        return response


class CustomerInvoiceViewSet(_PdfErrorsAsJson, SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """The customer's tax invoices with their lines, payments and PayNow
    payload; each one's PDF (the download is audited)."""

    queryset = Invoice.objects.none()  # the schema's model; get_queryset is the contact's own
    permission_classes = [IsCustomerContact]
    serializer_class = CustomerInvoiceSerializer

    def get_queryset(self):
        return selectors.customer_invoice_list(customer=own_customer(self.request))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        data = invoice_pdf_download(actor=request.user, invoice=invoice, request=request)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        return response


class CustomerCreditNoteViewSet(_PdfErrorsAsJson, SafeLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Credit notes on the customer's invoices; each one's PDF (the download
    is audited)."""

    queryset = CreditNote.objects.none()  # the schema's model; get_queryset is the contact's own
    permission_classes = [IsCustomerContact]
    serializer_class = CustomerCreditNoteSerializer

    def get_queryset(self):
        return selectors.customer_credit_note_list(customer=own_customer(self.request))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        """The credit note as a PDF, rendered from the stored note (the
        office's ZIP renders the same); the download is audited."""
        note = self.get_object()
        data = credit_note_pdf_download(actor=request.user, note=note, request=request)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{note.number}.pdf"'
        return response


class CustomerOrderViewSet(SafeLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The customer's orders with their tracking state; a new order (the
    ``customer.order_create`` command); a cancel while not yet planned."""

    queryset = Order.objects.none()  # the schema's model; get_queryset is the contact's own
    permission_classes = [IsCustomerContact]
    serializer_class = CustomerOrderSerializer

    def get_queryset(self):
        return selectors.customer_order_list(customer=own_customer(self.request))

    create = command_create(CUSTOMER_ORDER_CREATE)

    @extend_schema(request=CustomerCancelInput, responses={200: CustomerOrderSerializer})
    @action(detail=True, methods=["post"])
    @retry_on_conflict
    def cancel(self, request, pk=None):
        data = CustomerCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = customer_order_cancel(actor=request.user, order=self.get_object(), **data.validated_data)
        return Response(CustomerOrderSerializer(self.get_queryset().get(pk=order.pk)).data)


class QuoteApi(APIView):
    """What an order would cost (prices with GST, the deposit), recording nothing."""

    permission_classes = [IsCustomerContact]

    @extend_schema(request=QuoteInput, responses={200: QuoteOutput})
    @retry_on_conflict  # a POST: every write-method handler is retried the same way (it writes nothing)
    def post(self, request):
        data = QuoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(QuoteOutput(order_quote(actor=request.user, **data.validated_data)).data)


class ContactInviteApi(APIView):
    """The office invites a customer's contact by e-mail (docs/customers.md)."""

    permission_classes = [roles(*INVITERS)]

    @extend_schema(request=ContactInviteInput, responses={201: ContactInviteOutput})
    @idempotent_create("customer.contact_invite")
    @retry_on_conflict
    def post(self, request):
        data = ContactInviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        invite = contact_invite(actor=request.user, **data.validated_data)
        return Response(ContactInviteOutput(invite).data, status=status.HTTP_201_CREATED)


class InviteAcceptApi(APIView):
    """Set the password with the invite's one-time token (public, throttled)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginIPThrottle]

    @extend_schema(request=InviteAcceptInput, responses={200: InviteAcceptOutput}, auth=[])
    @retry_on_conflict
    def post(self, request):
        data = InviteAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact = invite_accept(**data.validated_data)
        return Response(InviteAcceptOutput(contact).data)
