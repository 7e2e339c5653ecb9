from django.contrib import admin

from apps.billing.models import (
    CreditNote,
    CreditNoteLine,
    CustomerMeter,
    CustomerPrice,
    CylinderTypePrice,
    GstRate,
    Invoice,
    InvoiceLine,
    MeterReading,
    Payment,
    Sequence,
    ServiceItem,
    ServiceItemPrice,
)
from apps.core.admin import ReadOnlyAdmin
from apps.distribution.models import Delivery, DeliveryLine


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    """Visible, never editable: a number changed by hand would break gaplessness."""

    list_display = ["slug", "current_value", "format_string", "updated_at"]
    search_fields = ["slug"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# -- history: read-only ------------------------------------------------------------


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["position", "kind", "description", "quantity", "unit_price", "amount"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["amount", "method", "reference", "received_at", "recorded_by"]
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Issued invoices are never edited here: payments and credit notes go
    through the API (services), which keeps the totals and audit true."""

    list_display = ["number", "issue_date", "customer_name", "total", "amount_paid", "amount_credited", "status"]
    list_filter = ["status", "issue_date"]
    search_fields = ["number", "customer_name", "customer_uen"]
    date_hierarchy = "issue_date"
    readonly_fields = [f.name for f in Invoice._meta.fields]
    inlines = [InvoiceLineInline, PaymentInline]


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = ["invoice_line", "description", "quantity", "unit_price", "amount"]
    readonly_fields = fields


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "issue_date", "invoice", "total", "reason"]
    search_fields = ["number", "invoice__number"]
    readonly_fields = [f.name for f in CreditNote._meta.fields]
    inlines = [CreditNoteLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "amount", "method", "reference", "received_at", "recorded_by"]
    list_filter = ["method"]
    search_fields = ["invoice__number", "reference"]


@admin.register(MeterReading)
class MeterReadingAdmin(ReadOnlyAdmin):
    list_display = ["meter", "reading", "previous_reading", "consumption", "is_replacement", "read_at", "recorded_by"]
    list_filter = ["is_replacement"]
    search_fields = ["meter__serial_number", "meter__customer__name"]


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


# -- prices and master data: editable by admins ----------------------------------


@admin.register(GstRate)
class GstRateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "rate"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CylinderTypePrice)
class CylinderTypePriceAdmin(admin.ModelAdmin):
    list_display = ["cylinder_type", "valid_from", "price"]
    list_filter = ["cylinder_type"]


@admin.register(CustomerPrice)
class CustomerPriceAdmin(admin.ModelAdmin):
    list_display = ["customer", "cylinder_type", "valid_from", "price"]
    list_filter = ["cylinder_type"]
    search_fields = ["customer__name", "customer__code"]
    autocomplete_fields = ["customer"]


class ServiceItemPriceInline(admin.TabularInline):
    model = ServiceItemPrice
    extra = 1


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    inlines = [ServiceItemPriceInline]


@admin.register(CustomerMeter)
class CustomerMeterAdmin(admin.ModelAdmin):
    list_display = ["customer", "serial_number", "unit", "unit_rate", "is_active"]
    search_fields = ["customer__name", "serial_number"]
    autocomplete_fields = ["customer"]
