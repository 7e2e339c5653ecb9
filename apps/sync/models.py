import uuid

from django.conf import settings
from django.db import models


class Device(models.Model):
    """A phone that signs offline events with its own ECDSA P-256 key. The
    private key never leaves the phone; the server keeps the public JWK."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(max_length=120)
    public_key_jwk = models.JSONField(help_text='{"kty": "EC", "crv": "P-256", "x", "y"}')
    # RFC 7638 SHA-256 thumbprint of the key: one key, one device, one user, ever
    # (a revoked key cannot come back). Null only on legacy duplicates.
    key_thumbprint = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RejectedEvent(models.Model):
    """An offline event the server refused, kept as sent so nothing is
    silently dropped: the driver's phone lists its own, supervisors review all."""

    event_id = models.UUIDField(null=True, blank=True, db_index=True)
    event_type = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField(null=True, blank=True)
    code = models.CharField(max_length=64, db_index=True)
    detail = models.TextField(blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="Shortages, field errors, ...")
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="rejections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rejected_events")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the same event id was later applied (or found already applied)."
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True, help_text="The sync request that refused it (logs).")
    retries = models.PositiveIntegerField(default=0, help_text="Times a supervisor sent it again.")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.event_type} {self.event_id}"
