import contextlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.billing.enums import DeliveryPaymentMethod
from apps.billing.models import ServiceItem
from apps.billing.selectors import deliveries_deposit_credit_notes, delivery_deposit_credit_note
from apps.billing.serializers import CreditNoteRefOutput, InvoiceSummarySerializer
from apps.billing.services import DOOR_PAYMENT_METHODS
from apps.core.api import MAX_ID, PKField
from apps.customers.models import Customer
from apps.deliveries.models import MAX_PHOTOS, Delivery, DeliveryAttachment, DeliveryLine, DeliveryProof
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


HEX64 = r"^[0-9a-fA-F]{64}$"


class RoundedDecimalField(serializers.DecimalField):
    """A decimal rounded (half-up) to the field's places instead of refused:
    a phone's GPS gives 1.3520831234567 and that is fine at 6 places."""

    def validate_precision(self, value):
        if self.decimal_places is not None and value.is_finite():
            # 1e100 has too many digits to round: left as it is, the check below refuses it
            with contextlib.suppress(InvalidOperation):
                value = value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=ROUND_HALF_UP)
        return super().validate_precision(value)


class Sha256Field(serializers.RegexField):
    def __init__(self, **kwargs):
        super().__init__(HEX64, error_messages={"invalid": "A SHA-256 as 64 hexadecimal digits."}, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).lower()


class ProofInput(serializers.Serializer):
    """Proof of delivery, declared with the delivery (and so signed inside its
    offline event): the bytes of the signature and photos follow by upload
    (``PUT /api/deliveries/<id>/attachments/<sha256>/``)."""

    recipient_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    signature_sha256 = Sha256Field(required=False, allow_null=True, default=None, help_text="SHA-256 of the PNG.")
    photo_sha256 = serializers.ListField(
        child=Sha256Field(), required=False, default=list, max_length=MAX_PHOTOS, help_text="SHA-256 of each JPEG."
    )
    latitude = RoundedDecimalField(
        max_digits=9, decimal_places=6, min_value=Decimal(-90), max_value=Decimal(90), required=False,
        allow_null=True, default=None,
    )  # fmt: skip
    longitude = RoundedDecimalField(
        max_digits=10, decimal_places=6, min_value=Decimal(-180), max_value=Decimal(180), required=False,
        allow_null=True, default=None,
    )  # fmt: skip
    accuracy_m = RoundedDecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal(0), max_value=Decimal(1000000), required=False,
        allow_null=True, default=None, help_text="The GPS fix's accuracy radius in metres.",
    )  # fmt: skip

    def validate_photo_sha256(self, value):
        if len(value) != len(set(value)):
            raise serializers.ValidationError("Each photo may appear once.")
        return value

    def validate(self, attrs):
        attrs["recipient_name"] = attrs.get("recipient_name", "").strip()
        if attrs.get("signature_sha256") and attrs["signature_sha256"] in attrs.get("photo_sha256", []):
            raise serializers.ValidationError({"photo_sha256": ["The signature is not a photo."]})
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError({"longitude": ["Send both latitude and longitude, or neither."]})
        return attrs


def proof_canonical(proof: dict) -> dict:
    return {
        "recipient_name": proof["recipient_name"],
        "signature_sha256": proof.get("signature_sha256"),
        "photo_sha256": list(proof.get("photo_sha256", [])),
        **{k: None if proof.get(k) is None else str(proof[k]) for k in ("latitude", "longitude", "accuracy_m")},
    }


class DeliveryInput(serializers.Serializer):
    customer = PKField(queryset=Customer.objects.filter(is_active=True).select_related("location"))
    vehicle = PKField(queryset=Vehicle.objects.filter(is_active=True).select_related("location"))
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
    proof = ProofInput(required=False, allow_null=True, default=None)

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
            **({"proof": proof_canonical(p)} if (p := v.get("proof")) is not None else {}),
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


def attachment_url(attachment: DeliveryAttachment) -> str:
    return reverse("delivery-attachment", kwargs={"pk": attachment.delivery_id, "sha256": attachment.sha256})


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded = serializers.BooleanField(read_only=True, help_text="False until the bytes arrive (a missing upload).")
    url = serializers.SerializerMethodField(help_text="GET it for the bytes once uploaded (404 before).")

    class Meta:
        model = DeliveryAttachment
        fields = ["kind", "sha256", "uploaded", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return attachment_url(obj)


class AttachmentUploadSerializer(AttachmentSerializer):
    """The answer to an upload: the attachment as stored."""

    class Meta:
        model = DeliveryAttachment
        fields = ["kind", "sha256", "uploaded", "url", "content_type", "size", "width", "height", "uploaded_at"]
        read_only_fields = fields


class ProofSerializer(serializers.ModelSerializer):
    attachments = serializers.SerializerMethodField()
    missing_uploads = serializers.SerializerMethodField(help_text="Attachments declared and not uploaded yet.")

    class Meta:
        model = DeliveryProof
        fields = ["recipient_name", "latitude", "longitude", "accuracy_m", "attachments", "missing_uploads"]
        read_only_fields = fields

    def _attachments(self, obj) -> list[DeliveryAttachment]:
        # the delivery's attachments, prefetched for a whole page, read once
        if not hasattr(obj, "attachment_list"):
            obj.attachment_list = sorted(
                obj.delivery.attachments.all(), key=lambda a: (a.kind != "SIGNATURE", a.position)
            )
        return obj.attachment_list

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj) -> list[dict]:
        return AttachmentSerializer(self._attachments(obj), many=True).data

    def get_missing_uploads(self, obj) -> int:
        return sum(1 for a in self._attachments(obj) if not a.uploaded)


def delivery_proof(delivery: Delivery) -> DeliveryProof | None:
    try:
        return delivery.proof
    except DeliveryProof.DoesNotExist:
        return None


class DeliveryListSerializer(serializers.ListSerializer):
    """A page of deliveries: the deposit credit notes of those with returns
    read in one query for the page, not one per delivery."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        pending = {d.pk for d in items if d.total_returned and not hasattr(d, "deposit_credit_note")}
        if pending:
            notes = deliveries_deposit_credit_notes(pending)
            for delivery in items:
                if delivery.pk in pending:
                    delivery.deposit_credit_note = notes.get(delivery.pk)
        return super().to_representation(items)


class DeliverySerializer(serializers.ModelSerializer):
    lines = DeliveryLineSerializer(many=True, read_only=True)
    invoice = InvoiceSummarySerializer(read_only=True, allow_null=True)
    order = serializers.IntegerField(source="order_id", read_only=True, allow_null=True)
    amount_tendered = serializers.SerializerMethodField(help_text="CASH: cash handed over at the door.")
    change_due = serializers.SerializerMethodField(help_text="CASH: change to give back (tendered - total).")
    payment_reference = serializers.SerializerMethodField(help_text="PAYNOW: the reference given, if any.")
    deposit_credit_note = serializers.SerializerMethodField(help_text="Deposits refunded for cylinders returned.")
    proof = serializers.SerializerMethodField(help_text="Proof of delivery (recipient, GPS, signature, photos).")

    class Meta:
        model = Delivery
        list_serializer_class = DeliveryListSerializer
        fields = [
            "id", "customer", "vehicle", "driver", "order", "payment_method", "total_delivered", "total_returned",
            "lines", "invoice", "amount_tendered", "change_due", "payment_reference", "deposit_credit_note",
            "proof", "occurred_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ProofSerializer(allow_null=True))
    def get_proof(self, obj) -> dict | None:
        proof = delivery_proof(obj)
        return None if proof is None else ProofSerializer(proof).data

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
