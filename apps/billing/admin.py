from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from apps.billing import admin_views, services
from apps.billing.models import (
    CreditNote,
    CreditNoteLine,
    CustomerMeter,
    CustomerPrice,
    CylinderTypePrice,
    DepositHolding,
    DepositMove,
    DepositRate,
    GstRate,
    Invoice,
    InvoiceLine,
    MeterReading,
    Payment,
    ServiceItem,
    ServiceItemPrice,
)
from apps.core.admin import AuditedAdminMixin, CheckedModelForm, ReadOnlyAdmin, copy_saved, form_data
from apps.core.permissions import role_of


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
    """Issued invoices are never edited: payments and credit notes are
    recorded from this page through the billing services (which keep the
    totals and the audit true); the PDF is served by an authenticated view."""

    list_display = [
        "number", "issue_date", "customer_name", "deposit_total", "total", "amount_paid", "amount_credited", "status",
        "pdf_link",
    ]  # fmt: skip
    list_filter = ["status", "issue_date"]
    search_fields = ["number", "customer_name", "customer_uen"]
    date_hierarchy = "issue_date"
    # the stored file's name is not shown as a link: /media/ is never served
    readonly_fields = [f.name for f in Invoice._meta.fields if f.name != "pdf"] + ["pdf_link"]
    inlines = [InvoiceLineInline, PaymentInline]
    change_form_template = "admin/lpg/change_form_tools.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/pdf/", view(self.pdf_view), name="billing_invoice_pdf"),
            path("<path:object_id>/payment/", view(self.payment_view), name="billing_invoice_payment"),
            path("<path:object_id>/credit-note/", view(self.credit_note_view), name="billing_invoice_credit_note"),
        ] + super().get_urls()

    def pdf_view(self, request, object_id):
        return admin_views.invoice_pdf(self, request, object_id)

    def payment_view(self, request, object_id):
        return admin_views.payment_add(self, request, object_id)

    def credit_note_view(self, request, object_id):
        return admin_views.credit_note_add(self, request, object_id)

    @admin.display(description="PDF")
    def pdf_link(self, invoice):
        url = reverse("admin:billing_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}" class="invoice-pdf">{}.pdf</a>', url, invoice.number)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invoice = self.get_object(request, object_id)
        tools = []
        if invoice is not None:
            tools.append((reverse("admin:billing_invoice_pdf", args=[invoice.pk]), "Tax invoice PDF"))
            if role_of(request.user) in admin_views.OFFICE and invoice.amount_due > 0:
                tools.append((reverse("admin:billing_invoice_payment", args=[invoice.pk]), "Record a payment"))
                tools.append((reverse("admin:billing_invoice_credit_note", args=[invoice.pk]), "Issue a credit note"))
        extra = {**(extra_context or {}), "extra_tools": tools}
        return super().change_view(request, object_id, form_url, extra)


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


# -- prices and master data: editable by admins, through the services ----------


@admin.register(GstRate)
class GstRateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A rate in force on an invoiced day is fixed: the form refuses the
    change (billing.services.gst_rate_check); a new rate is a new dated row."""

    list_display = ["valid_from", "rate"]
    service_check = staticmethod(services.gst_rate_check)

    def service_create(self, request, obj, form, data):
        return services.gst_rate_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.gst_rate_update(actor=request.user, gst_rate=obj, data=data)


@admin.register(CylinderTypePrice)
class CylinderTypePriceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["cylinder_type", "valid_from", "price"]
    list_filter = ["cylinder_type"]
    service_check = staticmethod(services.cylinder_type_price_check)

    def service_create(self, request, obj, form, data):
        return services.cylinder_type_price_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.cylinder_type_price_update(actor=request.user, price=obj, data=data)


@admin.register(DepositRate)
class DepositRateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Deposit per cylinder, dated like the prices and fixed the same way
    once a deposit of the type is invoiced on or after it."""

    list_display = ["cylinder_type", "valid_from", "amount"]
    list_filter = ["cylinder_type"]
    service_check = staticmethod(services.deposit_rate_check)

    def service_create(self, request, obj, form, data):
        return services.deposit_rate_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.deposit_rate_update(actor=request.user, rate=obj, data=data)


@admin.register(DepositHolding)
class DepositHoldingAdmin(ReadOnlyAdmin):
    """Deposits each customer holds per cylinder type (kept by the deliveries)."""

    list_display = ["customer", "cylinder_type", "units", "amount", "updated_at"]
    list_filter = ["cylinder_type"]
    search_fields = ["customer__name", "customer__code"]


@admin.register(DepositMove)
class DepositMoveAdmin(ReadOnlyAdmin):
    """The deposit ledger: charges (on invoices) and refunds (on credit notes)."""

    list_display = ["occurred_at", "customer", "cylinder_type", "units", "amount", "invoice_line", "credit_note_line"]
    list_filter = ["cylinder_type"]
    search_fields = ["customer__name", "customer__code"]


@admin.register(CustomerPrice)
class CustomerPriceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["customer", "cylinder_type", "valid_from", "price"]
    list_filter = ["cylinder_type"]
    search_fields = ["customer__name", "customer__code"]
    autocomplete_fields = ["customer"]
    service_check = staticmethod(services.customer_price_check)

    def service_create(self, request, obj, form, data):
        return services.customer_price_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.customer_price_update(actor=request.user, price=obj, data=data)


class ServiceItemPriceForm(CheckedModelForm):
    service_check = staticmethod(services.service_item_price_check)

    class Meta:
        model = ServiceItemPrice
        fields = ["valid_from", "price"]


class ServiceItemPriceInline(admin.TabularInline):
    model = ServiceItemPrice
    form = ServiceItemPriceForm
    extra = 1
    can_delete = False


@admin.register(ServiceItem)
class ServiceItemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    inlines = [ServiceItemPriceInline]

    def service_create(self, request, obj, form, data):
        return services.service_item_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.service_item_update(actor=request.user, service_item=obj, data=data)

    def save_formset(self, request, form, formset, change):
        """The price rows through their services, one audited write each."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed():
                continue
            price = row.instance
            if price.pk is None or price._state.adding:
                data = {**form_data(price, row, row.fields), "service_item": form.instance}
                saved = services.service_item_price_create(actor=request.user, data=data)
                formset.new_objects.append(saved)
            else:
                changed = [name for name in row.changed_data if name in ("valid_from", "price")]
                saved = services.service_item_price_update(
                    actor=request.user, price=price, data=form_data(price, row, changed)
                )
                formset.changed_objects.append((saved, changed))
            copy_saved(saved, price)


@admin.register(CustomerMeter)
class CustomerMeterAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["customer", "serial_number", "unit", "unit_rate", "is_active"]
    search_fields = ["customer__name", "serial_number"]
    autocomplete_fields = ["customer"]

    def service_create(self, request, obj, form, data):
        return services.customer_meter_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return services.customer_meter_update(actor=request.user, meter=obj, data=data)
