"""Devices and the offline sync protocol.

Each event is checked (shape, device, signature, type, clock) and then applied
through the same service and idempotency record as the online call, in its own
transaction, so a batch cut off half-way and sent again leaves exactly one
copy of each event. Every refusal is kept as a ``RejectedEvent``."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions as drf_exceptions
from rest_framework.serializers import as_serializer_error

from apps.accounts.enums import Role
from apps.accounts.permissions import role_of
from apps.audit.services import audit_record
from apps.core.exceptions import ApplicationError, Forbidden, ValidationFailed
from apps.core.models import IdempotencyRecord
from apps.sync.crypto import InvalidKey, normalized_jwk, public_key_from_jwk, signature_valid, signed_bytes
from apps.sync.enums import SyncAuditAction, SyncStatus
from apps.sync.handlers import EVENT_HANDLERS
from apps.sync.models import Device, RejectedEvent


class InvalidPublicKey(ValidationFailed):
    code = "invalid_public_key"


# -- devices -----------------------------------------------------------------------


@transaction.atomic
def device_register(*, actor, name: str, public_key_jwk: Any, request=None) -> Device:
    """Register the signed-in user's phone. Only a real P-256 point is kept."""
    try:
        public_key_from_jwk(public_key_jwk)
    except InvalidKey as exc:
        raise InvalidPublicKey({"public_key_jwk": [str(exc)]}, detail=str(exc)) from None
    device = Device.objects.create(user=actor, name=name.strip()[:120], public_key_jwk=normalized_jwk(public_key_jwk))
    audit_record(
        action=SyncAuditAction.DEVICE_REGISTERED,
        user=actor,
        entity_type="sync.device",
        entity_id=device.pk,
        after={"name": device.name, "public_key_jwk": device.public_key_jwk},
        request=request,
    )
    return device


@transaction.atomic
def device_revoke(*, actor, device: Device, request=None) -> Device:
    """Stop accepting events signed by this phone (lost, stolen, replaced)."""
    if role_of(actor) not in (Role.ADMIN, Role.SUPERVISOR):
        raise Forbidden("Only an admin or a supervisor may revoke a device.")
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=SyncAuditAction.DEVICE_REVOKED,
            user=actor,
            entity_type="sync.device",
            entity_id=locked.pk,
            after={"user": locked.user_id, "revoked_at": locked.revoked_at},
            request=request,
        )
    return locked


# -- sync --------------------------------------------------------------------------


@dataclass
class EventOutcome:
    id: str | None
    status: str
    code: str = ""
    detail: str = ""
    result: dict | None = None
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        body: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.code:
            body.update(code=self.code, detail=self.detail, **self.extra)
        if self.result is not None:
            body["result"] = self.result
        return body


class Refused(Exception):
    def __init__(self, code: str, detail: str, extra: dict | None = None):
        super().__init__(detail)
        self.code, self.detail, self.extra = code, detail, extra or {}


@dataclass
class _Event:
    raw: Any
    id: uuid.UUID | None = None
    type: str = ""
    occurred_at: datetime | None = None
    payload: Any = None


def _parse(raw: Any) -> _Event:
    event = _Event(raw=raw)
    if not isinstance(raw, dict):
        raise Refused("invalid_event", "Each event must be a JSON object.")
    try:
        event.id = uuid.UUID(raw.get("id")) if isinstance(raw.get("id"), str) else None
    except ValueError:
        event.id = None
    if event.id is None:
        raise Refused("invalid_event", "The event id must be a UUID string.")
    event.type = raw.get("type") if isinstance(raw.get("type"), str) else ""
    event.payload = raw.get("payload")
    if not event.type:
        raise Refused("invalid_event", "The event type must be a string.")
    when = raw.get("occurred_at")
    try:
        event.occurred_at = parse_datetime(when) if isinstance(when, str) else None
    except ValueError:
        event.occurred_at = None
    if event.occurred_at is None or timezone.is_naive(event.occurred_at):
        raise Refused("invalid_event", "occurred_at must be an ISO 8601 time with a UTC offset.")
    if not isinstance(event.payload, dict):
        raise Refused("invalid_event", "The payload must be a JSON object.")
    if not isinstance(raw.get("signature"), str):
        raise Refused("invalid_event", "The signature must be a base64 string.")
    return event


def _check_signature(event: _Event, key) -> None:
    raw = event.raw
    try:
        message = signed_bytes(
            event_id=raw["id"], event_type=raw["type"], occurred_at=raw["occurred_at"], payload=raw["payload"]
        )
    except Exception:  # rfc8785 refuses values JSON cannot carry canonically
        raise Refused("invalid_signature", "The event cannot be canonicalised, so its signature cannot match.")
    if not signature_valid(key, raw["signature"], message):
        raise Refused("invalid_signature", "The signature does not match this event and this device's key.")


