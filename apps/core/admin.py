from django.contrib import admin

from apps.core.models import IdempotencyRecord


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
