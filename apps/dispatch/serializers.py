from rest_framework import serializers

from apps.core.api import PKField
from apps.core.fields import BoundedDateField
from apps.depots.models import Vehicle
from apps.dispatch.models import DispatchPlan, LoadSheetLine
from apps.orders.models import Order


class PlanInput(serializers.Serializer):
    date = BoundedDateField()
    buffer_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)

    def service_kwargs(self) -> dict:
        v = self.validated_data
        return {"day": v["date"], "buffer_percent": v.get("buffer_percent")}

    def canonical(self) -> dict:
        v = self.validated_data
        return {"date": v["date"].isoformat(), "buffer_percent": v.get("buffer_percent")}


class MoveInput(serializers.Serializer):
    order = PKField(queryset=Order.objects.all())
    vehicle = PKField(queryset=Vehicle.objects.filter(is_active=True))

    def service_kwargs(self) -> dict:
        return {"order": self.validated_data["order"], "vehicle": self.validated_data["vehicle"]}

    def canonical(self) -> dict:
        return {"order": self.validated_data["order"].pk, "vehicle": self.validated_data["vehicle"].pk}


class LockInput(serializers.Serializer):
    order = PKField(queryset=Order.objects.all())
    locked = serializers.BooleanField()

    def service_kwargs(self) -> dict:
        return {"order": self.validated_data["order"], "locked": self.validated_data["locked"]}

    def canonical(self) -> dict:
        return {"order": self.validated_data["order"].pk, "locked": self.validated_data["locked"]}


class LockOutput(serializers.ModelSerializer):
    order = serializers.IntegerField(source="pk")

    class Meta:
        model = Order
        fields = ["order", "pinned_vehicle"]
        read_only_fields = fields


class ClashResolveInput(serializers.Serializer):
    resolution = serializers.CharField(max_length=1000)


class LoadSheetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = LoadSheetLine
        fields = ["vehicle", "cylinder_type", "ordered", "buffer", "to_load"]
        read_only_fields = fields


class SnapshotStop(serializers.Serializer):
    order = serializers.IntegerField()
    eta = serializers.CharField()
    leg_km = serializers.CharField()


class SnapshotRoute(serializers.Serializer):
    vehicle = serializers.IntegerField()
    km = serializers.CharField()
    minutes = serializers.IntegerField()
    starts_at = serializers.CharField()
    ends_at = serializers.CharField()
    stops = SnapshotStop(many=True)
    load = serializers.DictField(child=serializers.IntegerField(), help_text="Cylinders per type id.")


class Snapshot(serializers.Serializer):
    engine = serializers.CharField()
    solve_ms = serializers.IntegerField()
    buffer_percent = serializers.IntegerField()
    routes = SnapshotRoute(many=True)
    unassigned = serializers.DictField(child=serializers.CharField(), help_text="Order id: the reason code.")


