"""Devices and the offline sync protocol (docs/sync.md).

Each event is checked (shape, content, signature, type, vehicle, owner of the
key, clock) and then applied through the same service and idempotency record
as the online call, in its own transaction, so a batch cut off half-way and
sent again leaves exactly one copy of each event. Every refusal of an event
from a known device is kept as a ``RejectedEvent``; an unexpected error inside
one event is contained (``internal_error``) and the batch goes on. Supervisors
retry or resolve what was refused."""

import contextlib
import json
import logging
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.serializers import as_serializer_error

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.core.exceptions import ApplicationError, ConflictError, Forbidden, ValidationFailed
from apps.core.locks import lock_entity, named_lock
from apps.core.models import IdempotencyRecord
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.core.typing import AnyRequest
from apps.sync.crypto import (
    MAX_SAFE_INTEGER,
    InvalidKey,
    key_thumbprint,
    normalized_jwk,
    public_key_from_jwk,
    signature_valid,
    signed_bytes,
)
from apps.sync.enums import SyncAuditAction, SyncStatus
from apps.sync.handlers import event_apply, event_type_known
from apps.sync.models import Device, RejectedEvent

logger = logging.getLogger(__name__)

REVIEWERS = (Role.ADMIN, Role.SUPERVISOR)


class InvalidPublicKey(ValidationFailed):
    code = "invalid_public_key"


class PublicKeyInUse(ConflictError):
    code = "public_key_in_use"
    default_detail = "This public key is already registered to another user."


class PublicKeyRevoked(ConflictError):
    code = "public_key_revoked"
    default_detail = "This public key belonged to a revoked device; the phone must make a new key."


class SyncBatchTooLarge(ApplicationError):
    code = "sync_batch_too_large"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class DeviceBusy(ApplicationError):
    code = "device_busy"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "Another batch from this phone is still being applied; nothing of this one was recorded. "
        "Send it again in a few seconds."
    )


class AlreadyResolved(ConflictError):
    code = "already_resolved"
    default_detail = "This rejected event is already resolved."


def _require_reviewer(actor: User, what: str) -> None:
    if role_of(actor) not in REVIEWERS:
        raise Forbidden(f"Only an admin or a supervisor may {what}.")


# -- request id --------------------------------------------------------------------

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_for(request: AnyRequest | None) -> str:
    """The id of the current request, for the logs and ``RejectedEvent.request_id``.

    The one place that knows where it comes from: the id the request-context
    middleware (``apps.core.request_context``) put on the request; without it,
    the client's X-Request-ID when it is a sane token, else one made here and
    kept on the request so every rejection of one batch carries the same id."""
    if request is None:
        return uuid.uuid4().hex
    for attr in ("request_id", "_sync_request_id"):
        known = getattr(request, attr, None)
        if isinstance(known, str) and known:
            return known
    raw = getattr(request, "META", {}).get("HTTP_X_REQUEST_ID")
    rid = raw if isinstance(raw, str) and _REQUEST_ID.fullmatch(raw) else uuid.uuid4().hex
    with contextlib.suppress(AttributeError):
        request._sync_request_id = rid
    return rid


# -- devices -----------------------------------------------------------------------


def _register_refused(*, actor: User, thumbprint: str, code: str, request: AnyRequest | None) -> None:
    audit_record(
        action=SyncAuditAction.DEVICE_REGISTER_REFUSED,
        user=actor,
        entity_type="sync.device",
        after={"key_thumbprint": thumbprint, "code": code},
        request=request,
    )


