from datetime import timedelta

from django.contrib import admin
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.core.admin import AuditedAdminMixin, ReadOnlyAdmin
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.depots import services as depot_services
from apps.depots.models import Equipment
from apps.inventory import admin_views
from apps.inventory.models import EquipmentMove, Location, StockBalance, StockDocument, StockMove

RETEST_SOON_DAYS = 30


class RetestDueFilter(admin.SimpleListFilter):
    """Cylinders past their hydrostatic retest date, or due within 30 days."""

    title = "retest due"
    parameter_name = "retest"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("soon", f"Next {RETEST_SOON_DAYS} days"), ("none", "No date")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(next_inspection_due__lt=today)
        if self.value() == "soon":
            return queryset.filter(
                next_inspection_due__gte=today, next_inspection_due__lte=today + timedelta(days=RETEST_SOON_DAYS)
            )
        if self.value() == "none":
            return queryset.filter(next_inspection_due__isnull=True)
        return queryset


class LocationDepotFilter(admin.SimpleListFilter):
    """Where a cylinder is now: at a depot or on one of its vehicles."""

    title = "now at depot"
    parameter_name = "at_depot"

    def lookups(self, request, model_admin):
        from apps.depots.selectors import depot_list

        return [(str(d.pk), str(d)) for d in depot_list(user=request.user)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            depot_id = int(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(location__depot_id=depot_id) | queryset.filter(location__vehicle__home_depot_id=depot_id)


class EquipmentMoveInline(admin.TabularInline):
    """A serial's history, read-only."""

    model = EquipmentMove
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-id"]
    fields = ["occurred_at", "movement", "from_location", "to_location", "state", "document"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stock_move", "from_location", "to_location")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="movement")
    def movement(self, obj):
        return obj.stock_move.get_movement_type_display()

    @admin.display(description="document")
    def document(self, obj):
        return f"{obj.stock_move.document_type} #{obj.stock_move.document_id}"


@admin.register(Equipment)
class EquipmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Serialised assets: where each one is (kept by the stock posting
    service, read-only here) and when its hydrostatic retest is due."""

    list_display = [
        "serial_number", "cylinder_type", "location", "state", "located_since", "next_inspection_due",
        "retest_status", "status", "depot",
    ]  # fmt: skip
    list_filter = [RetestDueFilter, "depot", LocationDepotFilter, "cylinder_type", "state", "status", "ownership"]
    list_select_related = ["cylinder_type", "location", "depot"]
    search_fields = ["serial_number"]
    readonly_fields = ["location", "state", "located_since"]
    inlines = [EquipmentMoveInline]

    @admin.display(description="retest", ordering="next_inspection_due")
    def retest_status(self, obj):
        due = obj.next_inspection_due
        if due is None:
            return "-"
        days = (due - timezone.localdate()).days
        if days < 0:
            return format_html('<strong style="color:#b00">overdue {} d</strong>', -days)
        if days <= RETEST_SOON_DAYS:
            return format_html('<span style="color:#a60">due in {} d</span>', days)
        return "ok"

    def service_create(self, request, obj, form, data):
        return depot_services.equipment_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return depot_services.equipment_update(actor=request.user, equipment=obj, data=data)


@admin.register(EquipmentMove)
class EquipmentMoveAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "equipment", "stock_move", "from_location", "to_location", "state"]
    list_filter = ["state"]
    search_fields = ["equipment__serial_number"]
    list_select_related = ["equipment", "stock_move", "from_location", "to_location"]


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "name", "is_virtual"]
    list_filter = ["kind", "is_virtual"]
    search_fields = ["name"]


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["location", "cylinder_type", "full_qty", "empty_qty", "updated_at"]
    list_filter = ["location__kind", "cylinder_type"]
    search_fields = ["location__name"]
    change_list_template = "admin/inventory/stockbalance/change_list.html"

    def get_urls(self):
        return [
            path("overview/", self.admin_site.admin_view(self.overview), name="inventory_stock_overview")
        ] + super().get_urls()

    def overview(self, request):
        """Stock per depot and truck at a glance (admin_views.stock_overview)."""
        return admin_views.stock_overview(self, request)


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "recorded_at", "movement_type", "cylinder_type", "state", "quantity",
        "from_location", "to_location", "document_type", "document_id", "created_by",
    ]  # fmt: skip
    list_filter = ["movement_type", "state", "cylinder_type", "document_type"]
    search_fields = ["from_location__name", "to_location__name", "document_id"]
    list_select_related = ["cylinder_type", "from_location", "to_location", "created_by"]


@admin.register(StockDocument)
class StockDocumentAdmin(ReadOnlyAdmin):
    """Documents are recorded through ``stock_document_create`` (the add page
    offers only the kinds the role may use) and corrected through a reversal
    confirmation page with a mandatory reason; never edited."""

    list_display = ["number", "kind", "occurred_at", "created_by", "reason", "reference", "reverse_link"]
    list_filter = ["kind"]
    search_fields = ["number", "reason", "reference"]
    change_form_template = "admin/inventory/stockdocument/change_form.html"

    def has_add_permission(self, request):
        return request.user.is_active and role_of(request.user) in admin_views.DOCUMENT_ROLES

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/reverse/",
                view(lambda request, object_id: admin_views.stock_document_reverse_page(self, request, object_id)),
                name="inventory_stockdocument_reverse",
            ),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.stock_document_add(self, request)

    def may_reverse(self, request, document) -> bool:
        from apps.inventory.enums import StockDocumentKind

        return role_of(request.user) in (Role.ADMIN, Role.SUPERVISOR) and document.kind != StockDocumentKind.REVERSAL

    @admin.display(description="Reverse")
    def reverse_link(self, document):
        from apps.inventory.enums import StockDocumentKind

        if document.kind == StockDocumentKind.REVERSAL:
            return ""
        url = reverse("admin:inventory_stockdocument_reverse", args=[document.pk])
        return format_html('<a href="{}">Reverse…</a>', url)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if role_of(request.user) not in (Role.ADMIN, Role.SUPERVISOR):
            columns.remove("reverse_link")
        return columns

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self.get_object(request, object_id)
        extra = {"may_reverse": bool(document and self.may_reverse(request, document))}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})
