"""At-most-once execution of a write keyed by a client UUID.

The record is inserted in the same transaction as the document, so either both
exist or neither does. Two concurrent requests with one key: the second blocks
on the primary key until the first commits, then fails with IntegrityError and
replays the stored answer instead.

A record belongs to the user who made it: the same key from another user is a
409 ``idempotency_conflict`` (whatever the body), never a replay of someone
else's document. Every document-creating POST requires the key
(``require_key``: 428 ``idempotency_key_required`` without it); views that do
not call ``run_idempotent`` themselves use the ``idempotent_create`` decorator."""

import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rfc8785
from django.db import IntegrityError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from apps.core.db import command_transaction, retry_on_conflict
from apps.core.exceptions import IdempotencyConflict, IdempotencyKeyRequired, ValidationFailed
from apps.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER, OpenApiTypes.UUID, OpenApiParameter.HEADER, required=True,
    description="Client UUID, required: the same key and body from the same user replays the first answer; "
    "another body, or another user, is 409 idempotency_conflict; no key is 428 idempotency_key_required.",
)  # fmt: skip


@dataclass(frozen=True)
class IdempotentResult:
    status_code: int
    body: dict
    replayed: bool


def fingerprint(scope: str, payload: Any) -> str:
    try:
        canonical = rfc8785.dumps({"scope": scope, "payload": payload})
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        # Raw request bodies (idempotent_create) may hold what RFC 8785 refuses
        # (integers beyond 2**53, non-JSON types): a stable encoding still fingerprints them.
        canonical = json.dumps({"scope": scope, "payload": payload}, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()


def parse_key(raw: str | None) -> uuid.UUID | None:
    if raw in (None, ""):
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise ValidationFailed({"Idempotency-Key": ["Must be a UUID."]}) from None


def require_key(request) -> uuid.UUID:
    """The request's Idempotency-Key as a UUID: 428 when absent, 400 when not a UUID."""
    key = parse_key(request.headers.get(HEADER))
    if key is None:
        raise IdempotencyKeyRequired()
    return key


class _Unread:
    """``run_idempotent``'s default: the key's record not read yet."""


UNREAD = _Unread()


def _replay(record: IdempotencyRecord, scope: str, print_: str, user: Any) -> IdempotentResult:
    if record.user_id != getattr(user, "pk", None):
        raise IdempotencyConflict("This Idempotency-Key was already used by another user.")
    if record.scope != scope or record.fingerprint != print_:
        raise IdempotencyConflict()
    return IdempotentResult(record.status_code, record.response_body, replayed=True)


def run_idempotent(
    *,
    key: uuid.UUID | None,
    scope: str,
    payload: Any,
    user: Any,
    action: Callable[[], dict],
    status_code: int = 201,
    request_fingerprint: str = "",
    record: IdempotencyRecord | None | _Unread = UNREAD,
) -> IdempotentResult:
    """Run ``action`` (which returns the JSON answer) at most once per key.
    ``request_fingerprint``: of the body as sent, stored for ``replay_sent``.
    ``record``: the key's record as ``replay_sent`` read it in this request
    (None: there was none), so it is not read twice; a record written since
    by a concurrent request is found by the unique key on insert."""
    if key is None:
        return IdempotentResult(status_code, retry_on_conflict(action)(), replayed=False)
    print_ = fingerprint(scope, payload)
    existing = IdempotencyRecord.objects.filter(key=key).first() if isinstance(record, _Unread) else record
    if existing is not None:
        return _replay(existing, scope, print_, user)

    @retry_on_conflict
    def attempt() -> dict:
        with command_transaction():
            body = action()
            IdempotencyRecord.objects.create(
                key=key,
                scope=scope,
                fingerprint=print_,
                request_fingerprint=request_fingerprint,
                user=user if getattr(user, "pk", None) else None,
                status_code=status_code,
                response_body=body,
            )
            return body

    try:
        return IdempotentResult(status_code, attempt(), replayed=False)
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(key=key).first()
        if existing is None:
            raise
        return _replay(existing, scope, print_, user)


@dataclass(frozen=True)
class SentReplay:
    """What ``replay_sent`` found: the stored answer to replay (or None) and
    the key's record as read (None when there is none), for ``run_idempotent``."""

    result: IdempotentResult | None
    record: IdempotencyRecord | None | _Unread


def replay_sent(*, key: uuid.UUID | None, scope: str, request_fingerprint: str, user: Any) -> SentReplay:
    """The stored answer when this user already sent exactly this body with
    this key (one primary-key read, no validation); otherwise no result, and
    the caller takes the full path (validation, then ``run_idempotent`` with
    the record read here, which also replays a body that differs only in form,
    or refuses a conflict)."""
    if key is None:
        return SentReplay(None, UNREAD)
    record = IdempotencyRecord.objects.filter(key=key).first()
    if (
        record is None
        or record.user_id != getattr(user, "pk", None)
        or record.scope != scope
        or not record.request_fingerprint
        or record.request_fingerprint != request_fingerprint
    ):
        return SentReplay(None, record)
    return SentReplay(IdempotentResult(record.status_code, record.response_body, replayed=True), record)


class _NotCreated(Exception):
    """The view answered without creating (no 201): roll back, store nothing."""

    def __init__(self, response):
        self.response = response


def _request_payload(request, kwargs: dict) -> dict:
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        data = dict(data.lists())
    return {"data": data, "url": {k: str(v) for k, v in kwargs.items()}}


def idempotent_create(scope: str):
    """Decorate a DRF view method that creates a document and answers 201: the
    Idempotency-Key is required, and the method runs at most once per key, in
    one transaction with the key's record (bound to the user). The same key and
    body replays the stored answer; the schema documents the required header."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(view, request, *args, **kwargs):
            key = require_key(request)
            answered = {}

            def action() -> dict:
                response = method(view, request, *args, **kwargs)
                if response.status_code != 201:
                    raise _NotCreated(response)
                answered["response"] = response
                return response.data

            try:
                result = run_idempotent(
                    key=key, scope=scope, payload=_request_payload(request, kwargs), user=request.user, action=action
                )
            except _NotCreated as not_created:
                return not_created.response
            response = answered.get("response") if not result.replayed else None
            if response is None:
                response = Response(result.body, status=result.status_code)
            response["Idempotent-Replayed"] = str(result.replayed).lower()
            return response

        return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)

    return decorate