def device_register(*, actor: User, name: str, public_key_jwk: Any, request: AnyRequest | None = None) -> Device:
    """Register the signed-in user's phone (``device.newly_registered`` says
    whether a row was made).

    Only a real P-256 point is kept, and a key belongs to one device of one user
    for good: another user's key is refused (``public_key_in_use``), so is the
    key of a revoked device (``public_key_revoked``); the user's own active key
    answers its existing device. Refusals are audited."""
    try:
        jwk = normalized_jwk(public_key_jwk)
    except InvalidKey as exc:
        raise InvalidPublicKey({"public_key_jwk": [str(exc)]}, detail=str(exc)) from None
    thumbprint = key_thumbprint(jwk)
    for _attempt in range(2):
        existing = Device.objects.filter(key_thumbprint=thumbprint).first()
        if existing is not None:
            if existing.user_id != actor.pk:
                _register_refused(actor=actor, thumbprint=thumbprint, code=PublicKeyInUse.code, request=request)
                raise PublicKeyInUse(extra={"fields": {"public_key_jwk": [PublicKeyInUse.default_detail]}})
            if existing.revoked_at is not None:
                _register_refused(actor=actor, thumbprint=thumbprint, code=PublicKeyRevoked.code, request=request)
                raise PublicKeyRevoked(extra={"fields": {"public_key_jwk": [PublicKeyRevoked.default_detail]}})
            existing.newly_registered = False
            return existing
        try:
            with transaction.atomic():
                device = Device.objects.create(
                    user=actor, name=_clean_text(name).strip()[:120], public_key_jwk=jwk, key_thumbprint=thumbprint
                )
                audit_record(
                    action=SyncAuditAction.DEVICE_REGISTERED,
                    user=actor,
                    entity_type="sync.device",
                    entity_id=device.pk,
                    after={"name": device.name, "public_key_jwk": device.public_key_jwk},
                    request=request,
                )
                device.newly_registered = True
                return device
        except IntegrityError:
            continue  # registered concurrently: decide again against that row
    raise AssertionError("unreachable: the key row exists after an IntegrityError")


