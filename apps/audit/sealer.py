"""The audit sequencer: gives committed audit rows their place in the hash
chain, in batches, after the transactions that wrote them have committed.

Writing transactions only INSERT audit rows (``apps.audit.services``), so no
shared row serialises them. The sealer, like a transparency log's sequencer
(Certificate Transparency, Trillian), is the one writer of the chain: it locks
the chain head, takes the committed rows that have no chain index yet in id
order, assigns each the next index, ``prev_hash`` and ``row_hash``, stamps
``sealed_at``, moves the signed head forward and commits. A row whose
transaction commits after a later-numbered one was sealed simply gets the
next index when it becomes visible: the chain order is the sealing order, and
a row is never sealed twice (the head lock, and the audit log's trigger,
which allows the chain fields to be set only while ``chain_index`` is NULL).

It runs after each commit where ``AUDIT_SEAL_ON_COMMIT`` is on (the embedded
server, the tests), every ``AUDIT_SEAL_INTERVAL`` seconds under Celery beat
(``apps.audit.tasks.seal_audit``) and on demand (``manage.py seal_audit``).
``verify_audit_chain`` lists rows still unsealed and fails when one is older
than ``AUDIT_SEAL_MAX_DELAY`` seconds."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from apps.audit.chain import GENESIS, row_hash
from apps.audit.head import audit_chain_head_ensure, head_advance, lock_chain_head
from apps.audit.models import AuditLog

log = logging.getLogger(__name__)
SEALED_FIELDS = ["chain_index", "prev_hash", "row_hash", "sealed_at"]


@dataclass(frozen=True)
class SealResult:
    sealed: int
    batches: int
    last_index: int | None


def _seal_batch(batch_size: int, *, skip_locked: bool) -> tuple[int, int | None] | None:
    """One transaction: lock the head, chain up to ``batch_size`` committed
    unsealed rows. Returns (rows sealed, head index), or None when another
    sealer holds the head (only with ``skip_locked``)."""
    with transaction.atomic():
        head = lock_chain_head(skip_locked=skip_locked)
        if head is None:
            return None
        rows = list(AuditLog.objects.filter(chain_index__isnull=True).order_by("id")[:batch_size])
        if not rows:
            return 0, head.last_index
        now = timezone.now()
        index, prev = head.last_index, head.last_hash or GENESIS
        for row in rows:
            index += 1
            row.chain_index, row.prev_hash, row.sealed_at = index, prev, now
            row.row_hash = prev = row_hash(row)
        # QuerySet.update is refused on the audit log; the base manager's
        # bulk_update is the sealer's own, checked by the trigger row by row.
        AuditLog._base_manager.bulk_update(rows, SEALED_FIELDS)
        head_advance(index, prev, now)
        return len(rows), index


def seal_pending(
    *, batch_size: int | None = None, max_batches: int | None = None, skip_locked: bool = False
) -> SealResult:
    """Seal every committed unsealed row (or ``max_batches`` batches of them)."""
    size = batch_size or settings.AUDIT_SEAL_BATCH_SIZE
    audit_chain_head_ensure()
    sealed = batches = 0
    last_index = None
    while max_batches is None or batches < max_batches:
        outcome = _seal_batch(size, skip_locked=skip_locked)
        if outcome is None:
            break  # another sealer is at work and will take these rows
        count, last_index = outcome
        if not count:
            break
        sealed += count
        batches += 1
        if count < size:
            break
    return SealResult(sealed=sealed, batches=batches, last_index=last_index)


def seal_after_commit() -> None:
    """The on-commit hook: seal what is committed now. Never lets a sealing
    problem reach the request that already committed its change; the rows stay
    unsealed (and listed by verify_audit_chain) until the next pass."""
    try:
        seal_pending()
    except OperationalError:
        log.warning("audit sealing deferred (database busy); the next pass seals these rows", exc_info=True)
