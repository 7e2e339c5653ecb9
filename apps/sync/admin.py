from django.contrib import admin, messages

from apps.accounts.enums import Role
from apps.accounts.permissions import role_of
from apps.core.admin import ReadOnlyAdmin
from apps.core.exceptions import ApplicationError
from apps.sync.enums import next_step
from apps.sync.models import Device, RejectedEvent
from apps.sync.services import device_revoke


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


@admin.register(Device)
class DeviceAdmin(SupervisorReadOnlyAdmin):
    list_display = ["name", "user", "created_at", "revoked_at", "revoked_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__email", "user__name", "id"]
    readonly_fields = ["id", "user", "name", "public_key_jwk", "created_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    @admin.action(description="Revoke selected devices (their events will be rejected)")
    def revoke(self, request, queryset):
        done = 0
        for device in queryset.order_by("pk"):
            try:
                device_revoke(actor=request.user, device=device, request=request)
            except ApplicationError as exc:
                self.message_user(request, str(exc.detail), messages.ERROR)
                return
            done += 1
        self.message_user(request, f"{done} device(s) revoked.", messages.SUCCESS)


@admin.register(RejectedEvent)
class RejectedEventAdmin(SupervisorReadOnlyAdmin):
    list_display = ["created_at", "user", "event_type", "code", "what_to_do", "occurred_at", "resolved_at"]
    # no date_hierarchy: on MySQL without time-zone tables it cannot truncate datetimes
    list_filter = ["code", "event_type", ("resolved_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["event_id", "user__email", "user__name", "detail"]
    readonly_fields = [
        "event_id", "event_type", "occurred_at", "user", "device", "code", "detail", "what_to_do",
        "payload", "extra", "created_at", "resolved_at",
    ]  # fmt: skip

    @admin.display(description="Next step")
    def what_to_do(self, obj: RejectedEvent) -> str:
        return next_step(obj.code)
