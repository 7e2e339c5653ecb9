from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.core.api import PKField
from apps.depots.models import CylinderType, Depot
from apps.depots.serializers import serial_errors, serials_field
from apps.inventory.enums import CylinderState, StockDocumentKind
from apps.inventory.models import EquipmentMove, Location, StockBalance, StockDocument, StockMove


class StockBalanceSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.name", read_only=True)
    location_kind = serializers.CharField(source="location.kind", read_only=True)
    cylinder_type_name = serializers.CharField(source="cylinder_type.name", read_only=True)

    class Meta:
        model = StockBalance
        fields = [
            "location",
            "location_name",
            "location_kind",
            "cylinder_type",
            "cylinder_type_name",
            "full_qty",
            "empty_qty",
        ]


class StockMoveSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockMove
        fields = [
            "id", "movement_type", "cylinder_type", "state", "quantity", "from_location", "to_location",
            "document_type", "document_id", "reverses", "created_by", "occurred_at", "recorded_at",
        ]  # fmt: skip


class StockDocumentLineInput(serializers.Serializer):
    cylinder_type = PKField(queryset=CylinderType.objects.filter(is_active=True))
    state = serializers.ChoiceField(choices=CylinderState.choices, required=False)
    quantity = serializers.IntegerField(min_value=-100000, max_value=100000)
    serials = serials_field()


class StockDocumentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[c for c in StockDocumentKind.choices if c[0] != StockDocumentKind.REVERSAL])
    depot = PKField(queryset=Depot.objects.filter(is_active=True), required=False, allow_null=True)
    to_depot = PKField(queryset=Depot.objects.filter(is_active=True), required=False, allow_null=True)
    location = PKField(queryset=Location.objects.all(), required=False, allow_null=True)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    lines = StockDocumentLineInput(many=True, allow_empty=False, max_length=200)

    def validate(self, attrs):
        if errors := serial_errors(attrs["lines"], {"serials": "quantity"}):
            raise serializers.ValidationError({"lines": errors})
        return attrs

    def service_kwargs(self) -> dict:
        """Keyword arguments for ``stock_document_create``, the lines typed."""
        from apps.inventory.services import StockDocumentLine

        return {**self.validated_data, "lines": [StockDocumentLine.of(line) for line in self.validated_data["lines"]]}

    def canonical(self) -> dict:
        """The request as plain ids and strings, for the idempotency fingerprint."""
        v = self.validated_data
        return {
            "kind": v["kind"],
            **{k: v[k].pk if v.get(k) is not None else None for k in ("depot", "to_depot", "location")},
            "reason": v.get("reason", ""),
            "reference": v.get("reference", ""),
            "lines": [
                {
                    "cylinder_type": line["cylinder_type"].pk,
                    "state": line.get("state"),
                    "quantity": line["quantity"],
                    # only when sent, so the fingerprints of earlier keys stay the same
                    **({"serials": list(line["serials"])} if line.get("serials") else {}),
                }
                for line in v["lines"]
            ],
        }


class StockDocumentSerializer(serializers.ModelSerializer):
    moves = serializers.SerializerMethodField()

    class Meta:
        model = StockDocument
        fields = [
            "id", "kind", "number", "reason", "reference", "reverses_document_type", "reverses_document_id",
            "created_by", "occurred_at", "created_at", "moves",
        ]  # fmt: skip

    @extend_schema_field(StockMoveSerializer(many=True))
    def get_moves(self, obj) -> list[dict]:
        moves = StockMove.objects.filter(document_type="inventory.stockdocument", document_id=obj.pk).order_by("id")
        return StockMoveSerializer(moves, many=True).data  # type: ignore[return-value]  # a ReturnList


@extend_schema_serializer(component_name="StockDocumentReverseInput")  # distribution has a ReverseInput too
class ReverseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class EquipmentMoveSerializer(serializers.ModelSerializer):
    """One move of one serial (``GET /api/equipment/<id>/history/``)."""

    movement_type = serializers.CharField(source="stock_move.movement_type", read_only=True)
    from_location_name = serializers.CharField(source="from_location.name", read_only=True)
    to_location_name = serializers.CharField(source="to_location.name", read_only=True)
    document_type = serializers.CharField(source="stock_move.document_type", read_only=True)
    document_id = serializers.IntegerField(source="stock_move.document_id", read_only=True)

    class Meta:
        model = EquipmentMove
        fields = [
            "id", "movement_type", "from_location", "from_location_name", "to_location", "to_location_name",
            "state", "document_type", "document_id", "occurred_at",
        ]  # fmt: skip
        read_only_fields = fields
