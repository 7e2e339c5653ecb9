from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.sync.enums import SyncStatus, next_step
from apps.sync.models import Device, RejectedEvent


@extend_schema_field(
    {
        "type": "object",
        "description": "A device's public key (RFC 7518 EC JWK, P-256).",
        "properties": {
            "kty": {"type": "string", "enum": ["EC"]},
            "crv": {"type": "string", "enum": ["P-256"]},
            "x": {"type": "string"},
            "y": {"type": "string"},
        },
        "required": ["kty", "crv", "x", "y"],
    }
)
class PublicJwkField(serializers.JSONField):
    pass


class DeviceInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    public_key_jwk = PublicJwkField(help_text="The public key (the service checks it is a P-256 point).")


class DeviceSerializer(serializers.ModelSerializer):
    public_key_jwk = PublicJwkField(read_only=True)

    class Meta:
        model = Device
        fields = ["id", "user", "name", "public_key_jwk", "created_at", "revoked_at"]
        read_only_fields = fields


class DeviceRevokeInput(serializers.Serializer):
    revoke_sessions = serializers.BooleanField(
        default=False, help_text="Also sign the device's user out everywhere (blacklist their refresh tokens)."
    )


# The commands an event replays, by type: (the online call's request body,
# its 201 body), as OpenAPI component names. The PWA's outbox payload types
# are generated from these (frontend/src/api/schema.d.ts).
EVENT_SCHEMAS = {
    "distribution.create": ("DistributionInputRequest", "Distribution"),
    "delivery.create": ("DeliveryInputRequest", "Delivery"),
}


def _one_of(names) -> dict:
    return {"oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in names]}


@extend_schema_field(
    {
        "type": "object",
        "description": "A signed event: `payload` is the request body of the online call its `type` names.",
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "Also the idempotency key."},
            "type": {"type": "string", "enum": list(EVENT_SCHEMAS)},
            "occurred_at": {"type": "string", "format": "date-time"},
            "payload": _one_of(request for request, _ in EVENT_SCHEMAS.values()),
            "signature": {"type": "string", "description": "ECDSA P-256 raw r||s, standard base64."},
        },
        "required": ["id", "type", "occurred_at", "payload", "signature"],
    }
)
class SyncEventField(serializers.JSONField):
    """Each event is checked one by one by the service (a bad one is rejected
    alone), so the input takes any JSON; the schema documents the real shape."""


@extend_schema_field(_one_of(response for _, response in EVENT_SCHEMAS.values()))
class SyncCommandResultField(serializers.JSONField):
    """The online call's 201 body (a distribution or a delivery)."""


class SyncInput(serializers.Serializer):
    device = serializers.UUIDField()
    events = serializers.ListField(
        child=SyncEventField(),
        allow_empty=True,
        help_text=f"At most SYNC_MAX_EVENTS (default {settings.SYNC_MAX_EVENTS}) events and SYNC_MAX_BYTES "
        f"(default {settings.SYNC_MAX_BYTES}) bytes per request; more: 413 sync_batch_too_large.",
    )


class SyncResultSerializer(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(choices=SyncStatus.choices)
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    result = SyncCommandResultField(required=False)
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
