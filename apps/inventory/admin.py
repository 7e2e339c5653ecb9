from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.core.admin import ReadOnlyAdmin
from apps.core.exceptions import ApplicationError
from apps.depots.models import CylinderType
from apps.inventory.enums import LocationKind
from apps.inventory.forms import StockDocumentForm
from apps.inventory.models import Location, StockBalance, StockDocument, StockMove
from apps.inventory.selectors import balance_drift
from apps.inventory.services import stock_document_create, stock_document_reverse


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
        """Stock per depot and vehicle at a glance: full/empty per type, and
        whether the balances agree with the ledger."""
        types = list(CylinderType.objects.filter(is_active=True))
        grid: dict[int, dict] = {}
        for row in StockBalance.objects.filter(
            location__kind__in=[LocationKind.DEPOT, LocationKind.VEHICLE]
        ).select_related("location"):
            grid.setdefault(row.location_id, {"location": row.location, "cells": {}})["cells"][row.cylinder_type_id] = (
                row
            )
        rows = []
        for entry in sorted(grid.values(), key=lambda e: (e["location"].kind, e["location"].name)):
            cells = [entry["cells"].get(t.pk) for t in types]
            rows.append(
                {"location": entry["location"], "cells": [(c.full_qty, c.empty_qty) if c else (0, 0) for c in cells]}
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Stock at a glance",
            "types": types,
            "rows": rows,
            "drift": balance_drift(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/inventory/overview.html", context)


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
    list_display = ["number", "kind", "occurred_at", "created_by", "reason", "reference"]
    list_filter = ["kind"]
    search_fields = ["number", "reason", "reference"]
    actions = ["reverse_documents"]

    def has_add_permission(self, request):
        return request.user.is_active and request.user.role in ("admin", "supervisor", "depot_staff")

    def add_view(self, request, form_url="", extra_context=None):
        """Receipts, dumps, transfers, adjustments, write-offs through the service."""
        form = StockDocumentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = {
                k: form.cleaned_data.get(k) for k in ("kind", "depot", "to_depot", "location", "reason", "reference")
            }
            try:
                document = stock_document_create(actor=request.user, lines=form.lines(), **data)
            except ApplicationError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, f"Recorded {document.number}.")
                return redirect(reverse("admin:inventory_stockdocument_change", args=[document.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a stock document",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/inventory/stock_document_form.html", context)

    @admin.action(description="Reverse the selected documents (compensating moves)")
    def reverse_documents(self, request, queryset):
        for document in queryset:
            try:
                reversal = stock_document_reverse(
                    actor=request.user,
                    document_type="inventory.stockdocument",
                    document_id=document.pk,
                    reason=f"Reversed from the admin by {request.user.email}",
                )
            except ApplicationError as exc:
                messages.error(request, f"{document}: {exc.detail}")
            else:
                messages.success(request, f"{document} reversed by {reversal.number}.")