@transaction.atomic
def device_revoke(
    *, actor: User, device: Device, revoke_sessions: bool = False, request: AnyRequest | None = None
) -> Device:
    """Stop accepting events signed by this phone (lost, stolen, replaced).

    With ``revoke_sessions`` every outstanding refresh token of the device's
    user is blacklisted too, so the user must sign in again with the password
    (access tokens run out within their 15 minutes)."""
    from apps.accounts.services import user_tokens_revoke

    _require_reviewer(actor, "revoke a device")
    locked = lock_entity(Device.objects.filter(pk=device.pk))
    newly_revoked = locked.revoked_at is None
    if newly_revoked:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
    sessions = user_tokens_revoke(user=locked.user) if revoke_sessions else 0
    if newly_revoked or revoke_sessions:
        audit_record(
            action=SyncAuditAction.DEVICE_REVOKED,
            user=actor,
            entity_type="sync.device",
            entity_id=locked.pk,
            after={
                "user": locked.user_id,
                "revoked_at": locked.revoked_at,
                "revoke_sessions": revoke_sessions,
                "refresh_tokens_revoked": sessions,
            },
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
    """One event refused: ``extra`` goes into the answer and the stored row,
    ``private`` only into the stored row (for supervisors)."""

    def __init__(self, code: str, detail: str, extra: dict | None = None, private: dict | None = None):
        super().__init__(detail)
        self.code, self.detail, self.extra, self.private = code, detail, extra or {}, private or {}


@dataclass
class _Event:
    raw: Any
    id: uuid.UUID | None = None
    type: str = ""
    occurred_at: datetime | None = None
    payload: Any = None


MAX_DEPTH = 16  # nesting of an event; a real one is 4 deep
STORED_DEPTH = 24  # MariaDB's JSON_VALID (the JSON column's check) refuses more than 32 levels
_EARLIEST, _LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


def _hostile_content(value: Any) -> str | None:
    """Why this JSON value must not reach the services or the database, or None.
    Iterative, so no nesting can exhaust the stack."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"The event is nested deeper than {MAX_DEPTH} levels."
        if isinstance(item, dict):
            for k, v in item.items():
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "A text value contains a NUL character."
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "A text value contains an unpaired surrogate (not valid Unicode)."
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_SAFE_INTEGER:
                return "A number is beyond +/-2^53 (not exact on the phone)."
        elif isinstance(item, float) and (not math.isfinite(item) or abs(item) > MAX_SAFE_INTEGER):
            return "A number is out of range."
    return None


def _clean_text(value: str) -> str:
    return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def storable(value: Any, depth: int = 0) -> Any:
    """A JSON value every database's JSON column accepts: no NUL, valid UTF-8,
    finite numbers, bounded nesting. The identity on any acceptable event, so a
    stored event still matches its signature when a supervisor retries it."""
    if depth > STORED_DEPTH:
        return "(nested too deeply)"
    if isinstance(value, dict):
        return {_clean_text(str(k)): storable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v, depth + 1) for v in value]
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return _clean_text(str(value))


def _parse(event: _Event) -> None:
    raw = event.raw
    if not isinstance(raw, dict):
        raise Refused("invalid_event", "Each event must be a JSON object.")
    event.id = uuid.UUID(_raw_id(raw)) if _raw_id(raw) else None
    if event.id is None:
        raise Refused("invalid_event", "The event id must be a UUID string.")
    event.type = raw.get("type") if isinstance(raw.get("type"), str) else ""
    event.payload = raw.get("payload")
    hostile = _hostile_content(raw)
    if hostile:
        raise Refused("invalid_content", hostile)
    if not event.type:
        raise Refused("invalid_event", "The event type must be a string.")
    when = raw.get("occurred_at")
    try:
        parsed = parse_datetime(when) if isinstance(when, str) and len(when) <= 64 else None
        if parsed is not None and timezone.is_aware(parsed):
            parsed = parsed.astimezone(UTC)  # 0001-01-01T00:00+23:59 overflows here
            if not _EARLIEST <= parsed < _LATEST:
                raise Refused("invalid_event", "occurred_at is out of range.")
            event.occurred_at = parsed
    except (ValueError, OverflowError):
        raise Refused("invalid_event", "occurred_at is out of range.") from None
    if event.occurred_at is None:
        raise Refused("invalid_event", "occurred_at must be an ISO 8601 time with a UTC offset.")
    if not isinstance(event.payload, dict):
        raise Refused("invalid_event", "The payload must be a JSON object.")
    if not isinstance(raw.get("signature"), str):
        raise Refused("invalid_event", "The signature must be a base64 string.")


def _check_signature(event: _Event, key: Any) -> None:
    raw = event.raw
    try:
        message = signed_bytes(
            event_id=raw["id"], event_type=raw["type"], occurred_at=raw["occurred_at"], payload=raw["payload"]
        )
    except Exception:  # rfc8785 refuses values JSON cannot carry canonically
        raise Refused("invalid_signature", "The event cannot be canonicalised, so its signature cannot match.")
    if not signature_valid(key, raw["signature"], message):
        raise Refused("invalid_signature", "The signature does not match this event and this device's key.")


def _check_vehicle(actor: User, event: _Event) -> None:
    """A driver records only for the vehicle assigned to them."""
    if role_of(actor) != Role.DRIVER or "vehicle" not in event.payload:
        return
    if actor.vehicle_id is None or str(event.payload["vehicle"]) != str(actor.vehicle_id):
        raise Refused(
            "vehicle_not_assigned",
            "The event is for a vehicle that is not assigned to the signed-in driver.",
        )


def _check_owner(actor: User, event: _Event, owners: dict[uuid.UUID, int | None]) -> bool:
    """Whether the server already holds this event id (its record's owner read
    once per batch, ``owners``); another user's record is never replayed
    (whatever the idempotency layer does)."""
    if event.id not in owners:
        return False
    if owners[event.id] != actor.pk:
        raise Refused("idempotency_conflict", "This event id was already used by another user.")
    return True


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


def _apply(*, actor: User, key: Any, event: _Event, now: datetime, owners: dict[uuid.UUID, int | None]) -> Any:
    """Every check, then the handler. Raises Refused; fills ``event`` as it goes."""
    _parse(event)
    _check_signature(event, key)
    if not event_type_known(event.type):
        raise Refused("unknown_event_type", f"The event type {event.type!r} is not known to this server.")
    _check_vehicle(actor, event)
    # An event the server already holds is answered from its record
    # (duplicate or conflict) however old it is now.
    if not _check_owner(actor, event, owners):
        _check_clock(event, now)
    try:
        return event_apply(
            event_type=event.type, actor=actor, payload=event.payload, occurred_at=event.occurred_at, key=event.id
        )
    except (ApplicationError, DjangoValidationError, drf_exceptions.ValidationError) as exc:
        raise _error_outcome(exc) from exc


def _event_transaction() -> contextlib.AbstractContextManager:
    """A savepoint when an outer transaction is open (tests, ATOMIC_REQUESTS), so a
    database error inside one event cannot poison the rest. In autocommit the
    handler's own transaction (run_idempotent) already is the event's, and no
    outer block must be opened: it would disable the deadlock retries."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def _apply_contained(
    *, actor: User, key: Any, raw: Any, now: datetime, request_id: str, owners: dict[uuid.UUID, int | None]
) -> tuple[_Event, EventOutcome, Refused | None]:
    """One event, whatever happens inside it: applied, duplicate or refused."""
    event = _Event(raw=raw)
    try:
        with _event_transaction():
            done = _apply(actor=actor, key=key, event=event, now=now, owners=owners)
    except Refused as exc:
        refused = exc
    except Exception as exc:  # contained: logged, kept for a supervisor to retry
        logger.exception("sync: event %s of user %s failed (request %s)", event.id, actor.pk, request_id)
        refused = Refused(
            "internal_error",
            f"Unexpected server error while applying this event (request {request_id}). It was logged and "
            "kept; a supervisor can retry it.",
            {"request_id": request_id},
            {"exception": type(exc).__name__},
        )
    else:
        status_ = SyncStatus.DUPLICATE if done.replayed else SyncStatus.APPLIED
        return event, EventOutcome(str(event.id), status_, result=done.body), None
    outcome = EventOutcome(
        str(event.id) if event.id else None, SyncStatus.REJECTED, refused.code, refused.detail, None, refused.extra
    )
    return event, outcome, refused


