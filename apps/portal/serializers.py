from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.billing.serializers import CreditNoteSerializer, InvoiceSerializer
from apps.core.api import PKField
from apps.customers.models import Customer
from apps.orders.serializers import OrderSerializer
from apps.portal.selectors import order_tracking


class CustomerInvoiceSerializer(InvoiceSerializer):
    """The office's invoice, its PDF link the customer's own."""

    @extend_schema_field(serializers.CharField())
    def get_pdf_url(self, obj) -> str:
        return reverse("customer-invoice-pdf", kwargs={"pk": obj.pk})


class CustomerCreditNoteSerializer(CreditNoteSerializer):
    pass


class OwnCustomerOutput(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "code", "name", "kind", "site_address", "postal_code", "email", "phone", "payment_terms",
                  "credit_term_days", "receiving_from", "receiving_until"]  # fmt: skip
        read_only_fields = fields


class ProfileOutput(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    customer = OwnCustomerOutput()


class TrackingOutput(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["received", "planned", "on_the_way", "delivered", "partly_delivered", "cancelled"]
    )
    eta = serializers.DateTimeField(allow_null=True)
    window_start = serializers.DateTimeField(allow_null=True)
    window_end = serializers.DateTimeField(allow_null=True)
    invoice = serializers.IntegerField(allow_null=True, source="invoice.pk", default=None)
    invoice_number = serializers.CharField(allow_null=True, source="invoice.number", default=None)


class CustomerOrderSerializer(OrderSerializer):
    tracking = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [
            "id", "customer", "scheduled_for", "status", "notes", "lines", "delivered_at", "cancel_reason",
            "created_at", "window_start", "window_end", "source", "tracking",
        ]  # fmt: skip
        read_only_fields = fields

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
