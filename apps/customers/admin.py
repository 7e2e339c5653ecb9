from django.contrib import admin

from apps.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "postal_code", "payment_terms", "credit_term_days", "phone", "is_active"]
    list_filter = ["kind", "payment_terms", "is_active"]
    search_fields = ["code", "name", "site_address", "postal_code", "uen", "email"]
