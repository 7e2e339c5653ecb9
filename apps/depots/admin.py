from django.contrib import admin

from apps.depots.models import CylinderType, Depot, Equipment, Vehicle


@admin.register(Depot)
class DepotAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address", "postal_code", "admin", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "address"]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["plate_number", "home_depot", "description", "is_active"]
    list_filter = ["is_active", "home_depot"]
    search_fields = ["plate_number"]


@admin.register(CylinderType)
class CylinderTypeAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "weight_kg", "list_price", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["sku", "name"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["serial_number", "kind", "cylinder_type", "status", "ownership", "depot", "next_inspection_due"]
    list_filter = ["status", "ownership", "kind", "depot"]
    search_fields = ["serial_number"]
