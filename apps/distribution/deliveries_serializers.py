from decimal import Decimal

from rest_framework import serializers

from apps.billing.enums import DeliveryPaymentMethod
from apps.billing.models import ServiceItem
from apps.billing.serializers import InvoiceSummarySerializer
from apps.core.api import MAX_ID, PKField
from apps.customers.models import Customer
from apps.depots.models import CylinderType, Vehicle
from apps.distribution.models import Delivery, DeliveryLine


class DeliveryLineInput(serializers.Serializer):
    cylinder_type = PKField(queryset=CylinderType.objects.filter(is_active=True))
    delivered_full = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    returned_empty = serializers.IntegerField(min_value=0, max_value=10000, default=0)

    def validate(self, attrs):
        if not attrs["delivered_full"] and not attrs["returned_empty"]:
            raise serializers.ValidationError({"delivered_full": ["Deliver or pick up at least one cylinder."]})
        return attrs


class ServiceLineInput(serializers.Serializer):
    service_item = PKField(queryset=ServiceItem.objects.filter(is_active=True))
    quantity = serializers.DecimalField(
        max_digits=10, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("10000"), default=Decimal("1")
    )


class DeliveryInput(serializers.Serializer):
    customer = PKField(queryset=Customer.objects.filter(is_active=True))
    vehicle = PKField(queryset=Vehicle.objects.filter(is_active=True))
    order = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    payment_method = serializers.ChoiceField(choices=DeliveryPaymentMethod.choices)
    lines = DeliveryLineInput(many=True, allow_empty=False, max_length=50)
    service_lines = ServiceLineInput(many=True, required=False, default=list, max_length=20)
    meter_reading = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0"), required=False, allow_null=True, default=None
    )
    meter_replacement = serializers.BooleanField(required=False, default=False)
    acknowledged_warnings = serializers.ListField(
        child=serializers.ChoiceField(choices=["household_hours"]), required=False, default=list, max_length=5
    )

    def validate_lines(self, lines):
        types = [line["cylinder_type"].pk for line in lines]
        if len(types) != len(set(types)):
            raise serializers.ValidationError("Each cylinder type may appear once.")
        return lines

    def validate(self, attrs):
        if attrs.get("meter_replacement") and attrs.get("meter_reading") is None:
            raise serializers.ValidationError({"meter_reading": ["A meter replacement needs the new meter's reading."]})
        return attrs

    def service_kwargs(self) -> dict:
        """Keyword arguments for ``delivery_create``."""
        return dict(self.validated_data)

    def canonical(self) -> dict:
        """The request as plain ids and strings, for the idempotency fingerprint."""
        v = self.validated_data
        return {
            "customer": v["customer"].pk,
            "vehicle": v["vehicle"].pk,
            "order": v.get("order"),
            "payment_method": v["payment_method"],
            "lines": [
                {
                    "cylinder_type": line["cylinder_type"].pk,
                    "delivered_full": line["delivered_full"],
                    "returned_empty": line["returned_empty"],
                }
                for line in v["lines"]
            ],
            "service_lines": [
                {"service_item": s["service_item"].pk, "quantity": str(s["quantity"])}
                for s in v.get("service_lines", [])
            ],
            "meter_reading": None if v.get("meter_reading") is None else str(v["meter_reading"]),
            "meter_replacement": bool(v.get("meter_replacement")),
            # only when sent, so the fingerprints of earlier keys stay the same
            **({"acknowledged_warnings": sorted(set(w))} if (w := v.get("acknowledged_warnings")) else {}),
        }


class DeliveryLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryLine
        fields = ["id", "cylinder_type", "delivered_full", "returned_empty"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    lines = DeliveryLineSerializer(many=True, read_only=True)
    invoice = InvoiceSummarySerializer(read_only=True, allow_null=True)
    order = serializers.IntegerField(source="order_id", read_only=True, allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "customer", "vehicle", "driver", "order", "payment_method", "total_delivered", "total_returned",
            "lines", "invoice", "occurred_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
