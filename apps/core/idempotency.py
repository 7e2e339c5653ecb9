"""At-most-once execution of a write keyed by a client UUID.

The record is inserted in the same transaction as the document, so either both
exist or neither does. Two concurrent requests with one key: the second blocks
on the primary key until the first commits, then fails with IntegrityError and
replays the stored answer instead."""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rfc8785
from django.db import IntegrityError, transaction

from apps.core.db import retry_on_conflict
from apps.core.exceptions import IdempotencyConflict, ValidationFailed
from apps.core.models import IdempotencyRecord


@dataclass(frozen=True)
class IdempotentResult:
    status_code: int
    body: dict
    replayed: bool


def fingerprint(scope: str, payload: Any) -> str:
    return hashlib.sha256(rfc8785.dumps({"scope": scope, "payload": payload})).hexdigest()


def parse_key(raw: str | None) -> uuid.UUID | None:
    if raw in (None, ""):
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise ValidationFailed({"Idempotency-Key": ["Must be a UUID."]}) from None


def _replay(record: IdempotencyRecord, scope: str, print_: str) -> IdempotentResult:
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
) -> IdempotentResult:
    """Run ``action`` (which returns the JSON answer) at most once per key."""
    if key is None:
        return IdempotentResult(status_code, retry_on_conflict(action)(), replayed=False)
    print_ = fingerprint(scope, payload)
    existing = IdempotencyRecord.objects.filter(key=key).first()
    if existing is not None:
        return _replay(existing, scope, print_)

    @retry_on_conflict
    def attempt() -> dict:
        with transaction.atomic():
            body = action()
            IdempotencyRecord.objects.create(
                key=key,
                scope=scope,
                fingerprint=print_,
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
        return _replay(existing, scope, print_)
