from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.billing.enums import DeliveryPaymentMethod
from apps.billing.models import ServiceItem
from apps.billing.selectors import delivery_deposit_credit_note
from apps.billing.serializers import CreditNoteRefOutput, InvoiceSummarySerializer
from apps.billing.services import DOOR_PAYMENT_METHODS
from apps.core.api import MAX_ID, PKField
from apps.customers.models import Customer
from apps.deliveries.models import Delivery, DeliveryLine
from apps.depots.models import CylinderType, Vehicle
from apps.depots.serializers import serial_errors, serials_field


class DeliveryLineInput(serializers.Serializer):
    cylinder_type = PKField(queryset=CylinderType.objects.filter(is_active=True))
    delivered_full = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    returned_empty = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    delivered_serials = serials_field("Serial numbers of the fulls delivered, one per cylinder (serialised types).")
    returned_serials = serials_field("Serial numbers of the empties picked up, one per cylinder (serialised types).")

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
    # empty only for a meter-only visit (a meter reading, no cylinders)
    lines = DeliveryLineInput(many=True, allow_empty=True, max_length=50)
    service_lines = ServiceLineInput(many=True, required=False, default=list, max_length=20)
    meter_reading = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0"), required=False, allow_null=True, default=None
    )
    meter_replacement = serializers.BooleanField(required=False, default=False)
    acknowledged_warnings = serializers.ListField(
        child=serializers.ChoiceField(choices=["household_hours"]), required=False, default=list, max_length=5
    )
    amount_tendered = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        default=None,
        help_text="CASH only: cash handed over; default the invoice total; below it 422 insufficient_tender.",
    )
    payment_reference = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="PAYNOW only, optional."
    )

    def validate_lines(self, lines):
        types = [line["cylinder_type"].pk for line in lines]
        if len(types) != len(set(types)):
            raise serializers.ValidationError("Each cylinder type may appear once.")
        return lines

    def validate(self, attrs):
        serials = {"delivered_serials": "delivered_full", "returned_serials": "returned_empty"}
        if errors := serial_errors(attrs.get("lines") or [], serials):
            raise serializers.ValidationError({"lines": errors})
        if attrs.get("meter_replacement") and attrs.get("meter_reading") is None:
            raise serializers.ValidationError({"meter_reading": ["A meter replacement needs the new meter's reading."]})
        if not attrs.get("lines") and attrs.get("meter_reading") is None:
            raise serializers.ValidationError({"lines": ["Deliver or pick up a cylinder, or record a meter reading."]})
        method = attrs.get("payment_method")
        if attrs.get("amount_tendered") is not None and method != DeliveryPaymentMethod.CASH:
            raise serializers.ValidationError({"amount_tendered": ["Only a CASH delivery has an amount tendered."]})
        attrs["payment_reference"] = (attrs.get("payment_reference") or "").strip()
        if attrs["payment_reference"] and method != DeliveryPaymentMethod.PAYNOW:
            raise serializers.ValidationError({"payment_reference": ["Only a PAYNOW delivery has a reference."]})
        return attrs

    def service_kwargs(self) -> dict:
        """Keyword arguments for ``delivery_create``, the lines typed."""
        from apps.deliveries.services import CylinderLine, ServiceLine

        v = dict(self.validated_data)
        v["lines"] = [CylinderLine.of(line) for line in v["lines"]]
        v["service_lines"] = [ServiceLine.of(line) for line in v.get("service_lines", [])]
        return v

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
                    # only when sent, so the fingerprints of earlier keys stay the same
                    **({"delivered_serials": list(s)} if (s := line.get("delivered_serials")) else {}),
                    **({"returned_serials": list(r)} if (r := line.get("returned_serials")) else {}),
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
            **({"amount_tendered": str(t)} if (t := v.get("amount_tendered")) is not None else {}),
            **({"payment_reference": r} if (r := v.get("payment_reference")) else {}),
        }


class DeliveryLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryLine
        fields = ["id", "cylinder_type", "delivered_full", "returned_empty"]
        read_only_fields = fields


def door_payment(delivery: Delivery):
    """The payment taken at the door (CASH / PAYNOW), or None."""
    if delivery.payment_method not in DOOR_PAYMENT_METHODS or delivery.invoice_id is None:
        return None
    payments = sorted(delivery.invoice.payments.all(), key=lambda p: p.pk)
    return payments[0] if payments else None


class DeliverySerializer(serializers.ModelSerializer):
    lines = DeliveryLineSerializer(many=True, read_only=True)
    invoice = InvoiceSummarySerializer(read_only=True, allow_null=True)
    order = serializers.IntegerField(source="order_id", read_only=True, allow_null=True)
    amount_tendered = serializers.SerializerMethodField(help_text="CASH: cash handed over at the door.")
    change_due = serializers.SerializerMethodField(help_text="CASH: change to give back (tendered - total).")
    payment_reference = serializers.SerializerMethodField(help_text="PAYNOW: the reference given, if any.")
    deposit_credit_note = serializers.SerializerMethodField(help_text="Deposits refunded for cylinders returned.")

    class Meta:
        model = Delivery
        fields = [
            "id", "customer", "vehicle", "driver", "order", "payment_method", "total_delivered", "total_returned",
            "lines", "invoice", "amount_tendered", "change_due", "payment_reference", "deposit_credit_note",
            "occurred_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_amount_tendered(self, obj) -> str | None:
        payment = door_payment(obj)
        if payment is None or payment.amount_tendered is None:
            return None
        return f"{payment.amount_tendered:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_change_due(self, obj) -> str | None:
        if obj.payment_method != DeliveryPaymentMethod.CASH:
            return None
        payment = door_payment(obj)
        if payment is None or payment.change_due is None:
            return "0.00"  # nothing was due
        return f"{payment.change_due:.2f}"

    @extend_schema_field(CreditNoteRefOutput(allow_null=True))
    def get_deposit_credit_note(self, obj) -> dict | None:
        note = getattr(obj, "deposit_credit_note", None)  # set by delivery_create
        if note is None and not hasattr(obj, "deposit_credit_note") and obj.total_returned:
            note = delivery_deposit_credit_note(obj.pk)  # only a return can refund
        return None if note is None else CreditNoteRefOutput(note).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_payment_reference(self, obj) -> str | None:
        payment = door_payment(obj)
        if payment is None or obj.payment_method != DeliveryPaymentMethod.PAYNOW:
            return None
        return payment.reference
