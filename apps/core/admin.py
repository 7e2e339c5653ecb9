"""The Django admin, restricted by role in one place.

``ADMIN_POLICY`` says which roles may see (``VIEW``) or work with (``CHANGE``)
each model's admin pages; a model not listed is for admins only. Non-admin
rows are scoped by the same selectors as the API (``ADMIN_SCOPES``), so depot
staff see their depot's stock in the admin exactly as in the API.
``apply_role_policy`` (called once at start-up, from AccountsConfig.ready)
wraps every registered ModelAdmin, its custom views and its inlines; each
ModelAdmin still decides what it allows on top (a read-only admin stays
read-only for everyone). Deleting is for admins only, and only where the
ModelAdmin allows it. Django's per-model permission table is not used."""

from importlib import import_module

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from apps.core.exceptions import ApplicationError
from apps.core.models import IdempotencyRecord, Sequence
from apps.core.permissions import role_of
from apps.core.roles import Role

# The company's name on every admin page (the office home: templates/admin/index.html, apps.core.admin_home).
admin.site.site_header = settings.COMPANY["name"]
admin.site.site_title = settings.COMPANY["name"]
admin.site.index_title = "Today"

VIEW, CHANGE, FULL = "view", "change", "full"
S, F, D = Role.SUPERVISOR, Role.FINANCE, Role.DEPOT_STAFF

# "app_label.model" or "app_label.*" -> {role: VIEW | CHANGE}
# Finance sees billing, customers and its own back office only (issue 11).
ADMIN_POLICY: dict[str, dict[str, str]] = {
    "audit.auditlog": {S: VIEW},
    "depots.depot": {S: VIEW, D: VIEW},
    "depots.vehicle": {S: VIEW, D: VIEW},
    "depots.cylindertype": {S: VIEW, D: VIEW},
    "depots.equipment": {S: VIEW, D: VIEW},
    "customers.customer": {S: VIEW, F: VIEW},
    # a contact's name, e-mail and phone, corrected by the office that invites (docs/customers.md)
    "customers.customercontact": {S: CHANGE, F: CHANGE},
    "inventory.location": {S: VIEW, D: VIEW},
    "inventory.stockbalance": {S: VIEW, D: VIEW},
    "inventory.stockmove": {S: VIEW, D: VIEW},
    "inventory.equipmentmove": {S: VIEW, D: VIEW},
    "inventory.stockdocument": {S: CHANGE, D: CHANGE},
    "distribution.distributionheader": {S: VIEW, D: VIEW},
    "deliveries.delivery": {S: VIEW},
    "billing.*": {S: VIEW, F: VIEW},
    "core.sequence": {S: VIEW},
    "orders.*": {S: CHANGE},
    # the day's plans (read-only; the board writes through the API), the load sheets for the depot
    "dispatch.*": {S: VIEW, D: VIEW, Role.AUDITOR: VIEW},
    "sync.*": {S: VIEW},
    # finance back office (issue 11): receivables, ageing/exports pages, e-mail log
    "finance.*": {F: VIEW, Role.AUDITOR: VIEW},
    # InvoiceNow e-invoices (issue 24): read-only, downloads and the period ZIP
    "einvoice.*": {F: VIEW, Role.AUDITOR: VIEW},
}

# Row scoping for non-admin roles: the API's selectors (dotted path, called
# with user=...). Models without an entry are not scoped (master data).
ADMIN_SCOPES: dict[str, str] = {
    "depots.vehicle": "apps.depots.selectors.vehicle_list",
    "depots.equipment": "apps.depots.selectors.equipment_list",
    "customers.customer": "apps.customers.selectors.customer_list",
    "inventory.stockbalance": "apps.inventory.selectors.stock_balance_list",
    "inventory.stockmove": "apps.inventory.selectors.stock_move_list",
    "inventory.equipmentmove": "apps.inventory.selectors.equipment_move_list",
    "inventory.stockdocument": "apps.inventory.selectors.stock_document_list",
    "distribution.distributionheader": "apps.distribution.selectors.distribution_list",
    "deliveries.delivery": "apps.deliveries.selectors.delivery_list",
    "billing.invoice": "apps.billing.selectors.invoice_list",
    "billing.creditnote": "apps.billing.selectors.credit_note_list",
    "audit.auditlog": "apps.audit.selectors.audit_log_list",
    "finance.emaillog": "apps.finance.selectors.email_log_list",
}


