from django.contrib import admin

from apps.billing.admin import ReadOnlyInline
from apps.core.admin import ReadOnlyAdmin
from apps.deliveries.models import Delivery, DeliveryLine


class DeliveryLineInline(ReadOnlyInline):
    model = DeliveryLine
    fields = ["cylinder_type", "delivered_full", "returned_empty"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "customer", "vehicle", "driver", "invoice", "payment_method"]
    list_filter = ["payment_method", "vehicle"]
    search_fields = ["invoice__number", "customer__name", "vehicle__plate_number"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryLineInline]
