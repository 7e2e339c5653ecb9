"""Vehicle <-> customer deliveries: one document that posts the ledger moves,
records services and the meter reading, and issues the tax invoice."""

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.billing import services as billing
from apps.billing.deposits import deposit_plan
from apps.billing.enums import DeliveryPaymentMethod, InvoiceLineKind
from apps.billing.models import ServiceItem
from apps.billing.pricing import cylinder_price, service_price
from apps.core.background import enqueue_after_commit, sweep_enqueue
from apps.core.db import service_atomic, set_prefetched
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.customers.models import Customer
from apps.deliveries import policies as policies
from apps.deliveries.images import check_image, rule_for
from apps.deliveries.models import (
    MAX_PHOTOS,
    AttachmentKind,
    Delivery,
    DeliveryAttachment,
    DeliveryLine,
    DeliveryProof,
)
from apps.deliveries.rules import household_hours_check
from apps.depots.models import CylinderType, Vehicle
from apps.inventory.enums import CylinderState, LocationKind, MovementType
from apps.inventory.locations import location_for_customer, location_for_vehicle, virtual_location
from apps.inventory.move_line import MoveLine
from apps.inventory.services import stock_post
from apps.orders.enums import OrderEvent
from apps.orders.events import order_event_after_commit
from apps.orders.models import Order
from apps.orders.services import order_lock, order_mark_delivered

DOCUMENT_TYPE = "distribution.delivery"


@dataclass(frozen=True)
class CylinderLine:
    """Cylinders of one type at the door: fulls delivered, empties picked up."""

    cylinder_type: CylinderType
    delivered_full: int = 0
    returned_empty: int = 0
    # the cylinders' serial numbers, one per cylinder (required for a serialised type)
    delivered_serials: tuple[str, ...] = ()
    returned_serials: tuple[str, ...] = ()

    @classmethod
    def of(cls, line: "CylinderLine | Mapping[str, Any]") -> "CylinderLine":
        if isinstance(line, cls):
            return line
        return cls(
            line["cylinder_type"],
            line.get("delivered_full", 0),
            line.get("returned_empty", 0),
            tuple(line.get("delivered_serials") or ()),
            tuple(line.get("returned_serials") or ()),
        )


@dataclass(frozen=True)
class ServiceLine:
    """A billable service done at the visit (installation, inspection, ...)."""

    service_item: ServiceItem
    quantity: Decimal = Decimal("1")

    @classmethod
    def of(cls, line: "ServiceLine | Mapping[str, Any]") -> "ServiceLine":
        if isinstance(line, cls):
            return line
        return cls(line["service_item"], line.get("quantity", Decimal("1")))


def _validate_lines(lines: list[CylinderLine], service_lines: list[ServiceLine], meter_reading) -> None:
    if not lines and meter_reading is None:
        # a meter-only visit (a reading, no cylinders) is a delivery too
        raise ValidationFailed({"lines": ["A delivery needs at least one line, or a meter reading."]})
    seen = set()
    for i, line in enumerate(lines):
        full, empty = line.delivered_full, line.returned_empty
        if full < 0 or empty < 0:
            raise ValidationFailed({"lines": {i: {"delivered_full": ["Quantities cannot be negative."]}}})
        if full == 0 and empty == 0:
            raise ValidationFailed({"lines": {i: {"delivered_full": ["Deliver or pick up at least one cylinder."]}}})
        if line.cylinder_type.pk in seen:
            raise ValidationFailed({"lines": {i: {"cylinder_type": ["Each cylinder type may appear once."]}}})
        seen.add(line.cylinder_type.pk)
    for i, line in enumerate(service_lines):
        if Decimal(line.quantity) <= 0:
            raise ValidationFailed({"service_lines": {i: {"quantity": ["Must be greater than zero."]}}})


def _validate_payment(payment_method: str, amount_tendered, payment_reference: str) -> None:
    if amount_tendered is not None and payment_method != DeliveryPaymentMethod.CASH:
        raise ValidationFailed({"amount_tendered": ["Only a CASH delivery has an amount tendered."]})
    if amount_tendered is not None and Decimal(amount_tendered) < 0:
        raise ValidationFailed({"amount_tendered": ["Cannot be negative."]})
    if payment_reference and payment_method != DeliveryPaymentMethod.PAYNOW:
        raise ValidationFailed({"payment_reference": ["Only a PAYNOW delivery has a payment reference."]})


