from rest_framework import serializers

from apps.audit.models import AuditLog


class AuditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = [
            "id", "created_at", "action", "user", "user_email", "entity_type", "entity_id", "before", "after",
            "request_meta", "ip_address", "chain_index", "prev_hash", "row_hash",
        ]  # fmt: skip
        read_only_fields = fields
