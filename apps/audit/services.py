"""The one way to write the audit log. Business services call ``audit_record``
inside their own transaction, so the record commits or rolls back with the
change it describes."""

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from apps.audit.models import AuditLog

SECRET_KEYS = {"password", "old_password", "new_password", "token", "access", "refresh", "signature", "secret"}


def client_ip(request) -> str | None:
    if request is None:
        return None
    meta = getattr(request, "META", {})
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return meta.get("REMOTE_ADDR") or None


def request_meta(request) -> dict:
    if request is None:
        return {}
    meta = getattr(request, "META", {})
    return {
        "method": getattr(request, "method", ""),
        "path": getattr(request, "path", ""),
        "user_agent": meta.get("HTTP_USER_AGENT", "")[:300],
    }


def scrub(value: Any) -> Any:
    """Drop secrets and make the value JSON-safe (Decimals, dates as strings)."""
    import json

    if isinstance(value, dict):
        value = {k: ("***" if str(k).lower() in SECRET_KEYS else scrub(v)) for k, v in value.items()}
    elif isinstance(value, (list, tuple)):
        value = [scrub(v) for v in value]
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_record(
    *,
    action: str,
    user=None,
    entity_type: str = "",
    entity_id: Any = "",
    before: Any = None,
    after: Any = None,
    request=None,
    meta: dict | None = None,
    email: str = "",
) -> AuditLog:
    actor = user if getattr(user, "pk", None) else None
    merged = request_meta(request)
    if meta:
        merged.update(meta)
    return AuditLog.objects.create(
        user=actor,
        user_email=(actor.email if actor else email)[:254],
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id or "")[:64],
        before=scrub(before) if before is not None else None,
        after=scrub(after) if after is not None else None,
        request_meta=scrub(merged),
        ip_address=client_ip(request),
        created_at=timezone.now(),
    )
