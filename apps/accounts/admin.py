from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserCreationForm

from apps.accounts.models import User
from apps.accounts.services import user_deactivate, user_tokens_revoke
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record


class AdminUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name", "role"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "role", "password1", "password2"]})]

    def has_delete_permission(self, request, obj=None):
        return False  # people leave: deactivate them, their history stays

    def save_model(self, request, obj, form, change):
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            user_deactivate(actor=request.user, user=obj, request=request)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was valid and saved
            user = User.objects.get(pk=id)
            revoked = user_tokens_revoke(user=user)
            audit_record(
                action=AuditAction.PASSWORD_CHANGED,
                user=request.user,
                entity_type="accounts.user",
                entity_id=user.pk,
                after={"refresh_tokens_revoked": revoked, "by_admin": True},
                request=request,
            )
        return response
