from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin
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


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "recorded_at", "movement_type", "cylinder_type", "state", "quantity",
        "from_location", "to_location", "document_type", "document_id", "created_by",
    ]  # fmt: skip
    list_filter = ["movement_type", "state", "cylinder_type", "document_type"]
    search_fields = ["from_location__name", "to_location__name", "document_id"]
    date_hierarchy = "recorded_at"


@admin.register(StockDocument)
class StockDocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "occurred_at", "created_by", "reason", "reference"]
    list_filter = ["kind"]
    search_fields = ["number", "reason", "reference"]