@dataclass(frozen=True)
class ProofDraft:
    """Proof of delivery as declared with the delivery (hashes, not bytes)."""

    recipient_name: str = ""
    signature_sha256: str | None = None
    photo_sha256: tuple[str, ...] = ()
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: Decimal | None = None

    @classmethod
    def of(cls, proof: "ProofDraft | Mapping[str, Any]") -> "ProofDraft":
        if isinstance(proof, cls):
            return proof
        dec = {
            k: None if proof.get(k) is None else Decimal(str(proof[k])) for k in ("latitude", "longitude", "accuracy_m")
        }
        return cls(
            recipient_name=(proof.get("recipient_name") or "").strip(),
            signature_sha256=(proof.get("signature_sha256") or "").lower() or None,
            photo_sha256=tuple(h.lower() for h in proof.get("photo_sha256") or ()),
            **dec,
        )

    def audit(self) -> dict:
        return {
            "recipient_name": self.recipient_name,
            "signature_sha256": self.signature_sha256,
            "photo_sha256": list(self.photo_sha256),
            "latitude": self.latitude,
            "longitude": self.longitude,
            "accuracy_m": self.accuracy_m,
        }


HEX64 = re.compile(r"[0-9a-f]{64}")


def _validate_proof(proof: ProofDraft) -> None:
    """The input serializer's rules, for callers of the service itself."""
    errors: dict[str, list[str]] = {}
    if len(proof.recipient_name) > 100:
        errors["recipient_name"] = ["At most 100 characters."]
    if proof.signature_sha256 is not None and not HEX64.fullmatch(proof.signature_sha256):
        errors["signature_sha256"] = ["A SHA-256 as 64 hexadecimal digits."]
    photos = proof.photo_sha256
    if len(photos) > MAX_PHOTOS or len(set(photos)) != len(photos) or proof.signature_sha256 in photos:
        errors["photo_sha256"] = [f"At most {MAX_PHOTOS} distinct photos, none of them the signature."]
    elif any(not HEX64.fullmatch(h) for h in photos):
        errors["photo_sha256"] = ["A SHA-256 as 64 hexadecimal digits."]
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = getattr(proof, name)
        if value is not None and not -bound <= value <= bound:
            errors[name] = [f"Between -{bound} and {bound}."]
    if (proof.latitude is None) != (proof.longitude is None):
        errors["longitude"] = ["Send both latitude and longitude, or neither."]
    if proof.accuracy_m is not None and not proof.accuracy_m >= 0:
        errors["accuracy_m"] = ["Cannot be negative."]
    if errors:
        raise ValidationFailed({"proof": errors})


def _proof_record(delivery: Delivery, proof: ProofDraft) -> None:
    """The proof row and one attachment row per declared hash (not uploaded yet)."""
    DeliveryProof.objects.create(
        delivery=delivery,
        recipient_name=proof.recipient_name,
        latitude=proof.latitude,
        longitude=proof.longitude,
        accuracy_m=proof.accuracy_m,
    )
    attachments = [
        DeliveryAttachment(delivery=delivery, kind=AttachmentKind.PHOTO, sha256=h, position=i)
        for i, h in enumerate(proof.photo_sha256)
    ]
    if proof.signature_sha256:
        attachments.insert(
            0,
            DeliveryAttachment(
                delivery=delivery, kind=AttachmentKind.SIGNATURE, sha256=proof.signature_sha256, position=0
            ),
        )
    DeliveryAttachment.objects.bulk_create(attachments)


def _pdf_after_commit(invoice_id: int, *, again: bool = False) -> None:
    """Render the PDF once the transaction has committed, never inside it
    (``again``: render it anew, a signature was uploaded)."""
    if not getattr(settings, "BILLING_RENDER_PDF_ON_ISSUE", True):
        return
    from apps.billing.tasks import invoice_render_pdf

    if again:
        enqueue_after_commit(invoice_render_pdf, invoice_id, True)
    else:
        enqueue_after_commit(invoice_render_pdf, invoice_id)


