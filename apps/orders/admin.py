from django.contrib import admin
from django.urls import path, reverse

from apps.core.admin import AuditedAdminMixin, SupervisorReadOnlyAdmin, copy_saved
from apps.core.permissions import role_of
from apps.orders import admin_views
from apps.orders.enums import OPEN_STATUSES, CountStatus
from apps.orders.models import (
    DayEndCount,
    DayEndCountLine,
    Order,
    OrderLine,
    RepeatOrder,
    RepeatOrderLine,
    RoutePlan,
    RouteStop,
)
from apps.orders.services import REPEAT_FIELDS, repeat_order_check, repeat_order_save


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
    change_list_template = "admin/orders/order/change_list.html"

    list_display = ["id", "scheduled_for", "customer", "driver", "status", "window", "urgent", "source", "delivery_id"]
    list_filter = ["status", "scheduled_for", "source", "urgent", "driver"]
    search_fields = ["customer__name", "customer__code", "driver__name"]
    date_hierarchy = "scheduled_for"
    inlines = [OrderLineInline]
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return _dispatcher(request)

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.order_add(self, request)

    def get_urls(self):
        # before the object URLs: "<path:object_id>/" would take "import" for an id
        page = path("import/", self.admin_site.admin_view(self.import_view), name="orders_order_import")
        return [page] + super().get_urls()

    def import_view(self, request):
        return admin_views.order_import(self, request)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "can_import": _dispatcher(request)})

    @admin.display(description="Window")
    def window(self, order: Order) -> str:
        start, end = order.window_start, order.window_end
        if start is None and end is None:
            return ""
        opens = start.strftime("%H:%M") if start else ""
        closes = end.strftime("%H:%M") if end else ""
        return f"{opens}-{closes}"

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


class RepeatOrderLineInline(admin.TabularInline):
    """Edited by dispatchers with the repeat order (``role_editable``: the
    role policy leaves it editable for supervisors); saved through
    ``repeat_order_save`` with its parent, never by the formset."""

    model = RepeatOrderLine
    fields = ["cylinder_type", "quantity"]
    extra = 1
    role_editable = True

    def has_view_permission(self, request, obj=None):
        return _dispatcher(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return _dispatcher(request)

    def has_change_permission(self, request, obj=None):
        return _dispatcher(request)

    def has_delete_permission(self, request, obj=None):
        return _dispatcher(request)


@admin.register(RepeatOrder)
class RepeatOrderAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A customer's weekly standing order; ``repeat_orders_generate`` makes
    its orders (daily at 05:00, or POST /api/orders/repeat/generate/). Saved
    with its lines through ``repeat_order_save`` (one audit row); never
    deleted: untick "active"."""

    list_display = ["customer", "weekday", "window_start", "window_end", "is_active", "starts_on", "last_generated_for"]
    list_filter = ["is_active", "weekday"]
    search_fields = ["customer__code", "customer__name"]
    autocomplete_fields = ["customer"]
    fields = list(REPEAT_FIELDS) + ["last_generated_for"]
    readonly_fields = ["last_generated_for"]
    inlines = [RepeatOrderLineInline]
    service_check = staticmethod(repeat_order_check)

    def has_add_permission(self, request):
        return _dispatcher(request)

    def has_change_permission(self, request, obj=None):
        return _dispatcher(request)

    def has_view_permission(self, request, obj=None):
        return _dispatcher(request)

    def has_module_permission(self, request):
        return _dispatcher(request)

    def save_model(self, request, obj, form, change):
        """Deferred to ``save_related``: the repeat order and its lines are one service call."""

    def save_related(self, request, form, formsets, change):
        [lines] = [f for f in formsets if f.model is RepeatOrderLine]
        kept = [
            row.cleaned_data
            for row in lines.forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE") and row.cleaned_data.get("cylinder_type")
        ]
        data = {name: form.cleaned_data[name] for name in REPEAT_FIELDS if name in form.cleaned_data}
        saved = repeat_order_save(
            actor=request.user,
            repeat=form.instance if change else None,
            data=data,
            lines=[{"cylinder_type": x["cylinder_type"], "quantity": x["quantity"]} for x in kept],
        )
        copy_saved(saved, form.instance)
        lines.new_objects, lines.changed_objects, lines.deleted_objects = [], [], []