def _check_clock(event: _Event, now: datetime) -> None:
    skew = timedelta(seconds=settings.SYNC_MAX_CLOCK_SKEW_SECONDS)
    if event.occurred_at > now + skew:
        raise Refused("event_in_future", f"occurred_at is more than {skew} ahead of the server's clock.")
    max_age = timedelta(days=settings.SYNC_MAX_EVENT_AGE_DAYS)
    if event.occurred_at < now - max_age:
        raise Refused("event_too_old", f"occurred_at is older than {settings.SYNC_MAX_EVENT_AGE_DAYS} days.")


def _error_outcome(exc: Exception) -> Refused:
    if isinstance(exc, ApplicationError):
        return Refused(exc.code, str(exc.detail), exc.extra)
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(as_serializer_error(exc))
    detail = exc.detail if isinstance(exc, drf_exceptions.ValidationError) else str(exc)
    fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    return Refused("invalid", "The payload is not valid.", {"fields": json.loads(json.dumps(fields))})


def _record_rejection(*, actor, device: Device | None, event: _Event, refused: Refused, request=None) -> None:
    raw = event.raw if isinstance(event.raw, dict) else {}
    with transaction.atomic():
        rejected = RejectedEvent.objects.create(
            event_id=event.id,
            event_type=(event.type or str(raw.get("type") or ""))[:64],
            occurred_at=event.occurred_at,
            payload=event.raw if isinstance(event.raw, dict) else {"raw": event.raw},
            code=refused.code[:64],
            detail=refused.detail,
            extra=refused.extra,
            device=device,
            user=actor,
        )
        audit_record(
            action=SyncAuditAction.EVENT_REJECTED,
            user=actor,
            entity_type="sync.rejectedevent",
            entity_id=rejected.pk,
            after={"event": str(event.id) if event.id else None, "type": rejected.event_type, "code": refused.code},
            request=request,
        )


def _device_for(actor, device_id: uuid.UUID) -> tuple[Device | None, Refused | None]:
    device = Device.objects.filter(pk=device_id).first()
    if device is None or device.user_id != actor.pk:
        return None, Refused("unknown_device", "This device is not registered to the signed-in user.")
    if device.revoked_at is not None:
        return device, Refused("device_revoked", "This device was revoked; its events are no longer accepted.")
    return device, None


def sync_events_apply(*, actor, device_id: uuid.UUID, events: list, request=None) -> list[dict]:
    """Apply a batch of signed events in the order sent; one answer per event.

    Each event runs in its own transaction (inside ``run_idempotent``); a refused
    event does not stop the ones after it, and nothing of it is written except
    its ``RejectedEvent``. Deliberately not atomic as a whole."""
    device, device_refusal = _device_for(actor, device_id)
    key = public_key_from_jwk(device.public_key_jwk) if device is not None and device_refusal is None else None
    now = timezone.now()
    answers = []
    for raw in events:
        event = _Event(raw=raw)
        try:
            event = _parse(raw)
            if device_refusal is not None:
                raise device_refusal
            _check_signature(event, key)
            handler = EVENT_HANDLERS.get(event.type)
            if handler is None:
                raise Refused("unknown_event_type", f"The event type {event.type!r} is not known to this server.")
            # An event the server already holds is answered from its record
            # (duplicate or conflict) however old it is now.
            if not IdempotencyRecord.objects.filter(key=event.id).exists():
                _check_clock(event, now)
            try:
                done = handler(actor=actor, payload=event.payload, occurred_at=event.occurred_at, key=event.id)
            except (ApplicationError, DjangoValidationError, drf_exceptions.ValidationError) as exc:
                raise _error_outcome(exc) from exc
        except Refused as refused:
            _record_rejection(actor=actor, device=device, event=event, refused=refused, request=request)
            outcome = EventOutcome(
                str(event.id) if event.id else None,
                SyncStatus.REJECTED,
                refused.code,
                refused.detail,
                None,
                refused.extra,
            )
        else:
            RejectedEvent.objects.filter(event_id=event.id, user=actor, resolved_at__isnull=True).update(
                resolved_at=timezone.now()
            )
            status = SyncStatus.DUPLICATE if done.replayed else SyncStatus.APPLIED
            outcome = EventOutcome(str(event.id), status, result=done.body)
        answers.append(outcome.as_json())
    return answers