def _record_rejection(
    *, actor: User, device: Device, event: _Event, refused: Refused, request_id: str, request: AnyRequest | None = None
) -> None:
    raw = event.raw if isinstance(event.raw, dict) else {}
    with transaction.atomic():
        rejected = RejectedEvent.objects.create(
            event_id=event.id,
            event_type=_clean_text(event.type or str(raw.get("type") or ""))[:64],
            occurred_at=event.occurred_at,
            payload=storable(event.raw if isinstance(event.raw, dict) else {"raw": event.raw}),
            code=refused.code[:64],
            detail=_clean_text(refused.detail),
            extra=storable({**refused.extra, **refused.private}),
            device=device,
            user=actor,
            request_id=request_id,
        )
        audit_record(
            action=SyncAuditAction.EVENT_REJECTED,
            user=actor,
            entity_type="sync.rejectedevent",
            entity_id=rejected.pk,
            after={"event": str(event.id) if event.id else None, "type": rejected.event_type, "code": refused.code},
            request=request,
            meta={"request_id": request_id},
        )


def _resolve_open(*, user: User, event_ids: list[uuid.UUID], note: str, by: User | None = None) -> int:
    """Close the open rejections of these event ids (one statement)."""
    return RejectedEvent.objects.filter(event_id__in=event_ids, user=user, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by, resolution_note=note
    )


