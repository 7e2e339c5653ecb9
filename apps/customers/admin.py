from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from apps.core.admin import AuditedAdminMixin
from apps.core.exceptions import ApplicationError
from apps.customers.models import Customer, CustomerContact
from apps.customers.services import (
    contact_correct,
    contact_invite,
    customer_create,
    customer_hours_check,
    customer_update,
)


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


class ContactCorrectForm(forms.ModelForm):
    """The office's correction of a contact's details: the login's name,
    e-mail and phone (saved by ``contact_correct``, audited before/after)."""

    name = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254, help_text="The contact signs in with this address.")
    phone = forms.CharField(max_length=32, required=False)

    class Meta:
        model = CustomerContact
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            user = self.instance.user
            self.initial.update(name=user.name, email=user.email, phone=user.phone)


@admin.register(CustomerContact)
class CustomerContactAdmin(admin.ModelAdmin):
    """Contacts are made by the invite (the customers list's action); here
    the office corrects what a contact asks it to correct. No add, no delete."""

    form = ContactCorrectForm
    list_display = ["id", "customer", "contact_name", "contact_email", "notify_orders", "created_at"]
    list_select_related = ["customer", "user"]
    search_fields = ["user__email", "user__name", "customer__code", "customer__name"]
    readonly_fields = ["customer", "notify_orders", "invited_by", "created_at"]
    fields = ["customer", "name", "email", "phone", "notify_orders", "invited_by", "created_at"]

    @admin.display(description="name")
    def contact_name(self, obj):
        return obj.user.name

    @admin.display(description="e-mail")
    def contact_email(self, obj):
        return obj.user.email

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ("name", "email", "phone") if k in form.changed_data}
        if data:
            contact_correct(actor=request.user, contact=obj, data=data)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:  # rolled back: ModelAdmin's transaction wraps the page
            self.message_user(request, str(exc.detail), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