def admin_level(user, model) -> str | None:
    """FULL for admins, VIEW/CHANGE per the policy, None: no access at all."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return None
    role = role_of(user)
    if role == Role.ADMIN:
        return FULL
    label = model._meta.label_lower
    rules = ADMIN_POLICY.get(label, ADMIN_POLICY.get(f"{model._meta.app_label}.*", {}))
    return rules.get(role) if role is not None else None


def _scope(model, user, queryset):
    path = ADMIN_SCOPES.get(model._meta.label_lower)
    if not path:
        return queryset
    module, name = path.rsplit(".", 1)
    selector = getattr(import_module(module), name)
    return queryset.filter(pk__in=selector(user=user).values("pk"))


def _defaults(name: str):
    return {getattr(admin.ModelAdmin, name, None), getattr(admin.options.InlineModelAdmin, name, None)}


class RolePolicyMixin:
    """Mixed into every registered ModelAdmin by ``apply_role_policy``."""

    def _own(self, name: str, request, *args) -> bool:
        """What the ModelAdmin itself allows; Django's default hooks (which
        read the per-model permission table) count as 'allowed'."""
        base = type(self).__mro__[2]  # the wrapped ModelAdmin class
        method = getattr(base, name)
        if method in _defaults(name):
            return True
        return bool(method(self, request, *args))

    def has_module_permission(self, request):
        level = admin_level(request.user, self.model)
        return level is not None and self._own("has_module_permission", request)

    def has_view_permission(self, request, obj=None):
        level = admin_level(request.user, self.model)
        return level is not None and self._own("has_view_permission", request, obj)

    def has_change_permission(self, request, obj=None):
        level = admin_level(request.user, self.model)
        return level in (CHANGE, FULL) and self._own("has_change_permission", request, obj)

    def has_add_permission(self, request, *args):
        level = admin_level(request.user, self.model)
        return level in (CHANGE, FULL) and self._own("has_add_permission", request, *args)

    def has_delete_permission(self, request, obj=None):
        level = admin_level(request.user, self.model)
        return level == FULL and self._own("has_delete_permission", request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if admin_level(request.user, self.model) == FULL:
            return queryset
        return _scope(self.model, request.user, queryset)

    def get_inline_instances(self, request, obj=None):
        level = admin_level(request.user, self.model)
        if level == FULL:
            return super().get_inline_instances(request, obj)
        if level is None:
            return []
        instances = []
        for inline_class in self.get_inlines(request, obj):  # read-only for non-admins
            inline = inline_class(self.model, self.admin_site)
            if level == CHANGE and getattr(inline_class, "role_editable", False):
                # part of what the role changes (a repeat order's lines): the inline's own checks decide
                if not inline.has_add_permission(request, obj):
                    inline.max_num = 0
                instances.append(inline)
                continue
            inline.has_view_permission = lambda request, obj=None: True
            inline.has_add_permission = lambda request, obj=None: False
            inline.has_change_permission = lambda request, obj=None: False
            inline.has_delete_permission = lambda request, obj=None: False
            inline.max_num = 0
            instances.append(inline)
        return instances

    def get_urls(self):
        """Custom views (get_urls of the ModelAdmin) only check is_staff;
        every view of this ModelAdmin requires at least view access."""
        urls = super().get_urls()
        for pattern in urls:
            callback = getattr(pattern, "callback", None)
            if callback is not None:
                pattern.callback = self._guarded(callback)
        return urls

    def _guarded(self, view):
        def guarded(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                # not signed in to the admin: to the login page, as every admin page does
                return redirect_to_login(
                    request.get_full_path(), reverse("admin:login", current_app=self.admin_site.name)
                )
            if admin_level(user, self.model) is None:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.__name__ = getattr(view, "__name__", "view")
        guarded.__wrapped__ = view
        for attr in ("csrf_exempt", "login_required"):
            if hasattr(view, attr):
                setattr(guarded, attr, getattr(view, attr))
        return guarded


def apply_role_policy(site: admin.AdminSite | None = None) -> None:
    """Wrap every registered ModelAdmin with RolePolicyMixin (idempotent)."""
    site = site or admin.site
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if issubclass(cls, RolePolicyMixin):
            continue
        wrapped = type(f"RolePolicy{cls.__name__}", (RolePolicyMixin, cls), {"__module__": cls.__module__})
        site._registry[model] = wrapped(model, site)


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is never edited from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SupervisorReadOnlyAdmin(ReadOnlyAdmin):
    """Supervisors review these pages whatever Django permissions they hold."""

    def _reviewer(self, request) -> bool:
        return (
            request.user.is_active and request.user.is_staff and role_of(request.user) in (Role.ADMIN, Role.SUPERVISOR)
        )

    def has_view_permission(self, request, obj=None):
        return self._reviewer(request) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self._reviewer(request) or super().has_module_permission(request)


def form_data(obj, form, fields) -> dict:
    """The model fields among ``fields`` with the values the form put on ``obj``."""
    concrete = {f.name for f in obj._meta.concrete_fields}
    return {name: getattr(obj, name) for name in fields if name in concrete}


def copy_saved(saved, obj) -> None:
    """Make the admin's in-memory object the saved row (pk, defaults), as
    ModelAdmin.save_model would have left it."""
    for f in saved._meta.concrete_fields:
        setattr(obj, f.attname, getattr(saved, f.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class CheckedModelForm(forms.ModelForm):
    """A model form that runs the service's business check (``check(before,
    after)``, the same one the service runs under its lock) while validating,
    so a refusal is shown on the form instead of failing the save."""

    service_check = None

    def _post_clean(self):
        super()._post_clean()
        check = type(self).service_check
        if check is None or self.errors or not self.has_changed():
            return
        before = None
        if self.instance.pk is not None and not self.instance._state.adding:
            before = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
        try:
            check(before, self.instance)
        except ApplicationError as exc:
            self.add_error(None, str(exc.detail))


class AuditedAdminMixin:
    """Every write of this admin through the app's services: ``save_model``
    calls ``service_create`` / ``service_update`` (atomic, audited, with the
    fields the form changed), never ``obj.save()``. Nothing is deleted from
    it (deactivate, or add a dated row). A refusal that only the locked
    service can see rolls the whole page back and is shown as a message."""

    service_check = None  # check(before, after), shown on the form

    def service_create(self, request, obj, form, data):
        raise NotImplementedError

    def service_update(self, request, obj, form, data):
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        check = type(self).service_check
        if check is None:
            return form
        return type(form.__name__, (CheckedModelForm, form), {"service_check": staticmethod(check)})

    def save_model(self, request, obj, form, change):
        if change:
            data = form_data(obj, form, form.changed_data)
            saved = self.service_update(request, obj, form, data)
        else:
            data = form_data(obj, form, form.fields)
            saved = self.service_create(request, obj, form, data)
        copy_saved(saved, obj)

    def delete_model(self, request, obj):
        raise PermissionDenied

    def delete_queryset(self, request, queryset):
        raise PermissionDenied

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:  # rolled back: ModelAdmin's transaction wraps the page
            self.message_user(request, str(exc.detail), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "scope", "user", "status_code", "created_at"]
    list_filter = ["scope"]
    search_fields = ["key"]


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    """Visible, never editable: a number changed by hand would break gaplessness."""

    list_display = ["slug", "current_value", "format_string", "updated_at"]
    search_fields = ["slug"]