@service_atomic
def delivery_create(
    *,
    actor: User,
    customer: Customer,
    vehicle: Vehicle,
    lines: Sequence[CylinderLine],
    payment_method: str,
    order=None,
    service_lines: Sequence[ServiceLine] = (),
    meter_reading: Decimal | None = None,
    meter_replacement: bool = False,
    acknowledged_warnings: list[str] | tuple = (),
    driver: User | None = None,
    occurred_at: datetime | None = None,
    amount_tendered: Decimal | None = None,
    payment_reference: str = "",
    proof: "ProofDraft | Mapping[str, Any] | None" = None,
) -> Delivery:
    """Record a delivery as one atomic document: DELIVERY moves (vehicle ->
    customer, full) and RETURN moves (customer -> vehicle, empty) through
    ``stock_post``, the meter reading, the Delivery, its tax invoice with an
    INV-YYYY-NNNNNN number taken last, and the audit record; or nothing.

    ``order``: an Order instance or its id (kept as ``order_id``); the
    cylinders delivered count towards it (PARTLY_DELIVERED until all is there).
    ``lines`` may be empty for a meter-only visit (``meter_reading`` given).

    Paid at the door: a CASH or PAYNOW delivery records its payment (the
    invoice total) in this same transaction, so the invoice is PAID; CASH
    takes ``amount_tendered`` (default: the total; less is 422
    ``insufficient_tender``), PAYNOW an optional ``payment_reference``.
    The invoice's supply date is the delivery's date (``occurred_at``, GST by
    it); its issue date and number are the server's today.

    ``proof``: the recipient's name, the GPS fix and the SHA-256 of the
    signature and photos (docs/billing.md "Proof of delivery"); the rows are
    written here, the bytes are uploaded afterwards (``attachment_upload``)."""
    service_lines = [ServiceLine.of(s) for s in service_lines or ()]
    lines = [CylinderLine.of(line) for line in lines or ()]
    payment_reference = (payment_reference or "").strip()
    _validate_lines(lines, service_lines, meter_reading)
    _validate_payment(payment_method, amount_tendered, payment_reference)
    declared = ProofDraft.of(proof) if proof is not None else None
    if declared is not None:
        _validate_proof(declared)
    policies.delivery_create_check(actor, vehicle=vehicle)
    if not customer.is_active:
        raise ValidationFailed({"customer": ["This customer is inactive."]})
    billing.payment_method_check(customer=customer, payment_method=payment_method)
    if driver is None and role_of(actor) == Role.DRIVER:
        driver = actor
    when = occurred_at or timezone.now()
    # fire safety: an out-of-hours household delivery needs the driver's acknowledgement (422 without)
    warning = household_hours_check(customer, when, acknowledged_warnings)
    day = timezone.localdate(when)
    # The lock order (apps/core/locks.py): the entity rows first (the order, the
    # meter), then stock_post's balances, the invoice number last.
    if order is not None:
        order = order_lock(order)
    if meter_reading is not None:
        billing.meter_lock(customer=customer)
    # deposits: the customer's holding rows (and invoices a refund credits) locked before the balances
    deposits = deposit_plan(
        customer=customer, lines=[(c.cylinder_type, c.delivered_full, c.returned_empty) for c in lines], day=day
    )

    order_id = getattr(order, "pk", order)
    if order_id is not None and not Order.objects.filter(pk=order_id).exists():
        # 400 before the INSERT: MySQL checks the foreign key at once (IntegrityError)
        raise ValidationFailed({"order": ["No such order."]})
    delivery = Delivery.objects.create(
        customer=customer,
        vehicle=vehicle,
        driver=driver,
        order_id=order_id,
        payment_method=payment_method,
        total_delivered=sum(line.delivered_full for line in lines),
        total_returned=sum(line.returned_empty for line in lines),
        created_by=actor,
        occurred_at=when,
    )
    created = DeliveryLine.objects.bulk_create(
        [
            DeliveryLine(
                delivery=delivery,
                cylinder_type=line.cylinder_type,
                delivered_full=line.delivered_full,
                returned_empty=line.returned_empty,
            )
            for line in lines
        ]
    )
    set_prefetched(delivery, "lines", created)  # the answer lists them
    if declared is not None:
        _proof_record(delivery, declared)
    else:  # the answer reads delivery.proof: known to be none, no query
        Delivery.proof.related.set_cached_value(delivery, None)
    truck, site = location_for_vehicle(vehicle), location_for_customer(customer)
    consumed = virtual_location(LocationKind.CONSUMPTION)
    moves = []
    full, empty_ = CylinderState.FULL, CylinderState.EMPTY
    for i, line in enumerate(lines):
        ct, flag = line.cylinder_type.pk, line.cylinder_type.serialised
        if line.delivered_full:
            out = {
                "serials": line.delivered_serials,
                "serialised": flag,
                "error_path": ("lines", i, "delivered_serials"),
            }
            moves.append(MoveLine(MovementType.DELIVERY, ct, full, line.delivered_full, truck, site, **out))
        if empty := line.returned_empty:
            # Gas used at the site turns fulls into empties without a physical move:
            # a CONSUMPTION pair (full out to the virtual "consumed" location, empty
            # back), then the RETURN of the empties. Checked together with the fulls
            # just delivered: a customer never gives back more cylinders than it holds.
            # A returned serial follows the same chain: held full at the site, empty
            # there, then on the truck.
            back = {
                "serials": line.returned_serials,
                "serialised": flag,
                "error_path": ("lines", i, "returned_serials"),
            }
            moves.append(MoveLine(MovementType.CONSUMPTION, ct, full, empty, site, consumed, **back))
            moves.append(MoveLine(MovementType.CONSUMPTION, ct, empty_, empty, consumed, site, **back))
            moves.append(MoveLine(MovementType.RETURN, ct, empty_, empty, site, truck, **back))
    posting = None
    if moves:  # a meter-only visit moves no cylinders
        posting = stock_post(
            actor=actor,
            document_type=DOCUMENT_TYPE,
            document_id=delivery.pk,
            lines=moves,
            occurred_at=when,
            audit=False,
        )
    if delivery.order_id is not None:
        order_mark_delivered(
            order=delivery.order_id,
            delivery_id=delivery.pk,
            customer=customer,
            actor=actor,
            delivered={line.cylinder_type.pk: line.delivered_full for line in lines},
            driver=driver,
        )

    drafts = [
        billing.LineDraft(
            kind=InvoiceLineKind.CYLINDER,
            description=f"LPG refill {line.cylinder_type.name}",
            quantity=line.delivered_full,
            unit_price=cylinder_price(customer=customer, cylinder_type=line.cylinder_type, day=day),
            cylinder_type=line.cylinder_type,
        )
        for line in lines
        if line.delivered_full
    ]
    for line in service_lines:
        item = line.service_item
        drafts.append(
            billing.LineDraft(
                kind=InvoiceLineKind.SERVICE,
                description=item.name,
                quantity=line.quantity,
                unit_price=service_price(service_item=item, day=day),
                service_item=item,
            )
        )
    reading = None
    if meter_reading is not None:
        reading, meter = billing.meter_reading_take(
            actor=actor,
            customer=customer,
            reading=Decimal(meter_reading),
            replacement=meter_replacement,
            read_at=when,
            delivery_id=delivery.pk,
        )
        if (line := billing.meter_line(meter, reading)) is not None:
            drafts.append(line)
    drafts += deposits.lines  # DEPOSIT lines: outside the GST base
    # Empties picked up and nothing billable: no tax invoice, no number used.
    invoice = None
    if drafts:
        invoice = billing.invoice_issue(
            actor=actor, customer=customer, supply_date=day, payment_method=payment_method, lines=drafts
        )
        delivery.invoice = invoice
        delivery.save(update_fields=["invoice"])
    delivery.deposit_credit_note = deposits.record(
        actor=actor, invoice=invoice, delivery_id=delivery.pk, occurred_at=when
    )  # refunds: a credit note (its own gapless number), no invoice needed
    payment = billing.door_payment_record(
        actor=actor,
        invoice=invoice,
        payment_method=payment_method,
        received_at=when,
        amount_tendered=amount_tendered,
        payment_reference=payment_reference,
    )
    if invoice is not None:  # issued just now: its one payment is the door's, if any
        set_prefetched(invoice, "payments", [payment] if payment is not None else [])
    audit_record(
        action=AuditAction.DELIVERY_CREATED,
        user=actor,
        entity_type=DOCUMENT_TYPE,
        entity_id=delivery.pk,
        before={"balances": posting.balances_before} if posting is not None else None,
        after={
            "posting": posting.audit_after() if posting is not None else None,
            "customer": customer.pk,
            "vehicle": vehicle.pk,
            "driver": driver.pk if driver else None,
            "order": delivery.order_id,
            "invoice": invoice.number if invoice else None,
            "total": invoice.total if invoice else None,
            "paid_at_door": payment.amount if payment else None,
            **({"deposits": d} if (d := deposits.audit()) else {}),
            "lines": [
                {
                    "cylinder_type": line.cylinder_type.pk,
                    "delivered_full": line.delivered_full,
                    "returned_empty": line.returned_empty,
                    **({"delivered_serials": list(line.delivered_serials)} if line.delivered_serials else {}),
                    **({"returned_serials": list(line.returned_serials)} if line.returned_serials else {}),
                }
                for line in lines
            ],
            "service_lines": [{"service_item": s.service_item.pk, "quantity": s.quantity} for s in service_lines],
            "meter_reading": reading.reading if reading is not None else None,
            "warnings_acknowledged": [warning] if warning else [],
            **({"proof": declared.audit()} if declared is not None else {}),
        },
    )
    if invoice is not None:
        _pdf_after_commit(invoice.pk)
    if delivery.order_id is not None:
        # after the PDF's own callback: the delivered e-mail finds the PDF rendered (or renders it)
        order_event_after_commit(OrderEvent.DELIVERED, [delivery.order_id], delivery_id=delivery.pk)
    return delivery


