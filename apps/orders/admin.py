from django.contrib import admin
from django.urls import path, reverse

from apps.core.admin import SupervisorReadOnlyAdmin
from apps.core.permissions import role_of
from apps.orders import admin_views
from apps.orders.enums import OPEN_STATUSES, CountStatus
from apps.orders.models import DayEndCount, DayEndCountLine, Order, OrderLine, RoutePlan, RouteStop


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


def _dispatcher(request) -> bool:
    return request.user.is_active and role_of(request.user) in admin_views.DISPATCHERS


class ServicePagesMixin:
    """Custom service pages under the model's admin URL, and their buttons on
    the (read-only) change page."""

    change_form_template = "admin/lpg/change_form_tools.html"
    service_pages: list[tuple[str, str]] = []  # (url suffix, view method name)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = []
        for suffix, method in self.service_pages:
            view = getattr(self, method)
            extra.append(
                path(
                    f"<path:object_id>/{suffix}/",
                    self.admin_site.admin_view(view),
                    name=f"{info[0]}_{info[1]}_{suffix.replace('-', '_')}",
                )
            )
        return extra + super().get_urls()

    def tools(self, request, obj) -> list[tuple[str, str]]:
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {"extra_tools": self.tools(request, obj) if obj is not None else []}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    readonly_fields = ["cylinder_type", "quantity"]


@admin.register(Order)
class OrderAdmin(ServicePagesMixin, SupervisorReadOnlyAdmin):
    """Entered through ``order_create`` (the add page), assigned through
    ``order_update`` (the Assign page); never edited directly."""

    service_pages = [("assign", "assign_view")]

    list_display = ["id", "scheduled_for", "customer", "driver", "status", "delivery_id"]
    list_filter = ["status", "scheduled_for", "driver"]
    search_fields = ["customer__name", "customer__code", "driver__name"]
    date_hierarchy = "scheduled_for"
    inlines = [OrderLineInline]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return _dispatcher(request)

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.order_add(self, request)

    def assign_view(self, request, object_id):
        return admin_views.order_assign(self, request, object_id)

    def tools(self, request, obj):
        if _dispatcher(request) and obj.status in OPEN_STATUSES:
            return [(reverse("admin:orders_order_assign", args=[obj.pk]), "Assign / reschedule")]
        return []


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
class RoutePlanAdmin(ServicePagesMixin, SupervisorReadOnlyAdmin):
    """Planned through ``route_plan`` (the add page), reordered through
    ``route_stops_reorder``."""

    service_pages = [("reorder", "reorder_view")]

    list_display = ["date", "driver", "start_depot", "stop_count", "total_km", "planned_at"]
    list_filter = ["date", "driver"]
    date_hierarchy = "date"
    inlines = [RouteStopInline]
    readonly_fields = [f.name for f in RoutePlan._meta.fields]

    def has_add_permission(self, request):
        return _dispatcher(request)

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.route_plan_add(self, request)

    def reorder_view(self, request, object_id):
        return admin_views.route_reorder(self, request, object_id)

    def tools(self, request, obj):
        if _dispatcher(request) and obj.stops.exists():
            return [(reverse("admin:orders_routeplan_reorder", args=[obj.pk]), "Reorder stops")]
        return []

    @admin.display(description="Stops")
    def stop_count(self, plan: RoutePlan) -> int:
        return plan.stops.count()


class DayEndCountLineInline(ReadOnlyInline):
    model = DayEndCountLine
    fields = ["cylinder_type", "state", "counted_qty", "ledger_qty", "variance"]
    readonly_fields = fields


@admin.register(DayEndCount)
class DayEndCountAdmin(ServicePagesMixin, SupervisorReadOnlyAdmin):
    """A variance waits here for a supervisor: Approve (posts the adjustment)
    or Send back (recount), each with a reason, through the services."""

    service_pages = [("approve", "approve_view"), ("send-back", "send_back_view")]

    list_display = ["date", "driver", "vehicle", "status", "counted_by", "reviewed_by", "adjustment"]
    list_filter = ["status", "date"]
    date_hierarchy = "date"
    inlines = [DayEndCountLineInline]
    readonly_fields = [f.name for f in DayEndCount._meta.fields]

    def approve_view(self, request, object_id):
        return admin_views.day_end_review(self, request, object_id, approve=True)

    def send_back_view(self, request, object_id):
        return admin_views.day_end_review(self, request, object_id, approve=False)

    def tools(self, request, obj):
        if _dispatcher(request) and obj.status == CountStatus.PENDING:
            return [
                (reverse("admin:orders_dayendcount_approve", args=[obj.pk]), "Approve variance"),
                (reverse("admin:orders_dayendcount_send_back", args=[obj.pk]), "Send back"),
            ]
        return []
