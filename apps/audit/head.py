"""The audit chain head: the one row (``AuditChainHead``, pk 1) that says
where the hash chain ends, signed with ``AUDIT_HMAC_KEY``
(``apps.audit.chain.head_hmac``). The sealer (``apps.audit.sealer``) is the
only writer: it locks the head, appends, and moves it with ``head_advance``;
each commit that moved it publishes the committed head as one log line on
``apps.audit.head`` (``manage.py audit_head`` prints it on demand), so a copy
kept outside the database can be checked with ``verify_audit_chain
--expect-head``."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import cast

from django.db import IntegrityError, transaction

from apps.audit.chain import head_hmac
from apps.audit.models import AuditChainHead, AuditLog
from apps.core.locks import lock_audit_head

head_log = logging.getLogger("apps.audit.head")


def audit_chain_head_ensure(*, using: str = "default") -> None:
    """Create the chain head if it is missing, continuing from the last row."""
    if AuditChainHead.objects.using(using).filter(pk=1).exists():
        return
    last = AuditLog.objects.using(using).filter(chain_index__isnull=False).order_by("-chain_index").first()
    index, last_hash = (last.chain_index or 0, last.row_hash) if last else (0, "")
    try:
        with transaction.atomic(using=using):
            AuditChainHead.objects.using(using).create(
                pk=1, last_index=index, last_hash=last_hash, last_hmac=head_hmac(index, last_hash)
            )
    except IntegrityError:
        pass  # made concurrently


def audit_head_publish(index: int, last_hash: str, mac: str) -> None:
    """The published copy of the head: one log line, to be shipped off the
    machine (journal, log collector, e-mail) and compared later with
    ``verify_audit_chain --expect-head INDEX:HASH``."""
    head_log.info("audit chain head %s:%s hmac=%s", index, last_hash, mac)


def audit_head_publish_committed() -> None:
    """After a commit that moved the head: publish the committed head (read
    back, so a head rolled back with a savepoint is never published)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        audit_head_publish(head.last_index, head.last_hash, head.last_hmac)


def head_advance(index: int, last_hash: str, when: datetime) -> None:
    """Move the locked head forward to (index, last_hash), signed, and have it
    published once the transaction commits: one publication per transaction,
    however many rows it appends. The database trigger refuses any other move
    (apps.audit.triggers.CHAIN_HEAD)."""
    mac = head_hmac(index, last_hash)
    AuditChainHead.objects.filter(pk=1).update(last_index=index, last_hash=last_hash, last_hmac=mac, updated_at=when)
    on_commit_once(audit_head_publish_committed)


def on_commit_once(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the transaction commits (at once in autocommit),
    once per transaction however often it is asked for. A callback registered
    at this or an enclosing savepoint level already covers the request (Django
    drops those of a rolled-back savepoint)."""
    pending = transaction.get_connection().run_on_commit
    if not any(func is callback for _, func, _ in pending):
        transaction.on_commit(callback)


def lock_chain_head(*, skip_locked: bool = False) -> AuditChainHead | None:
    """The head, locked (the sealer's only lock); None when ``skip_locked``
    and another sealer holds it."""
    from django.db import connection

    skip = skip_locked and connection.features.has_select_for_update_skip_locked
    head = cast("AuditChainHead | None", lock_audit_head(skip_locked=skip))
    if head is not None or skip:
        return head
    # Normally made by migrate; if someone removed it, start where the log ends.
    audit_chain_head_ensure()
    return cast("AuditChainHead | None", lock_audit_head())