# -- proof of delivery: the uploads ---------------------------------------------------


class AttachmentNotDeclared(ApplicationError):
    code = "attachment_not_declared"
    status_code = 404
    default_detail = "This delivery declared no signature or photo with that SHA-256."


class AttachmentHashMismatch(ApplicationError):
    code = "attachment_hash_mismatch"
    status_code = 422
    default_detail = "The bytes received do not have the SHA-256 in the URL; nothing was stored. Upload them again."


class AttachmentNotUploaded(ApplicationError):
    code = "attachment_not_uploaded"
    status_code = 404
    default_detail = "Declared with the delivery, not uploaded yet."


class ByteSource(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def attachment_storage_name(attachment: DeliveryAttachment) -> str:
    """Content-addressed: deliveries/<delivery id>/<sha256>.<png|jpg>."""
    ext = rule_for(attachment.kind).extension
    return f"deliveries/{attachment.delivery_id}/{attachment.sha256}.{ext}"


def _read_capped(source: ByteSource, content_length: Any, limit: int) -> bytes:
    """At most ``limit`` bytes, refused from Content-Length before reading
    when it says more, and never more than ``limit + 1`` read into memory."""
    try:
        declared = int(content_length or 0)
    except (TypeError, ValueError):
        declared = 0
    too_big = ValidationFailed({"file": [f"At most {limit // 1024} KB for this attachment."]})
    if declared > limit:
        raise too_big
    data = source.read(limit + 1)
    if len(data) > limit:
        raise too_big
    return data


def _store(name: str, data: bytes) -> str:
    """Save the bytes under their content address; the same name already
    there holds the same bytes (its hash is its name), so it is kept, unless
    it is shorter: a write cut short (ENOSPC: answered 507 ``storage_full``)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if default_storage.exists(name):
        if default_storage.size(name) == len(data):
            return name
        default_storage.delete(name)  # cut short (a full disk, a killed process): written again
    try:
        stored = default_storage.save(name, ContentFile(data))
    except OSError:
        if default_storage.exists(name) and default_storage.size(name) != len(data):
            default_storage.delete(name)  # never leave part of the bytes under their hash
        raise
    if stored != name:  # a concurrent upload of the same bytes won the name: keep one copy
        default_storage.delete(stored)
    return name


def attachment_upload(
    *,
    actor: User,
    delivery_id: int,
    sha256: str,
    content_type: str,
    source: ByteSource,
    content_length: Any = None,
) -> tuple[DeliveryAttachment, bool]:
    """Store the bytes of a declared signature or photo; returns (attachment,
    created). Idempotent: the same bytes again change nothing (created False).

    Refused, with nothing stored: an unknown delivery or undeclared hash (404),
    a role that never records deliveries (403), another driver's delivery (422
    ``not_your_delivery``), bytes whose SHA-256 is not the URL's (422
    ``attachment_hash_mismatch``), a wrong content type, not an image, or an
    image over the limits (400 ``invalid`` on ``content_type`` / ``file``).

    The bytes go to the storage first (content-addressed, so a retry finds
    them), then the row is filled in once, with its audit row, in one
    transaction; a signature re-renders the invoice PDF after commit."""
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    policies.attachment_upload_check(actor, delivery=delivery)
    sha256 = (sha256 or "").lower()
    attachment = DeliveryAttachment.objects.filter(delivery=delivery, sha256=sha256).first()
    if attachment is None:
        raise AttachmentNotDeclared()
    rule = rule_for(attachment.kind)
    data = _read_capped(source, content_length, rule.max_bytes)
    received = hashlib.sha256(data).hexdigest()
    if received != sha256:
        raise AttachmentHashMismatch(extra={"fields": {"sha256": [f"The bytes received hash to {received}."]}})
    if attachment.uploaded:
        # the same bytes again: nothing changes; a file lost from the storage
        # (a restore older than the database) is put back from them
        _store(attachment.file.name, data)
        return attachment, False
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != rule.content_type:
        raise ValidationFailed({"content_type": [f"A {attachment.kind.lower()} is sent as {rule.content_type}."]})
    width, height = check_image(data, attachment.kind)
    name = _store(attachment_storage_name(attachment), data)
    return _attachment_fill(actor=actor, attachment=attachment, name=name, data=data, size=(width, height))


@transaction.atomic
def _attachment_fill(
    *, actor: User, attachment: DeliveryAttachment, name: str, data: bytes, size: tuple[int, int]
) -> tuple[DeliveryAttachment, bool]:
    rule = rule_for(attachment.kind)
    now = timezone.now()
    filled = DeliveryAttachment.objects.filter(pk=attachment.pk).update(
        file=name,
        content_type=rule.content_type,
        size=len(data),
        width=size[0],
        height=size[1],
        uploaded_at=now,
        uploaded_by=actor,
    )
    attachment.refresh_from_db()
    if not filled:  # uploaded by a concurrent request with the same bytes
        return attachment, False
    audit_record(
        action=AuditAction.DELIVERY_ATTACHMENT_UPLOADED,
        user=actor,
        entity_type=DOCUMENT_TYPE,
        entity_id=attachment.delivery_id,
        after={
            "kind": attachment.kind,
            "sha256": attachment.sha256,
            "file": name,
            "size": len(data),
            "width": size[0],
            "height": size[1],
        },
    )
    invoice_id = Delivery.objects.filter(pk=attachment.delivery_id).values_list("invoice_id", flat=True).first()
    if attachment.kind == AttachmentKind.SIGNATURE and invoice_id is not None:
        # the tax invoice shows the signature: render it again (docs/billing.md "PDF")
        _pdf_after_commit(invoice_id, again=True)
    return attachment, True


# -- invoice PDFs a lost task never rendered ---------------------------------------------


@dataclass(frozen=True)
class PdfSweep:
    missing: list[int]  # invoices with no PDF yet: rendered
    unsigned: list[int]  # PDFs rendered before their signature arrived: rendered again


def invoice_pdf_sweep(*, now: datetime | None = None, batch: int = 200) -> PdfSweep:
    """Queue the renders a lost task left undone (a worker killed mid-render,
    the broker away when the invoice was issued, a full disk): invoices issued
    more than INVOICE_PDF_SWEEP_GRACE seconds ago (the task queued after commit
    had its chance) and up to a week back with no PDF, and those whose PDF was
    rendered before their signature was uploaded. The render skips a PDF
    already there, so a task that was only late does no harm. Celery beat,
    every INVOICE_PDF_SWEEP_SECONDS."""
    from apps.billing.models import Invoice
    from apps.billing.tasks import invoice_render_pdf

    if not getattr(settings, "BILLING_RENDER_PDF_ON_ISSUE", True):
        return PdfSweep([], [])
    now = now or timezone.now()
    settled, week = now - timedelta(seconds=settings.INVOICE_PDF_SWEEP_GRACE), now - timedelta(days=7)
    missing = list(
        Invoice.objects.filter(pdf_rendered_at__isnull=True, created_at__gte=week, created_at__lt=settled)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    unsigned = list(
        DeliveryAttachment.objects.filter(
            kind=AttachmentKind.SIGNATURE,
            uploaded_at__gte=now - timedelta(days=1),
            uploaded_at__lt=settled,
            delivery__invoice__pdf_rendered_at__lt=F("uploaded_at"),
        )
        .order_by("delivery__invoice_id")
        .values_list("delivery__invoice_id", flat=True)
        .distinct()[:batch]
    )
    return PdfSweep(
        [pk for pk in missing if sweep_enqueue(invoice_render_pdf, pk)],
        [pk for pk in unsigned if sweep_enqueue(invoice_render_pdf, pk, True)],
    )


# -- PDPA retention: proof images and GPS fixes are kept PERSONAL_DATA_RETENTION_DAYS ---------------


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    proofs: int  # GPS fixes cleared
    attachments: int  # images deleted (their rows keep kind, hash, size)
    files_missing: int  # rows whose file storage no longer had
    dry_run: bool

    def audit(self) -> dict:
        return {
            "cutoff": self.cutoff,
            "proofs_gps_cleared": self.proofs,
            "attachments_deleted": self.attachments,
            "files_already_missing": self.files_missing,
            "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
        }


def personal_data_purge(*, now: datetime | None = None, dry_run: bool = False, batch: int = 500) -> PurgeResult:
    """Delete the proof-of-delivery images (signatures, photos) and clear the
    GPS fixes of deliveries older than PERSONAL_DATA_RETENTION_DAYS. What
    stays: the delivery, the recipient's name, every attachment row with its
    SHA-256, size and upload record, the invoice (and its stored PDF), the
    ledger and the audit log. A system action: one audit row per run that
    purged anything, with the counts. ``dry_run`` counts and changes nothing;
    a second run finds nothing to do.

    The files go first, then the rows, so a run cut short is finished by the
    next one (deleting a file storage no longer has is a no-op); the rows
    change only through the purge the triggers allow (``purged_at`` set once)."""
    from django.core.files.storage import default_storage

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    proofs = DeliveryProof.objects.filter(delivery__occurred_at__lt=cutoff, purged_at__isnull=True).exclude(
        latitude__isnull=True, longitude__isnull=True, accuracy_m__isnull=True
    )
    images = DeliveryAttachment.objects.filter(
        delivery__occurred_at__lt=cutoff, uploaded_at__isnull=False, purged_at__isnull=True
    )
    if dry_run:
        return PurgeResult(cutoff, proofs.count(), images.count(), 0, True)
    deleted = missing = 0
    while True:
        rows = list(images.order_by("pk").values_list("pk", "file")[:batch])
        if not rows:
            break
        for _pk, name in rows:
            if name and default_storage.exists(name):
                default_storage.delete(name)
            else:
                missing += 1
        with transaction.atomic():
            deleted += DeliveryAttachment.objects.filter(pk__in=[pk for pk, _ in rows]).purge_personal_data(when=now)
    with transaction.atomic():
        cleared = DeliveryProof.objects.filter(pk__in=list(proofs.values_list("pk", flat=True))).purge_personal_data(
            when=now
        )
        result = PurgeResult(cutoff, cleared, deleted, missing, False)
        if cleared or deleted:
            audit_record(
                action=AuditAction.PERSONAL_DATA_PURGED, entity_type=DOCUMENT_TYPE, entity_id="",
                after=result.audit(),
            )  # fmt: skip
    return result
