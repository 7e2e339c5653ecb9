from django.conf import settings
from rest_framework import serializers

from apps.sync.enums import next_step
from apps.sync.models import Device, RejectedEvent


class DeviceInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    public_key_jwk = serializers.JSONField()


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "user", "name", "public_key_jwk", "created_at", "revoked_at"]
        read_only_fields = fields


class SyncInput(serializers.Serializer):
    device = serializers.UUIDField()
    events = serializers.ListField(child=serializers.JSONField(), allow_empty=True)

    def validate_events(self, value: list) -> list:
        limit = settings.SYNC_MAX_BATCH_EVENTS
        if len(value) > limit:
            raise serializers.ValidationError(f"At most {limit} events per request; send the rest in another.")
        return value


class SyncResultSerializer(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=["applied", "duplicate", "rejected"])
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    result = serializers.JSONField(required=False)


class SyncOutput(serializers.Serializer):
    results = SyncResultSerializer(many=True)


class RejectedEventSerializer(serializers.ModelSerializer):
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = RejectedEvent
        fields = [
            "id", "event_id", "event_type", "occurred_at", "payload", "code", "detail", "extra",
            "next_step", "device", "user", "created_at", "resolved_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_next_step(self, obj: RejectedEvent) -> str:
        return next_step(obj.code)
