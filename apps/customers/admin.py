from django.contrib import admin

from apps.core.admin import AuditedAdminMixin
from apps.customers.models import Customer
from apps.customers.services import customer_create, customer_hours_check, customer_update


@admin.register(Customer)
class CustomerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "postal_code",
        "payment_terms",
        "credit_term_days",
        "phone",
        "receiving_from",
        "receiving_until",
        "is_active",
    ]
    list_filter = ["kind", "payment_terms", "is_active"]
    search_fields = ["code", "name", "site_address", "postal_code", "uen", "email"]
    service_check = staticmethod(customer_hours_check)

    def service_create(self, request, obj, form, data):
        return customer_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return customer_update(actor=request.user, customer=obj, data=data)
