from django.conf import settings
from rest_framework import serializers

from apps.sync.enums import SyncStatus, next_step
from apps.sync.models import Device, RejectedEvent


class DeviceInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    public_key_jwk = serializers.JSONField()


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "user", "name", "public_key_jwk", "created_at", "revoked_at"]
        read_only_fields = fields


class DeviceRevokeInput(serializers.Serializer):
    revoke_sessions = serializers.BooleanField(
        default=False, help_text="Also sign the device's user out everywhere (blacklist their refresh tokens)."
    )


class SyncInput(serializers.Serializer):
    device = serializers.UUIDField()
    events = serializers.ListField(
        child=serializers.JSONField(),
        allow_empty=True,
        help_text=f"At most SYNC_MAX_EVENTS (default {settings.SYNC_MAX_EVENTS}) events and SYNC_MAX_BYTES "
        f"(default {settings.SYNC_MAX_BYTES}) bytes per request; more: 413 sync_batch_too_large.",
    )


class SyncResultSerializer(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=SyncStatus.choices)
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    result = serializers.JSONField(required=False)
    request_id = serializers.CharField(required=False, help_text="internal_error only: the request in the logs.")


class SyncOutput(serializers.Serializer):
    results = SyncResultSerializer(many=True)


class RejectedEventSerializer(serializers.ModelSerializer):
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = RejectedEvent
        fields = [
            "id", "event_id", "event_type", "occurred_at", "payload", "code", "detail", "extra",
            "next_step", "device", "user", "created_at", "resolved_at", "resolved_by", "resolution_note",
            "request_id", "retries",
        ]  # fmt: skip
        read_only_fields = fields

    def get_next_step(self, obj: RejectedEvent) -> str:
        return next_step(obj.code)


class RejectedEventResolveInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="How the event was settled (re-entered online, ...).")


class RejectedEventRetryOutput(SyncResultSerializer):
    rejected_event = RejectedEventSerializer()


class SyncErrorSerializer(serializers.Serializer):
    """The one error body, with the limits on a 413."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(required=False)  # type: ignore[assignment]  # a field named "fields": the metaclass pops it
    max_events = serializers.IntegerField(required=False, help_text="413 only: SYNC_MAX_EVENTS.")
    max_bytes = serializers.IntegerField(required=False, help_text="413 only: SYNC_MAX_BYTES.")
