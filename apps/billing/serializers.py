from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.billing.enums import PaymentMethod
from apps.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from apps.core.api import PKField
from apps.core.fields import BoundedDateTimeField


def gst_percent(rate: Decimal) -> str:
    """0.0900 -> "9" (what the receipt and the PDF print as "GST 9%")."""
    return format((rate * 100).normalize(), "f")


@extend_schema_field({"type": "string", "example": "9"})
class GstPercentField(serializers.Field):
    def to_representation(self, value):
        return gst_percent(value)


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "position",
            "kind",
            "description",
            "cylinder_type",
            "service_item",
            "quantity",
            "unit_price",
            "amount",
        ]
        read_only_fields = fields


class InvoiceSummarySerializer(serializers.ModelSerializer):
    gst_rate = GstPercentField(read_only=True, help_text='Percent, e.g. "9".')
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "issue_date",
            "supply_date",
            "due_date",
            "subtotal",
            "gst_rate",
            "gst_amount",
            "deposit_total",
            "total",
            "amount_paid",
            "status",
            "pdf_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_pdf_url(self, obj) -> str:
        return reverse("invoice-pdf", kwargs={"pk": obj.pk})


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id", "invoice", "amount", "method", "reference", "amount_tendered", "received_at", "recorded_by",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class CreditNoteRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class CreditNoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = ["id", "invoice_line", "description", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class CreditNoteSerializer(serializers.ModelSerializer):
    gst_rate = GstPercentField(read_only=True)
    lines = CreditNoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice",
            "reason",
            "issue_date",
            "subtotal",
            "gst_rate",
            "gst_amount",
            "deposit_total",
            "total",
            "amount_refunded",
            "lines",
            "created_at",
        ]
        read_only_fields = fields


class InvoiceSerializer(InvoiceSummarySerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    credit_notes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")  # type: ignore[var-annotated]
    amount_due = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    delivery: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(InvoiceSummarySerializer.Meta):
        fields = [
            "id", "number", "customer", "customer_name", "customer_address", "customer_postal_code", "customer_uen",
            "issue_date", "supply_date", "due_date", "payment_terms", "payment_method", "currency", "subtotal",
            "gst_rate", "gst_amount", "deposit_total", "total", "amount_paid", "amount_credited", "amount_refunded",
            "amount_due", "status", "delivery",
            "lines", "payments", "credit_notes", "pdf_url", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class PaymentInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    received_at = BoundedDateTimeField(required=False)


class CreditNoteLineInput(serializers.Serializer):
    invoice_line = PKField(queryset=InvoiceLine.objects.all())
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))


class CreditNoteInput(serializers.Serializer):
    invoice = PKField(queryset=Invoice.objects.all())
    reason = serializers.CharField(max_length=1000)
    lines = CreditNoteLineInput(many=True, required=False, allow_empty=False, max_length=100)

    def __init__(self, *args, invoices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if invoices is not None:  # only invoices the caller may see
            self.fields["invoice"].queryset = invoices


class CustomerCylinderTypeOutput(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    name = serializers.CharField()
    full = serializers.IntegerField()
    empty = serializers.IntegerField()
    held = serializers.IntegerField(help_text="full + empty at the customer's site.")
    deposit_units = serializers.IntegerField(help_text="Cylinders the deposits held cover.")
    deposit_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    oldest_since = serializers.DateField(
        allow_null=True, help_text="Delivery date of the oldest cylinder still held (first in, first out)."
    )
    oldest_serial = serializers.CharField(allow_null=True, help_text="Its serial, when known (serialised types).")


class CustomerCylindersOutput(serializers.Serializer):
    customer = serializers.IntegerField()
    types = CustomerCylinderTypeOutput(many=True)
    deposit_total = serializers.DecimalField(max_digits=12, decimal_places=2)
