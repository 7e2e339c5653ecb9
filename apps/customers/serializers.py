from rest_framework import serializers

from apps.customers.enums import CustomerKind, PaymentTerms
from apps.customers.models import Customer


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "kind", "site_address", "postal_code", "email", "phone", "uen", "peppol_id",
            "payment_terms", "credit_term_days", "latitude", "longitude", "receiving_from", "receiving_until",
            "is_active",
        ]  # fmt: skip
        extra_kwargs = {
            "receiving_from": {"format": "%H:%M", "input_formats": ["%H:%M"]},
            "receiving_until": {"format": "%H:%M", "input_formats": ["%H:%M"]},
        }


# Schemas of GET /api/customers/prices/ and GET /api/paynow/payload/ (the
# answers the phone keeps for offline quoting and PayNow QR codes).


class PriceRowOutput(serializers.Serializer):
    valid_from = serializers.DateField(allow_null=True, help_text="null: the undated list price.")
    price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Unit price before GST.")


class GstRateRowOutput(serializers.Serializer):
    valid_from = serializers.DateField(allow_null=True, help_text="null: the default rate (no dated row in force).")
    rate = serializers.DecimalField(max_digits=6, decimal_places=4, help_text="e.g. 0.0900")


class PricedCylinderTypeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prices = PriceRowOutput(many=True, help_text="The row in force on `date`, then every later dated row.")
    deposits = PriceRowOutput(
        many=True,
        help_text="Deposit per cylinder (no GST): the row in force on `date`, then later ones; empty: no deposit.",
    )


class PricedServiceItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    prices = PriceRowOutput(many=True)


class PricedCustomerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CustomerKind.choices)
    site_address = serializers.CharField()
    postal_code = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    payment_terms = serializers.ChoiceField(choices=PaymentTerms.choices)
    credit_term_days = serializers.IntegerField()
    prices = serializers.DictField(
        child=PriceRowOutput(many=True),
        help_text="The customer's own prices: cylinder type id (as a string) -> schedule.",
    )


class CustomerPricesOutput(serializers.Serializer):
    date = serializers.DateField(help_text="The day the schedules start from.")
    gst_rates = GstRateRowOutput(many=True)
    cylinder_types = PricedCylinderTypeOutput(many=True)
    service_items = PricedServiceItemOutput(many=True)
    customers = PricedCustomerOutput(many=True)
    count = serializers.IntegerField(help_text="Number of customers.")


class PayNowPayloadOutput(serializers.Serializer):
    payload = serializers.CharField(help_text="The EMVCo string to render as a QR code.")
    uen = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reference = serializers.CharField()
