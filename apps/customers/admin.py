from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from apps.core.admin import AuditedAdminMixin
from apps.core.exceptions import ApplicationError
from apps.customers.models import Customer
from apps.customers.services import contact_invite, customer_create, customer_hours_check, customer_update


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=150, required=False)


@admin.action(description="Invite a contact to the customer app (e-mail)")
def invite_contact(modeladmin, request, queryset):
    """Asks for the address on a page of its own, then ``contact_invite``
    (which refuses any role but admin, supervisor and finance)."""
    customers = list(queryset[:2])
    if len(customers) != 1:
        modeladmin.message_user(request, "Select exactly one customer to invite a contact for.", messages.ERROR)
        return None
    customer = customers[0]
    form = InviteForm(request.POST if "email" in request.POST else None)
    if form.is_valid():
        try:
            invite = contact_invite(actor=request.user, customer=customer, **form.cleaned_data)
        except ApplicationError as exc:
            modeladmin.message_user(request, str(exc.detail), messages.ERROR)
            return None
        modeladmin.message_user(request, f"Invite sent to {invite.contact.user.email}.", messages.SUCCESS)
        return None
    return TemplateResponse(
        request,
        "admin/customers/invite_contact.html",
        {**modeladmin.admin_site.each_context(request), "customer": customer, "form": form,
         "opts": modeladmin.model._meta, "title": f"Invite a contact of {customer}"},
    )  # fmt: skip


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
    actions = [invite_contact]

    def service_create(self, request, obj, form, data):
        return customer_create(actor=request.user, data=data)

    def service_update(self, request, obj, form, data):
        return customer_update(actor=request.user, customer=obj, data=data)
