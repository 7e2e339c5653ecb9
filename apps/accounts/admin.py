from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import PasswordChangeForm, UserCreationForm
from django.http import HttpResponseRedirect
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.services import USER_FIELDS, user_create, user_password_change, user_update
from apps.core.admin import AuditedAdminMixin
from apps.core.exceptions import ApplicationError


class AdminUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name", "role"]


class AuditedPasswordChangeForm(PasswordChangeForm):
    """The admin site's own "change my password" page, through the service:
    audited (never the password) and every refresh token revoked."""

    def save(self, commit=True):
        return user_password_change(
            actor=self.user,
            user=self.user,
            new_password=self.cleaned_data["new_password1"],
            old_password=self.cleaned_data["old_password"],
        )


admin.site.password_change_form = AuditedPasswordChangeForm


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    """Users are created, changed, deactivated and given passwords through
    apps.accounts.services, each write audited. Roles, not Django's groups
    and per-model permissions, decide access: those fields are not shown."""

    add_form = AdminUserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "employee_id", "role", "depot", "vehicle", "is_active", "last_login"]
    list_filter = ["role", "is_active", "depot"]
    search_fields = ["email", "name", "employee_id"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["name", "employee_id", "phone"]}),
        ("Role", {"fields": ["role", "depot", "vehicle"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "role", "password1", "password2"]})]

    def has_delete_permission(self, request, obj=None):
        return False  # people leave: deactivate them, their history stays

    def service_create(self, request, obj, form, data):
        data = {name: value for name, value in data.items() if name in USER_FIELDS}
        return user_create(actor=request.user, password=form.cleaned_data.get("password1"), data=data)

    def service_update(self, request, obj, form, data):
        data = {name: value for name, value in data.items() if name in USER_FIELDS}
        return user_update(actor=request.user, user=obj, data=data)

    def user_change_password(self, request, id, form_url=""):
        """A valid POST sets the password through ``user_password_change``
        (audited, refresh tokens revoked); the page itself, an invalid form
        and the refusals are Django's."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            return super().user_change_password(request, id, form_url)  # its 404 / 403
        form = self.change_password_form(user, request.POST)
        if not form.is_valid():
            return super().user_change_password(request, id, form_url)  # the form with its errors
        usable = form.cleaned_data.get("set_usable_password", True)
        if not usable and "unset-password" not in request.POST:
            return super().user_change_password(request, id, form_url)  # Django's "conflicting form data"
        try:
            user = user_password_change(
                actor=request.user,
                user=user,
                new_password=form.cleaned_data["password1"] if usable else None,
                by_admin_form=True,
                request=request,
            )
        except ApplicationError as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        self.log_change(request, user, self.construct_change_message(request, form, None))
        message = "Password changed successfully." if usable else "Password-based authentication was disabled."
        self.message_user(request, message, messages.SUCCESS)
        update_session_auth_hash(request, user)
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:accounts_user_change", args=(user.pk,)))
