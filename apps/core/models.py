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
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
