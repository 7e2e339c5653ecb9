from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.billing.paynow import paynow_payload
from apps.billing.serializers import (
    CreditNoteSerializer,
    CustomerCylindersOutput,
    GstPercentField,
    InvoiceSerializer,
)
from apps.core.api import PKField
from apps.core.fields import BoundedDateField
from apps.customers.models import Customer
from apps.finance.serializers import StatementInput
from apps.orders.serializers import OrderLineInput, OrderSerializer, hhmm_field
from apps.portal.enums import TrackingState
from apps.portal.selectors import order_tracking
from apps.portal.services import PAY_AT_DOOR


class CustomerInvoiceSerializer(InvoiceSerializer):
    """The office's invoice, its PDF link the customer's own, and while
    anything is due a PayNow payload for the app to draw as a QR: the
    invoice's own (the one printed on its PDF, invoice number as reference)
    while nothing is paid, the same for the amount still due once partly paid."""

    paynow_payload = serializers.SerializerMethodField()

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "paynow_payload"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_paynow_payload(self, obj) -> str | None:
        due = obj.amount_due
        if due <= 0:
            return None
        company = settings.COMPANY
        return paynow_payload(uen=company["uen"], amount=due, reference=obj.number, merchant_name=company["name"])

    @extend_schema_field(serializers.CharField())
    def get_pdf_url(self, obj) -> str:
        return reverse("customer-invoice-pdf", kwargs={"pk": obj.pk})


class CustomerCreditNoteSerializer(CreditNoteSerializer):
    """The office's credit note, with the link to its PDF the contact may open."""

    pdf_url = serializers.SerializerMethodField()

    class Meta(CreditNoteSerializer.Meta):
        fields = [*CreditNoteSerializer.Meta.fields, "pdf_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_pdf_url(self, obj) -> str:
        return reverse("customer-credit-note-pdf", kwargs={"pk": obj.pk})


class OwnCustomerOutput(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "code", "name", "kind", "site_address", "postal_code", "email", "phone", "payment_terms",
                  "credit_term_days", "receiving_from", "receiving_until"]  # fmt: skip
        read_only_fields = fields


class BoughtTypeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()


class ProfileOutput(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    customer = OwnCustomerOutput()
    cylinder_types = BoughtTypeOutput(
        many=True, help_text="The cylinder types this customer buys: what the app offers to order (active ones)."
    )
    phone = serializers.CharField(allow_blank=True, help_text="The contact's own phone (the office corrects it).")
    notify_orders = serializers.BooleanField(
        help_text="E-mails when an order is received, planned (its window) and delivered (with the tax invoice)."
    )


class ProfileInput(serializers.Serializer):
    """What a contact changes itself: its order e-mails. Name, e-mail and
    phone are corrected by the office (400 ``invalid`` on those fields)."""

    notify_orders = serializers.BooleanField()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            office = {k: ["Ask the office to correct this."] for k in ("email", "name", "phone") if k in data}
            if office:
                raise serializers.ValidationError(office)
        return super().to_internal_value(data)


class ExportProofOutput(serializers.Serializer):
    recipient_name = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    accuracy_m = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    purged_at = serializers.DateTimeField(allow_null=True)


class ExportAttachmentOutput(serializers.Serializer):
    kind = serializers.CharField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField(allow_null=True)
    purged_at = serializers.DateTimeField(allow_null=True)


class ExportDeliveryLineOutput(serializers.Serializer):
    cylinder_type = serializers.CharField(source="cylinder_type.name")
    delivered_full = serializers.IntegerField()
    returned_empty = serializers.IntegerField()


class ExportDeliveryOutput(serializers.Serializer):
    """A delivery at the customer's site with its proof (the images by hash:
    the bytes are the office's to show; purged ones say when)."""

    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    order = serializers.IntegerField(source="order_id", allow_null=True)
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True, default=None)
    lines = ExportDeliveryLineOutput(many=True)
    proof = serializers.SerializerMethodField()
    attachments = ExportAttachmentOutput(many=True)

    @extend_schema_field(ExportProofOutput(allow_null=True))
    def get_proof(self, obj) -> dict | None:
        proof = getattr(obj, "proof", None)
        return None if proof is None else dict(ExportProofOutput(proof).data)


class ExportContactOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField(allow_blank=True)
    notify_orders = serializers.BooleanField()
    since = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


class ExportEmailOutput(serializers.Serializer):
    order = serializers.IntegerField(source="order_id")
    kind = serializers.CharField()
    subject = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)


class ExportActionOutput(serializers.Serializer):
    action = serializers.CharField()
    entity_type = serializers.CharField()
    entity_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    ip_address = serializers.CharField(allow_null=True)


class ContactOutput(serializers.Serializer):
    """A customer's contact as the office sees it."""

    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id")
    name = serializers.CharField(source="user.name")
    email = serializers.EmailField(source="user.email")
    phone = serializers.CharField(source="user.phone", allow_blank=True)
    is_active = serializers.BooleanField(source="user.is_active")
    notify_orders = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ContactCorrectInput(serializers.Serializer):
    """The office's correction of a contact's details (each optional, at least one)."""

    name = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send at least one of name, email, phone.")
        return attrs