def _device_for(actor: User, device_id: uuid.UUID) -> tuple[Device | None, Refused | None]:
    device = Device.objects.filter(pk=device_id).first()
    if device is None or device.user_id != actor.pk:
        return None, Refused("unknown_device", "This device is not registered to the signed-in user.")
    if device.revoked_at is not None:
        return device, Refused("device_revoked", "This device was revoked; its events are no longer accepted.")
    return device, None


def _raw_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) and len(value) <= 64 else None
    except ValueError:
        return None


def sync_batch_check_size(*, content_length: Any) -> None:
    """413 before the body is read: the batch is over SYNC_MAX_BYTES."""
    try:
        size = int(content_length or 0)
    except (TypeError, ValueError):
        size = 0
    if size > settings.SYNC_MAX_BYTES:
        raise SyncBatchTooLarge(
            f"The batch is {size} bytes; at most {settings.SYNC_MAX_BYTES} bytes per request. Send fewer events.",
            extra={"max_bytes": settings.SYNC_MAX_BYTES, "max_events": settings.SYNC_MAX_EVENTS},
        )


def sync_events_apply(
    *, actor: User, device_id: uuid.UUID, events: list, request: AnyRequest | None = None
) -> list[dict]:
    """Apply a batch of signed events in the order sent; one answer per event.

    Each event runs in its own transaction (inside ``run_idempotent``); a refused
    event, or one that fails unexpectedly, does not stop the ones after it, and
    nothing of it is written except its ``RejectedEvent``. Deliberately not
    atomic as a whole. A batch from an unknown or revoked device is answered
    event by event but leaves only one audit row."""
    if len(events) > settings.SYNC_MAX_EVENTS:
        raise SyncBatchTooLarge(
            f"{len(events)} events; at most {settings.SYNC_MAX_EVENTS} per request. Send the rest in another.",
            extra={"max_bytes": settings.SYNC_MAX_BYTES, "max_events": settings.SYNC_MAX_EVENTS},
        )
    request_id = request_id_for(request)
    device, device_refusal = _device_for(actor, device_id)
    if device_refusal is not None:
        if events:
            audit_record(
                action=SyncAuditAction.BATCH_REFUSED,
                user=actor,
                entity_type="sync.device",
                entity_id=device_id,
                after={"code": device_refusal.code, "events": len(events)},
                request=request,
                meta={"request_id": request_id},
            )
        refusal = EventOutcome(None, SyncStatus.REJECTED, device_refusal.code, device_refusal.detail)
        return [{**refusal.as_json(), "id": _raw_id(raw)} for raw in events]

    # One device's batches one after the other, never interleaved: a copy of a
    # batch resent while the first is still being applied waits for it (its
    # events then come back duplicate), so the device's events apply in the
    # order the phone made them. Busy past SYNC_DEVICE_WAIT: 503, retried.
    with named_lock(f"lpg-sync-device-{device.pk}", wait=settings.SYNC_DEVICE_WAIT) as taken:
        if not taken:
            raise DeviceBusy()
        return _events_apply(actor=actor, device=device, events=events, request=request, request_id=request_id)


def _events_apply(
    *, actor: User, device: Device, events: list, request: AnyRequest | None, request_id: str
) -> list[dict]:
    key = public_key_from_jwk(device.public_key_jwk)
    now = timezone.now()
    # Which of the batch's event ids the server already holds, and whose: one
    # read for the batch (a replayed backlog is mostly these).
    ids = {uuid.UUID(i) for raw in events if (i := _raw_id(raw))}
    owners = dict(IdempotencyRecord.objects.filter(key__in=ids).values_list("key", "user_id")) if ids else {}
    answers, accepted = [], []
    for raw in events:
        event, outcome, refused = _apply_contained(
            actor=actor, key=key, raw=raw, now=now, request_id=request_id, owners=owners
        )
        if refused is not None:
            _record_rejection(
                actor=actor, device=device, event=event, refused=refused, request_id=request_id, request=request
            )
        else:
            accepted.append(event.id)
            if event.id is not None:
                owners[event.id] = actor.pk  # sent twice in one batch: the second is a duplicate
        answers.append(outcome.as_json())
    if accepted:
        _resolve_open(user=actor, event_ids=accepted, note="Sent again by the phone and accepted.")
    return answers


