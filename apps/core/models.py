import uuid

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The stored answer to a write made with an ``Idempotency-Key`` (online) or
    an event id (offline sync): the same key replays the answer, the same key
    with another request is a conflict. Written in the document's transaction."""

    key = models.UUIDField(primary_key=True, default=uuid.uuid4)
    scope = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    # The fingerprint of the body as it was sent (before validation): the same
    # body again replays the stored answer without validating it again.
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Sequence(models.Model):
    """A gapless counter. The row is locked (select_for_update) inside the
    document's own transaction, last, so a rolled-back document gives its number
    back. One row per series and period: ``invoice/2026``, ``distribution/2026-01-19``."""

    slug = models.CharField(max_length=64, unique=True)
    current_value = models.PositiveBigIntegerField(default=0)
    format_string = models.CharField(max_length=64, help_text="Python format, e.g. INV-2026-{value:06d}")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "billing_sequence"  # the table predates the move to core (state-only move)
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} = {self.current_value}"

    def format(self, value: int) -> str:
        return self.format_string.format(value=value)