class DispatchPlanSerializer(serializers.ModelSerializer):
    snapshot = Snapshot(read_only=True)
    load_sheets = LoadSheetLineSerializer(source="load_lines", many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.name", read_only=True)

    class Meta:
        model = DispatchPlan
        fields = [
            "id", "date", "version", "kind", "engine", "solve_ms", "total_km", "trucks_used",
            "orders_planned", "orders_unassigned", "buffer_percent", "snapshot", "load_sheets",
            "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class DateQuery(serializers.Serializer):
    date = BoundedDateField(required=False)


# -- the board (answers are built by the selectors; these describe them) --------


class BoardCustomer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    postal_code = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    kind = serializers.CharField()


class BoardLine(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()


class BoardStop(serializers.Serializer):
    order = serializers.IntegerField()
    sequence = serializers.IntegerField()
    eta = serializers.CharField(allow_null=True)
    window_start = serializers.CharField(allow_null=True)
    window_end = serializers.CharField(allow_null=True)
    late = serializers.BooleanField()
    status = serializers.CharField()
    done = serializers.BooleanField()
    locked = serializers.BooleanField()
    customer = BoardCustomer()
    lines = BoardLine(many=True)
    leg_km = serializers.CharField(allow_null=True)


class BoardRoute(serializers.Serializer):
    km = serializers.CharField()
    minutes = serializers.IntegerField()
    starts_at = serializers.CharField(allow_null=True)
    ends_at = serializers.CharField(allow_null=True)
    load_kg = serializers.CharField()
    stops = BoardStop(many=True)


class LoadSheetRow(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    ordered = serializers.IntegerField()
    buffer = serializers.IntegerField()
    to_load = serializers.IntegerField()
    on_truck = serializers.IntegerField()


class CapacityRow(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    sku = serializers.CharField()
    max_qty = serializers.IntegerField()


class BoardVehicle(serializers.Serializer):
    id = serializers.IntegerField()
    plate_number = serializers.CharField()
    max_load_kg = serializers.CharField()
    shift_start = serializers.CharField()
    shift_end = serializers.CharField()


class BoardDepot(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class BoardPerson(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BoardTruck(serializers.Serializer):
    vehicle = BoardVehicle()
    depot = BoardDepot()
    driver = BoardPerson(allow_null=True)
    out = serializers.BooleanField()
    route = BoardRoute(allow_null=True)
    load_sheet = LoadSheetRow(many=True)
    capacity = CapacityRow(many=True)


class BoardOrder(serializers.Serializer):
    order = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    urgent = serializers.BooleanField()
    status = serializers.CharField()
    window_start = serializers.CharField(allow_null=True)
    window_end = serializers.CharField(allow_null=True)
    customer = BoardCustomer()
    lines = BoardLine(many=True)


class BoardClash(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    delivery = serializers.IntegerField()
    driver = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField()
    noted_at = serializers.CharField()


class BoardPlan(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    kind = serializers.CharField()
    engine = serializers.CharField()
    solve_ms = serializers.IntegerField()
    total_km = serializers.CharField()
    created_at = serializers.CharField()
    created_by = serializers.CharField()


class BoardCounts(serializers.Serializer):
    orders = serializers.IntegerField()
    planned = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    unplanned = serializers.IntegerField()
    delivered = serializers.IntegerField()
    late = serializers.IntegerField()


class BoardMap(serializers.Serializer):
    tile_url = serializers.CharField(allow_blank=True)
    attribution = serializers.CharField(allow_blank=True)


class BoardOutput(serializers.Serializer):
    date = serializers.DateField()
    plan = BoardPlan(allow_null=True)
    trucks = BoardTruck(many=True)
    unassigned = BoardOrder(many=True)
    unplanned = BoardOrder(many=True)
    clashes = BoardClash(many=True)
    counts = BoardCounts()
    map = BoardMap()


class LoadSheetVehicle(serializers.Serializer):
    id = serializers.IntegerField()
    plate_number = serializers.CharField()


class LoadSheetDepot(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class LoadSheetOutput(serializers.Serializer):
    date = serializers.DateField()
    vehicle = LoadSheetVehicle()
    depot = LoadSheetDepot()
    plan_version = serializers.IntegerField(allow_null=True)
    lines = LoadSheetRow(many=True)


class RouteStopOutput(serializers.Serializer):
    sequence = serializers.IntegerField()
    order = serializers.IntegerField(source="order_id")
    customer = serializers.CharField(source="order.customer.name")
    eta = serializers.DateTimeField(allow_null=True)
    window_start = serializers.TimeField(allow_null=True)
    window_end = serializers.TimeField(allow_null=True)
    leg_km = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    service_minutes = serializers.IntegerField()


class RouteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    driver = serializers.IntegerField(source="driver_id")
    vehicle = serializers.IntegerField(source="vehicle_id", allow_null=True)
    version = serializers.IntegerField()
    total_km = serializers.DecimalField(max_digits=9, decimal_places=3)
    total_minutes = serializers.IntegerField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    stops = RouteStopOutput(many=True)
