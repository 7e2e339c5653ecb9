from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin
from apps.distribution.models import DistributionHeader, DistributionItem


class DistributionItemInline(admin.TabularInline):
    model = DistributionItem
    extra = 0
    can_delete = False
    readonly_fields = ["depot", "cylinder_type", "quantity", "movement_type"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DistributionHeader)
class DistributionHeaderAdmin(ReadOnlyAdmin):
    list_display = ["number", "occurred_at", "driver", "vehicle", "total_collection", "total_return", "status"]
    list_filter = ["status", "vehicle"]
    search_fields = ["number", "driver__name", "vehicle__plate_number"]
    inlines = [DistributionItemInline]
    readonly_fields = [f.name for f in DistributionHeader._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False
