from django.contrib import admin

from apps.core.admin import AuditedAdminMixin, form_data
from apps.depots import services
from apps.depots.models import CylinderType, Depot, Vehicle, VehicleCapacity


@admin.register(Depot)
class DepotAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "address", "postal_code", "admin", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "address"]

    def service_create(self, request, obj, form, data):
        return services.depot_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.depot_update(actor=request.user, depot=obj, data=data)


class VehicleCapacityInline(admin.TabularInline):
    """Saved row by row through the audited services (``VehicleAdmin.save_formset``);
    never deleted: a type no longer carried gets 0."""

    model = VehicleCapacity
    fields = ["cylinder_type", "max_qty"]
    extra = 0
    can_delete = False


@admin.register(Vehicle)
class VehicleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["plate_number", "home_depot", "max_load_kg", "shift_start", "shift_end", "description", "is_active"]
    list_filter = ["is_active", "home_depot"]
    search_fields = ["plate_number"]
    fields = ["plate_number", "home_depot", "description", "max_load_kg", "shift_start", "shift_end", "is_active"]
    inlines = [VehicleCapacityInline]

    def service_create(self, request, obj, form, data):
        return services.vehicle_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.vehicle_update(actor=request.user, vehicle=obj, data=data)

    def save_formset(self, request, form, formset, change):
        """The capacities through ``vehicle_capacity_create`` / ``_update``
        (one audit row each), never ``formset.save()``."""
        if formset.model is not VehicleCapacity:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data:
                continue
            capacity = row.instance
            if capacity.pk is None:
                data = {**form_data(capacity, row, ["cylinder_type", "max_qty"]), "vehicle": form.instance}
                saved = services.vehicle_capacity_create(actor=request.user, data=data)
                formset.new_objects.append(saved)
            else:
                data = form_data(capacity, row, row.changed_data)
                saved = services.vehicle_capacity_update(actor=request.user, capacity=capacity, data=data)
                formset.changed_objects.append((saved, row.changed_data))
        return None


@admin.register(CylinderType)
class CylinderTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["sku", "name", "weight_kg", "tare_kg", "list_price", "serialised", "is_active"]
    list_filter = ["is_active", "serialised"]
    search_fields = ["sku", "name"]

    def service_create(self, request, obj, form, data):
        return services.cylinder_type_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.cylinder_type_update(actor=request.user, cylinder_type=obj, data=data)


# Equipment's admin is in apps/inventory/admin.py: it shows each serial's moves (EquipmentMove).
