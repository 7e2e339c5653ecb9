from django.contrib import admin

from apps.orders.models import DayEndCount, DayEndCountLine, Order, OrderLine, RoutePlan, RouteStop
from apps.sync.admin import SupervisorReadOnlyAdmin


class ReadOnlyInline(admin.TabularInline):
    """Shown to whoever may view the parent page; never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    readonly_fields = ["cylinder_type", "quantity"]


@admin.register(Order)
class OrderAdmin(SupervisorReadOnlyAdmin):
    list_display = ["id", "scheduled_for", "customer", "driver", "status", "delivery_id"]
    list_filter = ["status", "scheduled_for", "driver"]
    search_fields = ["customer__name", "customer__code", "driver__name"]
    date_hierarchy = "scheduled_for"
    inlines = [OrderLineInline]
    readonly_fields = [f.name for f in Order._meta.fields]


class RouteStopInline(ReadOnlyInline):
    model = RouteStop
    fields = ["sequence", "order", "customer", "address", "leg_km"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order__customer")

    @admin.display(description="Customer")
    def customer(self, stop: RouteStop) -> str:
        return stop.order.customer.name

    @admin.display(description="Address")
    def address(self, stop: RouteStop) -> str:
        return stop.order.customer.site_address


@admin.register(RoutePlan)
class RoutePlanAdmin(SupervisorReadOnlyAdmin):
    list_display = ["date", "driver", "start_depot", "stop_count", "total_km", "planned_at"]
    list_filter = ["date", "driver"]
    date_hierarchy = "date"
    inlines = [RouteStopInline]
    readonly_fields = [f.name for f in RoutePlan._meta.fields]

    @admin.display(description="Stops")
    def stop_count(self, plan: RoutePlan) -> int:
        return plan.stops.count()


class DayEndCountLineInline(ReadOnlyInline):
    model = DayEndCountLine
    fields = ["cylinder_type", "state", "counted_qty", "ledger_qty", "variance"]
    readonly_fields = fields


@admin.register(DayEndCount)
class DayEndCountAdmin(SupervisorReadOnlyAdmin):
    list_display = ["date", "driver", "vehicle", "status", "counted_by", "reviewed_by", "adjustment"]
    list_filter = ["status", "date"]
    date_hierarchy = "date"
    inlines = [DayEndCountLineInline]
    readonly_fields = [f.name for f in DayEndCount._meta.fields]
