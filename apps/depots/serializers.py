from django.utils import timezone
from rest_framework import serializers

from apps.core.api import PKField
from apps.core.fields import HourMinuteField
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle


class DepotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Depot
        fields = ["id", "code", "name", "address", "postal_code", "latitude", "longitude", "is_active", "admin"]
        extra_kwargs = {"admin": {"required": False}}


class VehicleCapacityOutput(serializers.Serializer):
    cylinder_type = serializers.IntegerField(source="cylinder_type_id")
    max_qty = serializers.IntegerField()


class VehicleSerializer(serializers.ModelSerializer):
    """A truck with what the dispatch planner needs: its load limit, its
    shift and (read-only here; edited in the admin) the racks per type."""

    home_depot = PKField(queryset=Depot.objects.all())
    shift_start = HourMinuteField(required=False)
    shift_end = HourMinuteField(required=False)
    capacities = VehicleCapacityOutput(many=True, read_only=True)

    class Meta:
        model = Vehicle
        fields = [
            "id", "plate_number", "home_depot", "description", "is_active",
            "max_load_kg", "shift_start", "shift_end", "capacities",
        ]  # fmt: skip


class CylinderTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CylinderType
        fields = ["id", "sku", "name", "weight_kg", "tare_kg", "list_price", "is_active", "serialised"]
        extra_kwargs = {"serialised": {"required": False}}


class EquipmentSerializer(serializers.ModelSerializer):
    depot = PKField(queryset=Depot.objects.all())
    cylinder_type = PKField(queryset=CylinderType.objects.all(), required=False, allow_null=True)
    location = serializers.IntegerField(source="location_id", read_only=True, allow_null=True)
    location_name = serializers.SerializerMethodField()
    state = serializers.CharField(read_only=True, help_text="FULL or EMPTY where it is; blank: not in circulation.")
    located_since = serializers.DateTimeField(read_only=True, allow_null=True)
    retest_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Equipment
        fields = [
            "id", "serial_number", "kind", "cylinder_type", "status", "ownership", "depot", "next_inspection_due",
            "location", "location_name", "state", "located_since", "retest_overdue",
        ]  # fmt: skip

    def get_location_name(self, obj) -> str | None:
        return obj.location.name if obj.location_id else None

    def get_retest_overdue(self, obj) -> bool:
        """Past its hydrostatic retest date (may not be collected or delivered)."""
        due = obj.next_inspection_due
        return due is not None and due < timezone.localdate()


def serials_field(help_text: str = "") -> serializers.ListField:
    """An optional list of serial numbers (Equipment.serial_number)."""
    return serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=10000,
        help_text=help_text or "Serial numbers, one per cylinder; required for a serialised cylinder type.",
    )


def serial_errors(lines: list[dict], fields: dict[str, str]) -> dict:
    """The serial errors of a document's lines, as ``{index: {field: [...]}}``
    (empty when none): ``fields`` maps each serials field of a line to the
    quantity field it counts. Each serial once per document; the count equal
    to the quantity; required when the line's cylinder type is serialised."""
    errors: dict = {}
    seen: set[str] = set()
    for i, line in enumerate(lines):
        serialised = line["cylinder_type"].serialised
        for field, quantity_field in fields.items():
            serials = line.get(field) or []
            quantity = abs(int(line.get(quantity_field) or 0))
            message = None
            if not serials:
                if serialised and quantity:
                    message = f"This cylinder type is serialised: give the {quantity} serial number(s)."
            elif len(serials) != quantity:
                message = f"{len(serials)} serial number(s) given for {quantity} cylinder(s)."
            elif twice := sorted({s for s in serials if serials.count(s) > 1 or s in seen}):
                message = f"Each serial appears once per document: {', '.join(twice)}."
            seen.update(serials)
            if message:
                errors.setdefault(i, {})[field] = [message]
    return errors
