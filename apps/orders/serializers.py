from rest_framework import serializers

from apps.accounts.models import User
from apps.core.api import PKField
from apps.core.fields import BoundedDateField
from apps.core.roles import Role
from apps.customers.enums import CustomerKind
from apps.customers.models import Customer
from apps.depots.models import CylinderType
from apps.inventory.enums import CylinderState
from apps.orders.enums import CountStatus, OrderStatus
from apps.orders.imports import file_sha256
from apps.orders.models import DayEndCount, DayEndCountLine, Order, OrderLine, RoutePlan, RouteStop

DRIVERS = User.objects.filter(role=Role.DRIVER, is_active=True)


class OrderLineInput(serializers.Serializer):
    cylinder_type = PKField(queryset=CylinderType.objects.filter(is_active=True))
    quantity = serializers.IntegerField(min_value=1, max_value=10000)


def hhmm_field(**kwargs) -> serializers.TimeField:
    """A time of day as "HH:MM" (Singapore time), in and out."""
    return serializers.TimeField(format="%H:%M", input_formats=["%H:%M"], **kwargs)


WINDOW_HELP = "Deliver no earlier / no later than this, HH:MM (null: the customer's receiving hours)."


class OrderInput(serializers.Serializer):
    customer = PKField(queryset=Customer.objects.filter(is_active=True))
    scheduled_for = BoundedDateField()
    lines = OrderLineInput(many=True, allow_empty=False, max_length=50)
    driver = PKField(queryset=DRIVERS, required=False, allow_null=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    window_start = hhmm_field(required=False, allow_null=True, default=None, help_text=WINDOW_HELP)
    window_end = hhmm_field(required=False, allow_null=True, default=None, help_text=WINDOW_HELP)
    urgent = serializers.BooleanField(required=False, default=False)


class OrderUpdateInput(serializers.Serializer):
    scheduled_for = BoundedDateField(required=False)
    lines = OrderLineInput(many=True, allow_empty=False, max_length=50, required=False)
    driver = PKField(queryset=DRIVERS, required=False, allow_null=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    window_start = hhmm_field(required=False, allow_null=True, help_text=WINDOW_HELP)
    window_end = hhmm_field(required=False, allow_null=True, help_text=WINDOW_HELP)
    urgent = serializers.BooleanField(required=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class OrderLineSerializer(serializers.ModelSerializer):
    remaining_quantity = serializers.IntegerField(read_only=True)

    class Meta:
        model = OrderLine
        fields = ["cylinder_type", "quantity", "delivered_quantity", "remaining_quantity"]
        read_only_fields = ["delivered_quantity", "remaining_quantity"]


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    window_start = hhmm_field(read_only=True, allow_null=True)
    window_end = hhmm_field(read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "id", "customer", "scheduled_for", "driver", "status", "notes", "lines",
            "delivery_id", "delivered_at", "cancel_reason", "created_at",
            "window_start", "window_end", "urgent", "source", "pinned_vehicle", "unplanned_reason",
        ]  # fmt: skip
        read_only_fields = fields


class RoutePlanInput(serializers.Serializer):
    driver = PKField(queryset=DRIVERS)
    date = BoundedDateField()


class RouteStopSerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="order.customer_id", read_only=True)
    customer_name = serializers.CharField(source="order.customer.name", read_only=True)

    class Meta:
        model = RouteStop
        fields = ["sequence", "order", "customer", "customer_name", "leg_km"]
        read_only_fields = fields


class RoutePlanSerializer(serializers.ModelSerializer):
    stops = RouteStopSerializer(many=True, read_only=True)

    class Meta:
        model = RoutePlan
        fields = ["id", "driver", "date", "start_depot", "total_km", "planned_at", "stops"]
        read_only_fields = fields


class CountLineInput(serializers.Serializer):
    cylinder_type = PKField(queryset=CylinderType.objects.all())
    full_qty = serializers.IntegerField(min_value=0, max_value=100000)
    empty_qty = serializers.IntegerField(min_value=0, max_value=100000)


class DayEndCountInput(serializers.Serializer):
    driver = PKField(queryset=DRIVERS, required=False)
    date = BoundedDateField(required=False)
    lines = CountLineInput(many=True, allow_empty=True, max_length=100)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def service_kwargs(self) -> dict:
        v = self.validated_data
        return {"driver": v.get("driver"), "day": v.get("date"), "lines": v["lines"], "note": v["note"]}

    def canonical(self) -> dict:
        """The request as plain ids and strings, for the idempotency fingerprint."""
        v = self.validated_data
        return {
            "driver": v["driver"].pk if v.get("driver") else None,
            "date": v["date"].isoformat() if v.get("date") else None,
            "lines": [
                {
                    "cylinder_type": line["cylinder_type"].pk,
                    "full_qty": line["full_qty"],
                    "empty_qty": line["empty_qty"],
                }
                for line in v["lines"]
            ],
            "note": v["note"],
        }


class DayEndCountLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DayEndCountLine
        fields = ["cylinder_type", "state", "counted_qty", "ledger_qty", "variance"]
        read_only_fields = fields


class DayEndCountSerializer(serializers.ModelSerializer):
    lines = DayEndCountLineSerializer(many=True, read_only=True)
    adjustment_number = serializers.CharField(source="adjustment.number", read_only=True, default=None, allow_null=True)

    class Meta:
        model = DayEndCount
        fields = [
            "id", "driver", "vehicle", "date", "status", "counted_by", "counted_at", "note", "lines",
            "reviewed_by", "reviewed_at", "review_reason", "adjustment", "adjustment_number",
        ]  # fmt: skip
        read_only_fields = fields


class DaySelectionInput(serializers.Serializer):
    driver = PKField(queryset=DRIVERS, required=False)
    date = BoundedDateField(required=False)


# Output of the read endpoints built by selectors (my-day, the day-end
# summary): the selectors return plain dicts, these serializers render them and
# are the OpenAPI schema the PWA's TypeScript types are generated from.


class NamedRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VehicleRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    plate_number = serializers.CharField()


class DayTotalsOutput(serializers.Serializer):
    loaded = serializers.IntegerField(help_text="Fulls from the depot onto the truck (COLLECTION).")
    delivered = serializers.IntegerField(help_text="Fulls to customers (DELIVERY).")
    collected = serializers.IntegerField(help_text="Cylinders picked up from customers (RETURN).")
    returned = serializers.IntegerField(help_text="Cylinders back to the depot (EMPTY_RETURN, FULL_RETURN).")


class VehicleStockRowOutput(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    cylinder_type_name = serializers.CharField()
    full_qty = serializers.IntegerField()
    empty_qty = serializers.IntegerField()


class CustomerBalanceRowOutput(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    full_qty = serializers.IntegerField()
    empty_qty = serializers.IntegerField()


class StopCustomerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField(help_text="The site address.")
    postal_code = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=CustomerKind.choices)


class StopLineOutput(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    name = serializers.CharField(help_text="The cylinder type's name.")
    quantity = serializers.IntegerField(help_text="Ordered.")
    delivered = serializers.IntegerField(help_text="Delivered so far.")
    remaining = serializers.IntegerField(help_text="Still to deliver.")


class StopCylindersOutput(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    held = serializers.IntegerField(help_text="Cylinders of the type at the site (full + empty).")
    deposit_units = serializers.IntegerField(help_text="Cylinders the customer's deposits cover.")


class StopOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField(help_text="1-based position in the route.")
    order = serializers.IntegerField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    customer = StopCustomerOutput()
    scheduled_for = serializers.DateField()
    notes = serializers.CharField(
        allow_blank=True, help_text='The order\'s notes for the driver ("PAYMENT AT THE DOOR: ..." on credit hold).'
    )
    lines = StopLineOutput(many=True)
    eta = serializers.DateTimeField(allow_null=True, help_text="The planned arrival (the dispatch plan's).")
    window_start = serializers.TimeField(allow_null=True, help_text="The customer receives from (HH:MM:SS).")
    window_end = serializers.TimeField(allow_null=True, help_text="The customer receives until.")
    customer_balance = CustomerBalanceRowOutput(many=True, help_text="What the customer holds now.")
    cylinders = StopCylindersOutput(many=True, help_text="Cylinders held and deposits, per type.")
    deposit_total = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Deposits the customer has paid and not had back."
    )


class MyDayOutput(serializers.Serializer):
    date = serializers.DateField()
    driver = NamedRefOutput()
    vehicle = VehicleRefOutput(allow_null=True)
    stock = VehicleStockRowOutput(many=True, help_text="The truck's stock now (empty without a vehicle).")
    stops = StopOutput(many=True, help_text="The day's stops in route order.")
    totals = DayTotalsOutput()


class DayVarianceLineOutput(serializers.Serializer):
    cylinder_type = serializers.IntegerField()
    cylinder_type_name = serializers.CharField()
    state = serializers.ChoiceField(choices=CylinderState.choices)
    counted = serializers.IntegerField()
    ledger = serializers.IntegerField()
    variance = serializers.IntegerField(help_text="counted - ledger (never 0 here).")


class DayCountRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CountStatus.choices)


class DaySummaryOutput(serializers.Serializer):
    date = serializers.DateField()
    driver = NamedRefOutput()
    vehicle = VehicleRefOutput(allow_null=True)
    loaded = serializers.IntegerField(help_text="Fulls from the depot onto the truck (COLLECTION).")
    delivered = serializers.IntegerField(help_text="Fulls to customers (DELIVERY).")
    collected = serializers.IntegerField(help_text="Cylinders picked up from customers (RETURN).")
    returned = serializers.IntegerField(help_text="Cylinders back to the depot (EMPTY_RETURN, FULL_RETURN).")
    count = DayCountRefOutput(allow_null=True, help_text="The day's latest count that was not sent back, if any.")
    variance = DayVarianceLineOutput(many=True)
    cash_collected = serializers.DecimalField(max_digits=12, decimal_places=2)
    paynow_collected = serializers.DecimalField(max_digits=12, decimal_places=2)


class OrdersImportInput(serializers.Serializer):
    """A day's orders as CSV text (the format: ``apps/orders/imports.py``)."""

    date = BoundedDateField(help_text="The day the orders are for.")
    csv = serializers.CharField(
        max_length=1_000_000,
        trim_whitespace=False,
        help_text="The CSV file's text: header customer_code,cylinder_sku,quantity[,window_start,window_end,"
        "urgent,notes], one row per (order, cylinder type); at most 2,000 rows.",
    )

    allow_duplicate = serializers.BooleanField(
        default=False,
        help_text="Import even though the same file was already imported for the same day "
        "(otherwise 409 import_duplicate).",
    )

    def service_kwargs(self) -> dict:
        data = self.validated_data
        return {"day": data["date"], "rows": data["csv"], "allow_duplicate": data["allow_duplicate"]}

    def canonical(self) -> dict:
        data = self.validated_data
        canonical = {"date": data["date"].isoformat(), "csv_sha256": file_sha256(data["csv"])}
        if data["allow_duplicate"]:  # absent when false: keys stored before the flag existed still replay
            canonical["allow_duplicate"] = True
        return canonical


class RepeatOrdersGenerateInput(serializers.Serializer):
    date = BoundedDateField(help_text="Make the standing orders of this day.")

    def service_kwargs(self) -> dict:
        return {"day": self.validated_data["date"]}

    def canonical(self) -> dict:
        return {"date": self.validated_data["date"].isoformat()}


class OrdersCreatedOutput(serializers.Serializer):
    created = serializers.IntegerField(help_text="How many orders were made.")
    orders = serializers.ListField(child=serializers.IntegerField(), source="order_ids", help_text="Their ids.")
