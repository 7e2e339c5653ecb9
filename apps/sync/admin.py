from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from apps.core.admin import SupervisorReadOnlyAdmin
from apps.core.exceptions import ApplicationError
from apps.sync.enums import next_step
from apps.sync.models import Device, RejectedEvent
from apps.sync.services import device_revoke, rejected_event_resolve, rejected_event_retry


@admin.register(Device)
class DeviceAdmin(SupervisorReadOnlyAdmin):
    list_display = ["name", "user", "created_at", "revoked_at", "revoked_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__email", "user__name", "id"]
    readonly_fields = ["id", "user", "name", "public_key_jwk", "created_at", "revoked_at", "revoked_by"]
    actions = ["revoke", "revoke_and_sign_out"]

    def _revoke(self, request, queryset, *, revoke_sessions: bool) -> None:
        done = 0
        for device in queryset.order_by("pk"):
            try:
                device_revoke(actor=request.user, device=device, revoke_sessions=revoke_sessions, request=request)
            except ApplicationError as exc:
                self.message_user(request, str(exc.detail), messages.ERROR)
                return
            done += 1
        signed_out = " and their users signed out" if revoke_sessions else ""
        self.message_user(request, f"{done} device(s) revoked{signed_out}.", messages.SUCCESS)

    @admin.action(description="Revoke selected devices (their events will be rejected)")
    def revoke(self, request, queryset):
        self._revoke(request, queryset, revoke_sessions=False)

    @admin.action(description="Revoke selected devices and sign their users out (refresh tokens revoked)")
    def revoke_and_sign_out(self, request, queryset):
        self._revoke(request, queryset, revoke_sessions=True)


@admin.register(RejectedEvent)
class RejectedEventAdmin(SupervisorReadOnlyAdmin):
    list_display = ["created_at", "user", "event_type", "code", "what_to_do", "occurred_at", "resolved_at"]
    # no date_hierarchy: on MySQL without time-zone tables it cannot truncate datetimes
    list_filter = ["code", "event_type", ("resolved_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["event_id", "user__email", "user__name", "detail"]
    readonly_fields = [
        "event_id", "event_type", "occurred_at", "user", "device", "code", "detail", "what_to_do",
        "payload", "extra", "request_id", "created_at", "retries", "resolved_at", "resolved_by", "resolution_note",
    ]  # fmt: skip
    actions = ["retry", "resolve"]

    @admin.action(description="Retry selected (send the stored event again, as its driver)")
    def retry(self, request, queryset):
        tally: dict[str, int] = {}
        for rejected in queryset.filter(resolved_at__isnull=True).order_by("pk"):
            try:
                outcome = rejected_event_retry(actor=request.user, rejected=rejected, request=request)
            except ApplicationError as exc:
                self.message_user(request, str(exc.detail), messages.ERROR)
                return
            label = outcome["status"] if outcome["status"] != "rejected" else f"rejected again ({outcome['code']})"
            tally[label] = tally.get(label, 0) + 1
        if not tally:
            self.message_user(request, "Nothing to retry: the selected events are already resolved.", messages.WARNING)
            return
        summary = ", ".join(f"{n} {label}" for label, n in tally.items())
        failed = any(label.startswith("rejected") for label in tally)
        self.message_user(request, f"Retried: {summary}.", messages.WARNING if failed else messages.SUCCESS)

    @admin.action(description="Resolve selected with a note")
    def resolve(self, request, queryset):
        note = (request.POST.get("note") or "").strip()
        if "apply" in request.POST and note:
            done = 0
            for rejected in queryset.filter(resolved_at__isnull=True).order_by("pk"):
                try:
                    rejected_event_resolve(actor=request.user, rejected=rejected, note=note, request=request)
                except ApplicationError as exc:
                    self.message_user(request, str(exc.detail), messages.ERROR)
                    return None
                done += 1
            self.message_user(request, f"{done} rejected event(s) resolved.", messages.SUCCESS)
            return None
        if "apply" in request.POST:
            self.message_user(request, "Write a note: how were these events settled?", messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "title": "Resolve rejected events",
            "opts": self.model._meta,
            "queryset": queryset,
            "note": note,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/sync/rejectedevent/resolve.html", context)

    @admin.display(description="Next step")
    def what_to_do(self, obj: RejectedEvent) -> str:
        return next_step(obj.code)
