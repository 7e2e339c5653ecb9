from django.contrib import admin

from apps.core.admin import AuditedAdminMixin
from apps.depots import services
from apps.depots.models import CylinderType, Depot, Vehicle


@admin.register(Depot)
class DepotAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "address", "postal_code", "admin", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "address"]

    def service_create(self, request, obj, form, data):
        return services.depot_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.depot_update(actor=request.user, depot=obj, data=data)


@admin.register(Vehicle)
class VehicleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["plate_number", "home_depot", "description", "is_active"]
    list_filter = ["is_active", "home_depot"]
    search_fields = ["plate_number"]

    def service_create(self, request, obj, form, data):
        return services.vehicle_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.vehicle_update(actor=request.user, vehicle=obj, data=data)


@admin.register(CylinderType)
class CylinderTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["sku", "name", "weight_kg", "list_price", "serialised", "is_active"]
    list_filter = ["is_active", "serialised"]
    search_fields = ["sku", "name"]

    def service_create(self, request, obj, form, data):
        return services.cylinder_type_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.cylinder_type_update(actor=request.user, cylinder_type=obj, data=data)


# Equipment's admin is in apps/inventory/admin.py: it shows each serial's moves (EquipmentMove).
