from rest_framework import serializers

from apps.accounts.models import User
from apps.core.api import PKField
from apps.depots.models import CylinderType, Depot, Vehicle
from apps.depots.serializers import serial_errors, serials_field
from apps.distribution.enums import DistributionMovement
from apps.distribution.models import DistributionHeader, DistributionItem


class DistributionItemInput(serializers.Serializer):
    depot = PKField(queryset=Depot.objects.filter(is_active=True).select_related("location"))
    cylinder_type = PKField(queryset=CylinderType.objects.filter(is_active=True))
    quantity = serializers.IntegerField(min_value=1, max_value=10000)
    movement_type = serializers.ChoiceField(choices=DistributionMovement.choices)
    serials = serials_field()


class DistributionInput(serializers.Serializer):
    vehicle = PKField(queryset=Vehicle.objects.filter(is_active=True).select_related("location"))
    driver = PKField(queryset=User.objects.filter(is_active=True, role="driver"), required=False, allow_null=True)
    items = DistributionItemInput(many=True, allow_empty=False, max_length=100)

    def validate(self, attrs):
        if errors := serial_errors(attrs["items"], {"serials": "quantity"}):
            raise serializers.ValidationError({"items": errors})
        return attrs

    def service_kwargs(self) -> dict:
        """Keyword arguments for ``distribution_create``, the lines typed."""
        from apps.distribution.services import DistributionLine

        v = self.validated_data
        return {
            "vehicle": v["vehicle"],
            "driver": v.get("driver"),
            "items": [DistributionLine.of(item) for item in v["items"]],
        }

    def canonical(self) -> dict:
        """The request as plain ids, for the idempotency fingerprint."""
        v = self.validated_data
        return {
            "vehicle": v["vehicle"].pk,
            "driver": v["driver"].pk if v.get("driver") else None,
            "items": [
                {
                    "depot": i["depot"].pk,
                    "cylinder_type": i["cylinder_type"].pk,
                    "quantity": i["quantity"],
                    "movement_type": i["movement_type"],
                    # only when sent, so the fingerprints of earlier keys stay the same
                    **({"serials": list(i["serials"])} if i.get("serials") else {}),
                }
                for i in v["items"]
            ],
        }


class DistributionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DistributionItem
        fields = ["id", "depot", "cylinder_type", "quantity", "movement_type"]


class DistributionSerializer(serializers.ModelSerializer):
    items = DistributionItemSerializer(many=True, read_only=True)

    class Meta:
        model = DistributionHeader
        fields = [
            "id", "number", "status", "driver", "vehicle", "total_collection", "total_return",
            "items", "occurred_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ReverseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
