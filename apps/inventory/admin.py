from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from apps.core.admin import ReadOnlyAdmin
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.inventory import admin_views
from apps.inventory.models import Location, StockBalance, StockDocument, StockMove


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
