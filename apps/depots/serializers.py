from rest_framework import serializers

from apps.core.api import PKField
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle


class DepotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Depot
        fields = ["id", "code", "name", "address", "postal_code", "latitude", "longitude", "is_active", "admin"]
        extra_kwargs = {"admin": {"required": False}}


class VehicleSerializer(serializers.ModelSerializer):
    home_depot = PKField(queryset=Depot.objects.all())

    class Meta:
        model = Vehicle
        fields = ["id", "plate_number", "home_depot", "description", "is_active"]


class CylinderTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CylinderType
        fields = ["id", "sku", "name", "weight_kg", "list_price", "is_active"]


class EquipmentSerializer(serializers.ModelSerializer):
    depot = PKField(queryset=Depot.objects.all())
    cylinder_type = PKField(queryset=CylinderType.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Equipment
        fields = ["id", "serial_number", "kind", "cylinder_type", "status", "ownership", "depot", "next_inspection_due"]