class TrackingOutput(serializers.Serializer):
    state = serializers.ChoiceField(choices=TrackingState.choices)
    eta = serializers.DateTimeField(allow_null=True)
    window_start = serializers.DateTimeField(allow_null=True)
    window_end = serializers.DateTimeField(allow_null=True)
    invoice = serializers.IntegerField(allow_null=True, source="invoice.pk", default=None)
    invoice_number = serializers.CharField(allow_null=True, source="invoice.number", default=None)


class CustomerOrderSerializer(OrderSerializer):
    tracking = serializers.SerializerMethodField()
    payment_at_door = serializers.SerializerMethodField(
        help_text="On credit hold when ordered: the driver collects payment at the door (the notes say why)."
    )

    class Meta(OrderSerializer.Meta):
        fields = [
            "id", "customer", "scheduled_for", "status", "notes", "lines", "delivered_at", "cancel_reason",
            "created_at", "window_start", "window_end", "source", "tracking", "payment_at_door",
        ]  # fmt: skip
        read_only_fields = fields

    def get_payment_at_door(self, obj) -> bool:
        return obj.notes.startswith(PAY_AT_DOOR)

    @extend_schema_field(TrackingOutput)
    def get_tracking(self, obj) -> dict:
        return dict(TrackingOutput(order_tracking(obj)).data)


class OpenInvoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=12, decimal_places=2)
    days_past_due = serializers.IntegerField()


class AccountOutput(serializers.Serializer):
    as_of = serializers.DateField()
    balance_due = serializers.DecimalField(max_digits=12, decimal_places=2)
    ageing = serializers.DictField(child=serializers.DecimalField(max_digits=12, decimal_places=2))
    open_invoices = OpenInvoiceOutput(many=True)


class ContactInviteInput(serializers.Serializer):
    customer = PKField(queryset=Customer.objects.all())
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=150, required=False, default="")


class ContactInviteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    contact = serializers.IntegerField(source="contact_id")
    customer = serializers.IntegerField(source="contact.customer_id")
    email = serializers.EmailField(source="contact.user.email")
    expires_at = serializers.DateTimeField()


class InviteAcceptInput(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    name = serializers.CharField(max_length=150, required=False, default="")


class InviteAcceptOutput(serializers.Serializer):
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.name")
    customer = serializers.CharField(source="customer.name")


class CustomerOrderLineInput(OrderLineInput):
    quantity = serializers.IntegerField(min_value=1, max_value=50)


class CustomerOrderInput(serializers.Serializer):
    lines = CustomerOrderLineInput(many=True, allow_empty=False, max_length=10)
    scheduled_for = BoundedDateField(help_text="The preferred day (today or later).")
    window_start = hhmm_field(required=False, allow_null=True, default=None)
    window_end = hhmm_field(required=False, allow_null=True, default=None)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate_lines(self, lines):
        seen = [line["cylinder_type"].pk for line in lines]
        if len(seen) != len(set(seen)):
            raise serializers.ValidationError("Each cylinder type may appear once.")
        return lines

    def service_kwargs(self) -> dict:
        return dict(self.validated_data)

    def canonical(self) -> dict:
        v = self.validated_data
        hhmm = lambda t: t.strftime("%H:%M") if t else None  # noqa: E731
        return {
            "lines": [{"cylinder_type": line["cylinder_type"].pk, "quantity": line["quantity"]} for line in v["lines"]],
            "scheduled_for": v["scheduled_for"].isoformat(),
            "window_start": hhmm(v["window_start"]),
            "window_end": hhmm(v["window_end"]),
            "notes": v["notes"],
        }


class CustomerCancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CustomerPaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    method = serializers.CharField()
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()


class SerialOutput(serializers.Serializer):
    serial_number = serializers.CharField()
    cylinder_type = serializers.IntegerField(source="cylinder_type_id")
    name = serializers.CharField(source="cylinder_type.name")
    since = serializers.DateTimeField(source="located_since", allow_null=True)


class CustomerCylindersHeldOutput(CustomerCylindersOutput):
    serials = SerialOutput(many=True, help_text="The serialised cylinders at the site now, by type and serial.")


class CustomerStatementInput(StatementInput):
    max_days = settings.CUSTOMER_STATEMENT_MAX_DAYS


class QuoteInput(serializers.Serializer):
    lines = CustomerOrderLineInput(many=True, allow_empty=False, max_length=10)
    scheduled_for = BoundedDateField()


class QuoteLineOutput(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Before GST, SGD.")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    deposit_units = serializers.IntegerField(help_text="Cylinders a deposit would be charged for.")
    deposit_amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class QuoteOutput(serializers.Serializer):
    scheduled_for = serializers.DateField()
    lines = QuoteLineOutput(many=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    gst_rate = GstPercentField(help_text='Percent, e.g. "9".')
    gst_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    deposit_total = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="No GST on deposits.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class DataExportOutput(serializers.Serializer):
    """GET /api/customer/me/export/: the contact's access request (docs/customers.md, "Personal data")."""

    exported_at = serializers.DateTimeField()
    contact = ExportContactOutput()
    customer = OwnCustomerOutput()
    orders = CustomerOrderSerializer(many=True)
    deliveries = ExportDeliveryOutput(many=True)
    invoices = CustomerInvoiceSerializer(many=True)
    credit_notes = CustomerCreditNoteSerializer(many=True)
    payments = CustomerPaymentOutput(many=True)
    emails_sent_to_you = ExportEmailOutput(many=True)
    your_actions = ExportActionOutput(many=True, help_text="What this login did, as the audit log recorded it.")
