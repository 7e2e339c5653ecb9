"""Deliveries at a customer site. The tables keep the names they had when the
models lived in ``apps.distribution`` (moved state-only, data untouched)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Delivery(models.Model):
    """A delivery at a customer site: fulls delivered (DELIVERY moves), empties
    picked up (RETURN moves), services and a meter reading, invoiced by exactly
    one tax invoice created in the same transaction."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="deliveries")
    vehicle = models.ForeignKey("depots.Vehicle", on_delete=models.PROTECT, related_name="deliveries")
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    # The order this delivery fulfils, if any (column order_id, as before the FK).
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    payment_method = models.CharField(max_length=16)
    invoice = models.OneToOneField(
        "billing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="delivery"
    )
    total_delivered = models.PositiveIntegerField(default=0)
    total_returned = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(help_text="When it happened (the device's clock).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "distribution_delivery"  # the table predates the app (state-only move)
        ordering = ["-id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery #{self.pk}"


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    cylinder_type = models.ForeignKey("depots.CylinderType", on_delete=models.PROTECT, related_name="+")
    delivered_full = models.PositiveIntegerField(default=0)
    returned_empty = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "distribution_deliveryline"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_full__gt=0) | Q(returned_empty__gt=0), name="deliveryline_not_empty"
            ),
            models.UniqueConstraint(fields=["delivery", "cylinder_type"], name="deliveryline_unique_type"),
        ]

    def __str__(self) -> str:
        return f"{self.cylinder_type_id}: {self.delivered_full} full / {self.returned_empty} empty"


# -- proof of delivery ---------------------------------------------------------------

MAX_PHOTOS = 3
ATTACHMENT_UPLOAD_FIELDS = frozenset({"file", "content_type", "size", "width", "height", "uploaded_at", "uploaded_by"})


class ProofImmutableError(Exception):
    """An attempt to change or delete a delivery's proof (recorded once)."""


# PDPA retention (apps.deliveries.services.personal_data_purge): the one change
# a proof row and an uploaded attachment allow, once, and only this way:
# ``purged_at`` set and the personal data cleared. The database triggers allow
# exactly this transition (apps.audit.triggers, Guard.purge_*).
PROOF_PERSONAL_FIELDS = ("latitude", "longitude", "accuracy_m")
ATTACHMENT_PERSONAL_FIELDS = ("file",)


class DeliveryProofQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ProofImmutableError("A delivery's proof is recorded once and never changed.")

    def purge_personal_data(self, *, when) -> int:
        """Clear the GPS fix of the rows not purged yet; the recipient's
        name, the delivery and its hashes stay. Returns the rows changed."""
        cleared = dict.fromkeys(PROOF_PERSONAL_FIELDS)
        return models.QuerySet.update(self.filter(purged_at__isnull=True), purged_at=when, **cleared)

    def delete(self):
        raise ProofImmutableError("A delivery's proof is never deleted.")


class DeliveryProof(models.Model):
    """Who received the delivery and where the phone was, declared with the
    delivery (inside its signed sync event) and written in its transaction.
    Append-only: the model refuses changes and deletes, and so does the database
    (apps.audit.triggers.DELIVERY_PROOF)."""

    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="proof")
    recipient_name = models.CharField(max_length=100, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the GPS fix was cleared (personal data retention)."
    )

    objects = DeliveryProofQuerySet.as_manager()

    class Meta:
        ordering = ["delivery_id"]

    def __str__(self) -> str:
        return f"proof of delivery #{self.delivery_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ProofImmutableError("A delivery's proof is recorded once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ProofImmutableError("A delivery's proof is never deleted.")


class AttachmentKind(models.TextChoices):
    SIGNATURE = "SIGNATURE", "Signature (PNG)"
    PHOTO = "PHOTO", "Photo (JPEG)"


class DeliveryAttachmentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Only the upload fields, and only on rows not uploaded yet (an
        uploaded row is never touched again; the database refuses it too)."""
        frozen = set(kwargs) - ATTACHMENT_UPLOAD_FIELDS
        if frozen:
            raise ProofImmutableError(f"Delivery attachments cannot change ({', '.join(sorted(frozen))}).")
        return models.QuerySet.update(self.filter(uploaded_at__isnull=True), **kwargs)

    def delete(self):
        raise ProofImmutableError("Delivery attachments are never deleted.")

    def purge_personal_data(self, *, when) -> int:
        """Forget the stored file of uploaded rows not purged yet (the caller
        deletes the bytes from storage); kind, hash, size and upload stay."""
        return models.QuerySet.update(
            self.filter(uploaded_at__isnull=False, purged_at__isnull=True), purged_at=when, file=""
        )

    def missing(self):
        return self.filter(uploaded_at__isnull=True)


class DeliveryAttachment(models.Model):
    """A signature or photo of a delivery, declared by its SHA-256 with the
    delivery; the bytes arrive later (``PUT /api/deliveries/<id>/attachments/<sha256>/``).
    Until then ``file`` is empty and ``uploaded_at`` NULL (a missing upload).
    The upload fills the upload fields once; after that the row never changes
    (model guard here, database trigger apps.audit.triggers.DELIVERY_ATTACHMENT)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=16, choices=AttachmentKind.choices)
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(help_text="0 = the signature or the first photo.")
    file = models.FileField(upload_to="deliveries/", max_length=255, blank=True)
    content_type = models.CharField(max_length=32, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the image was deleted (personal data retention); the hash stays."
    )

    objects = DeliveryAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["delivery_id", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "sha256"], name="deliveryattachment_unique_hash"),
            models.UniqueConstraint(fields=["delivery", "kind", "position"], name="deliveryattachment_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]} of delivery #{self.delivery_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values().first()
            if stored is not None:
                if stored["uploaded_at"] is not None:
                    raise ProofImmutableError("An uploaded delivery attachment never changes.")
                changed = [
                    f.attname
                    for f in self._meta.concrete_fields
                    if f.name not in ATTACHMENT_UPLOAD_FIELDS
                    and f.attname != "uploaded_by_id"
                    and stored[f.attname] != getattr(self, f.attname)
                ]
                if changed:
                    raise ProofImmutableError(f"Delivery attachments cannot change ({', '.join(changed)}).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ProofImmutableError("Delivery attachments are never deleted.")

    @property
    def uploaded(self) -> bool:
        return self.uploaded_at is not None