# -- review of rejected events -----------------------------------------------------


def rejected_event_retry(*, actor: User, rejected: RejectedEvent, request: AnyRequest | None = None) -> dict:
    """Send a stored rejected event again through the same path, as its driver.

    The clock window is measured from when the server first received it. Applied
    (or found already applied): this and every open rejection of the same event
    are resolved. Refused again: the row shows the new reason. Audited; no new
    ``RejectedEvent`` is made. Answers the event's outcome."""
    _require_reviewer(actor, "retry a rejected event")
    if rejected.resolved_at is not None:
        raise AlreadyResolved()
    request_id = request_id_for(request)
    user = rejected.user
    if rejected.device_id is None:
        device, refusal = None, Refused("unknown_device", "The event came from no registered device.")
    else:
        device, refusal = _device_for(user, rejected.device_id)
    if refusal is not None:
        outcome = EventOutcome(
            str(rejected.event_id) if rejected.event_id else None, SyncStatus.REJECTED, refusal.code, refusal.detail
        )
    else:
        key = public_key_from_jwk(device.public_key_jwk)
        known = IdempotencyRecord.objects.filter(key=rejected.event_id).values_list("key", "user_id")
        _event, outcome, refusal = _apply_contained(
            actor=user,
            key=key,
            raw=rejected.payload,
            now=rejected.created_at,
            request_id=request_id,
            owners=dict(known) if rejected.event_id else {},
        )

    with transaction.atomic():
        row = lock_entity(RejectedEvent.objects.filter(pk=rejected.pk))
        before = {"code": row.code, "resolved_at": row.resolved_at}
        row.retries += 1
        fields = ["retries"]
        if refusal is None:
            note = f"Retried by {actor.email}: {outcome.status}."
            if row.resolved_at is None:
                row.resolved_at, row.resolved_by, row.resolution_note = timezone.now(), actor, note
                fields += ["resolved_at", "resolved_by", "resolution_note"]
            if row.event_id:
                _resolve_open(user=user, event_ids=[row.event_id], note=note, by=actor)
        else:
            row.code, row.detail = refusal.code[:64], _clean_text(refusal.detail)
            row.extra, row.request_id = storable({**refusal.extra, **refusal.private}), request_id
            fields += ["code", "detail", "extra", "request_id"]
        row.save(update_fields=fields)
        audit_record(
            action=SyncAuditAction.EVENT_RETRIED,
            user=actor,
            entity_type="sync.rejectedevent",
            entity_id=row.pk,
            before=before,
            after={"status": outcome.status, "code": outcome.code or None, "resolved_at": row.resolved_at},
            request=request,
            meta={"request_id": request_id},
        )
    rejected.refresh_from_db()
    return outcome.as_json()


@transaction.atomic
def rejected_event_resolve(
    *, actor: User, rejected: RejectedEvent, note: str, request: AnyRequest | None = None
) -> RejectedEvent:
    """Close a rejected event by hand (re-entered online, written off, ...), with a note."""
    _require_reviewer(actor, "resolve a rejected event")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": ["Say how this event was settled."]})
    row = lock_entity(RejectedEvent.objects.filter(pk=rejected.pk))
    if row.resolved_at is not None:
        raise AlreadyResolved()
    row.resolved_at, row.resolved_by, row.resolution_note = timezone.now(), actor, _clean_text(note)[:2000]
    row.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    audit_record(
        action=SyncAuditAction.EVENT_RESOLVED,
        user=actor,
        entity_type="sync.rejectedevent",
        entity_id=row.pk,
        before={"resolved_at": None},
        after={"resolved_at": row.resolved_at, "note": row.resolution_note, "code": row.code},
        request=request,
    )
    return row
