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

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from apps.accounts.enums import Role
from apps.core.models import IdempotencyRecord

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
    "inventory.location": {S: VIEW, D: VIEW},
    "inventory.stockbalance": {S: VIEW, D: VIEW},
    "inventory.stockmove": {S: VIEW, D: VIEW},
    "inventory.stockdocument": {S: CHANGE, D: CHANGE},
    "distribution.distributionheader": {S: VIEW, D: VIEW},
    "distribution.delivery": {S: VIEW},
    "billing.*": {S: VIEW, F: VIEW},
    "billing.sequence": {S: VIEW, F: VIEW},
    "orders.*": {S: CHANGE},
    "sync.*": {S: VIEW},
    # finance back office (issue 11): receivables, ageing/exports pages, e-mail log
    "finance.*": {F: VIEW, Role.AUDITOR: VIEW},
}

# Row scoping for non-admin roles: the API's selectors (dotted path, called
# with user=...). Models without an entry are not scoped (master data).
ADMIN_SCOPES: dict[str, str] = {
    "depots.vehicle": "apps.depots.selectors.vehicle_list",
    "depots.equipment": "apps.depots.selectors.equipment_list",
    "customers.customer": "apps.customers.selectors.customer_list",
    "inventory.stockbalance": "apps.inventory.selectors.stock_balance_list",
    "inventory.stockmove": "apps.inventory.selectors.stock_move_list",
    "inventory.stockdocument": "apps.inventory.selectors.stock_document_list",
    "distribution.distributionheader": "apps.distribution.selectors.distribution_list",
    "distribution.delivery": "apps.distribution.deliveries_selectors.delivery_list",
    "billing.invoice": "apps.billing.selectors.invoice_list",
    "billing.creditnote": "apps.billing.selectors.credit_note_list",
    "audit.auditlog": "apps.audit.selectors.audit_log_list",
    "finance.emaillog": "apps.finance.selectors.email_log_list",
}


def admin_level(user, model) -> str | None:
    """FULL for admins, VIEW/CHANGE per the policy, None: no access at all."""
    from apps.accounts.permissions import role_of

    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return None
    role = role_of(user)
    if role == Role.ADMIN:
        return FULL
    label = model._meta.label_lower
    rules = ADMIN_POLICY.get(label, ADMIN_POLICY.get(f"{model._meta.app_label}.*", {}))
    return rules.get(role)


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


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "scope", "user", "status_code", "created_at"]
    list_filter = ["scope"]
    search_fields = ["key"]
