"""The one way to write the audit log. Business services call ``audit_record``
inside their own transaction, so the record commits or rolls back with the
change it describes; outside a transaction (login failures, the middleware)
it opens its own.

A record is only inserted here: no shared row is locked, so writing
transactions never queue behind each other for the audit log. The sealer
(``apps.audit.sealer``, a sequencer in the manner of a transparency log's)
later gives committed rows their place in the hash chain (see
``apps.audit.chain``) in batches, holding the chain head lock itself
(``apps.core.locks.lock_audit_head``, alone in its own transaction); with
``AUDIT_SEAL_ON_COMMIT`` (the embedded server and the tests) it runs right
after each commit, in production Celery beat runs it every
``AUDIT_SEAL_INTERVAL`` seconds.

The head (``apps.audit.head``) carries an HMAC of (index, hash) made with
``AUDIT_HMAC_KEY`` and is published after every commit that moves it, so a
copy can be kept outside the database and checked with ``verify_audit_chain
--expect-head``. Imports run one way: services -> sealer -> head."""

import ipaddress
import json
import math
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from apps.audit.chain import entry_mac
from apps.audit.head import on_commit_once
from apps.audit.models import AuditLog
from apps.audit.sealer import seal_after_commit
from apps.core.request_context import current_request
from apps.core.typing import AnyRequest

if TYPE_CHECKING:
    from apps.accounts.models import User

SECRET_KEYS = {
    "password", "old_password", "new_password", "new_password1", "new_password2", "password1", "password2",
    "token", "access", "refresh", "signature", "secret", "authorization", "cookie", "private_key",
}  # fmt: skip
_SAFE_INT = 2**53 - 1  # RFC 8785 (I-JSON) numbers: larger ones are kept as strings


def client_ip(request: AnyRequest | None) -> str | None:
    """The client address: REMOTE_ADDR, or with NUM_PROXIES trusted proxies the
    hop they appended to X-Forwarded-For. Anything that is not an IP is None."""
    if request is None:
        return None
    meta = getattr(request, "META", {})
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    candidate = meta.get("REMOTE_ADDR")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(str(candidate or "").strip()))
    except ValueError:
        return None


def request_meta(request: AnyRequest | None) -> dict:
    if request is None:
        return {}
    meta = getattr(request, "META", {})
    return {
        "method": getattr(request, "method", ""),
        "path": getattr(request, "path", "")[:500],
        "user_agent": str(meta.get("HTTP_USER_AGENT", ""))[:300],
        "request_id": getattr(request, "request_id", None),
    }


def _clean_str(value: str) -> str:
    # No NUL (PostgreSQL refuses it) and no lone surrogates (not UTF-8).
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _canonical(value: Any) -> Any:
    """JSON-native values that survive every database's JSON column unchanged
    and that RFC 8785 accepts: big integers and non-finite floats as strings,
    integral floats as integers."""
    if isinstance(value, dict):
        return {_clean_str(str(k)): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, str):
        return _clean_str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if abs(value) <= _SAFE_INT else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer():
            return int(value) if abs(value) <= _SAFE_INT else str(value)
        return value
    return _clean_str(str(value))


def scrub(value: Any) -> Any:
    """Drop secrets and make the value JSON-safe (Decimals, dates as strings)."""
    if isinstance(value, dict):
        value = {k: ("***" if str(k).lower() in SECRET_KEYS else scrub(v)) for k, v in value.items()}
    elif isinstance(value, (list, tuple)):
        value = [scrub(v) for v in value]
    return _canonical(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def audit_record(
    *,
    action: str,
    user: AbstractBaseUser | AnonymousUser | None = None,
    entity_type: str = "",
    entity_id: Any = "",
    before: Any = None,
    after: Any = None,
    request: AnyRequest | None = None,
    meta: dict | None = None,
    email: str = "",
) -> AuditLog:
    actor = cast("User | None", user if getattr(user, "pk", None) else None)
    if request is None:  # a service inside a request: the middleware's context
        request = current_request()
    merged = request_meta(request)
    if meta:
        merged.update(meta)
    row = AuditLog(
        user=actor,
        user_email=_clean_str(actor.email if actor else str(email or ""))[:254],
        action=action,
        entity_type=_clean_str(str(entity_type or ""))[:64],
        entity_id=_clean_str(str(entity_id or ""))[:64],
        before=scrub(before) if before is not None else None,
        after=scrub(after) if after is not None else None,
        request_meta=scrub(merged),
        ip_address=client_ip(request),
    )
    row.created_at = timezone.now()
    row.entry_mac = entry_mac(row)
    row.save(force_insert=True)
    if settings.AUDIT_SEAL_ON_COMMIT:
        _seal_after_commit()
    return row


def _seal_after_commit() -> None:
    """Seal once the surrounding transaction commits (at once in autocommit):
    one sealing pass per transaction, however many rows it inserted."""
    on_commit_once(seal_after_commit)
