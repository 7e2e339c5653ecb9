from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AuditLog(models.Model):
    """One recorded action. Rows are only ever inserted (the model refuses
    update and delete; database triggers refuse them too).

    Tamper evidence: ``row_hash`` is SHA-256 over the canonical JSON (RFC 8785)
    of the row's content and ``prev_hash``, the ``row_hash`` of the row before it
    in the chain (``chain_index`` - 1). Changing, removing or slipping in a row
    breaks the chain; ``manage.py verify_audit_chain`` names the first break.

    The writing transaction inserts the row without chain fields; the sealer
    (apps.audit.sealer) gives committed rows their chain index and hashes in
    batches, once (a trigger refuses any other update), and stamps
    ``sealed_at`` so the sealing delay can be reported."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user_email = models.CharField(max_length=254, blank=True)
    # No ``choices``: apps add their own event enums (AuditAction here, orders,
    # sync, ...); the admin filter lists every value present.
    action = models.CharField(max_length=64, db_index=True)
    entity_type = models.CharField(max_length=64, blank=True, db_index=True)
    entity_id = models.CharField(max_length=64, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_meta = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    chain_index = models.PositiveBigIntegerField(unique=True, null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)
    sealed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # HMAC of the row's own content with AUDIT_HMAC_KEY, set on insert.
    entry_mac = models.CharField(max_length=64, null=True, blank=True, editable=False)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.entity_type}:{self.entity_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class AuditChainHead(models.Model):
    """The single row (pk=1) holding the end of the hash chain. Only the sealer
    locks it (select_for_update), so concurrent sealers queue and never fork
    the chain; writing transactions never touch it.

    ``last_hmac`` signs (last_index, last_hash) with ``AUDIT_HMAC_KEY``, a key
    kept outside the database: whoever rewrites the chain without the key
    cannot sign the new head. A trigger lets the head move forward only, to
    the newest audit row (apps.audit.triggers.CHAIN_HEAD)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_index = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    last_hmac = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return f"audit chain at #{self.last_index}"
