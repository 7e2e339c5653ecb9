"""The audit hash chain: how a row's hash is computed and how the chain is
verified. SHA-256 over the canonical JSON (RFC 8785) of the row's content,
which includes the previous row's hash, so any edit, removal or insertion
shows up as a break at (or right after) the row concerned."""

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import rfc8785

GENESIS = "0" * 64
HASHED_FIELDS = (
    "chain_index", "prev_hash", "user_id", "user_email", "action", "entity_type", "entity_id",
    "before", "after", "request_meta", "ip_address", "created_at",
)  # fmt: skip


def head_hmac(index: int, last_hash: str, *, key: str | None = None) -> str:
    """HMAC-SHA256 of the chain head with ``AUDIT_HMAC_KEY`` (from the
    environment, never stored in the database)."""
    from django.conf import settings

    secret = (key if key is not None else settings.AUDIT_HMAC_KEY).encode()
    return hmac.new(secret, f"lpg-audit-head:{index}:{last_hash or ''}".encode(), hashlib.sha256).hexdigest()


ENTRY_FIELDS = tuple(f for f in HASHED_FIELDS if f not in ("chain_index", "prev_hash"))


def entry_mac(row, *, key: str | None = None) -> str:
    """HMAC-SHA256 of an audit row's own content, made by the application when
    it inserts the row (before any chain fields exist). Whoever can INSERT into
    the log without ``AUDIT_HMAC_KEY`` cannot make a row the sealer would
    accept as genuine: ``verify_chain`` names it ``forged``."""
    from django.conf import settings

    secret = (key if key is not None else settings.AUDIT_HMAC_KEY).encode()
    content = {name: getattr(row, name) for name in ENTRY_FIELDS}
    content["created_at"] = _timestamp(row.created_at)
    return hmac.new(secret, b"lpg-audit-row:" + rfc8785.dumps(content), hashlib.sha256).hexdigest()


def entry_mac_ok(row) -> bool:
    # Rows chained before sealing existed (no sealed_at) carry no MAC: the
    # signed head that covered them at the time vouches for them instead.
    if not row.entry_mac:
        return row.chain_index is not None and row.sealed_at is None
    return hmac.compare_digest(row.entry_mac, entry_mac(row))


def head_signature_ok(head) -> bool:
    return hmac.compare_digest(head.last_hmac or "", head_hmac(head.last_index, head.last_hash))


def _timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_content(row) -> dict:
    """The hashed content of an audit row (a model instance, current or historical)."""
    content = {name: getattr(row, name) for name in HASHED_FIELDS}
    content["created_at"] = _timestamp(row.created_at)
    return content


def row_hash(row) -> str:
    return hashlib.sha256(rfc8785.dumps(row_content(row))).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    row_id: int | None
    chain_index: int | None
    kind: str  # altered | forged | removed | inserted | head | signature | anchor | truncated | unsealed
    detail: str

    def __str__(self) -> str:
        if self.row_id is not None:
            where = f"audit row #{self.row_id}"
        elif self.kind == "truncated":
            where = "audit log"
        else:
            where = "audit chain head"
        return f"{where} (chain index {self.chain_index}): {self.kind}: {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    problems: list[ChainProblem]
    # Rows not sealed yet (ids, oldest first): listed, never skipped silently;
    # a problem only once older than AUDIT_SEAL_MAX_DELAY.
    unsealed: tuple[int, ...] = ()
    oldest_unsealed_seconds: float | None = None
    # The longest time a row waited for its seal (rows sealed with sealed_at).
    max_seal_delay_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> ChainProblem | None:
        return self.problems[0] if self.problems else None


FORGED = (
    "the row's entry MAC does not match AUDIT_HMAC_KEY: it was inserted by someone other than the "
    "application, or its content was changed (or AUDIT_HMAC_KEY is not the key it was written with)"
)


def _walk(rows: Iterator, head) -> tuple[int, list[ChainProblem], float | None]:
    problems: list[ChainProblem] = []
    expected_index, prev_hash, count = 1, GENESIS, 0
    max_delay: float | None = None
    for row in rows:
        count += 1
        if row.sealed_at is not None:
            delay = (row.sealed_at - row.created_at).total_seconds()
            max_delay = delay if max_delay is None else max(max_delay, delay)
        if row.chain_index != expected_index:
            if row.chain_index > expected_index:
                missing = (
                    f"{expected_index}"
                    if row.chain_index == expected_index + 1
                    else (f"{expected_index}..{row.chain_index - 1}")
                )
                problems.append(
                    ChainProblem(
                        row.pk,
                        row.chain_index,
                        "removed",
                        f"chain index {missing} missing before this row (row removed)",
                    )  # fmt: skip
                )
            else:  # duplicates are refused by the unique index; kept for completeness
                problems.append(ChainProblem(row.pk, row.chain_index, "inserted", "repeats a chain index"))
        if row.prev_hash != prev_hash:
            problems.append(
                ChainProblem(
                    row.pk,
                    row.chain_index,
                    "inserted",
                    "prev_hash does not match the hash of the row before it: a row was inserted, "
                    "removed or rewritten just before this one",
                )  # fmt: skip
            )
        if row_hash(row) != row.row_hash:
            problems.append(ChainProblem(row.pk, row.chain_index, "altered", "content does not match its hash"))
        elif not entry_mac_ok(row):
            problems.append(ChainProblem(row.pk, row.chain_index, "forged", FORGED))
        # Ids need not follow the chain: a transaction that commits late is
        # sealed after rows with higher ids (the chain order is sealing order).
        expected_index, prev_hash = row.chain_index + 1, row.row_hash
    if head is not None and (
        head.last_index != expected_index - 1 or (head.last_index and head.last_hash != prev_hash)
    ):
        problems.append(
            ChainProblem(
                None,
                head.last_index,
                "head",
                f"the chain head says {head.last_index} rows ending in {head.last_hash[:12]}..., "
                f"the log has {expected_index - 1} ending in {prev_hash[:12]}... "
                "(rows removed at the end, or the head was edited)",
            )  # fmt: skip
        )
    return count, problems, max_delay


# Business tables whose every row is written, in its service, before the audit
# row that records it (same transaction, same process clock): the newest of
# them can never be newer than the newest audit row.
AUDITED_TABLES = (
    ("inventory.StockMove", "recorded_at", "stock moves"),
    ("inventory.StockDocument", "created_at", "stock documents"),
    ("distribution.DistributionHeader", "created_at", "distributions"),
    ("billing.Invoice", "created_at", "invoices"),
    ("billing.CreditNote", "created_at", "credit notes"),
)


def _truncation_problems() -> list[ChainProblem]:
    """The log emptied or cut at the end while the documents it records stay."""
    from django.apps import apps
    from django.db.models import Max

    from apps.audit.models import AuditLog

    last_audit = AuditLog.objects.aggregate(newest=Max("created_at"))["newest"]
    problems = []
    for label, field, name in AUDITED_TABLES:
        newest = apps.get_model(label)._base_manager.aggregate(newest=Max(field))["newest"]
        if newest is None:
            continue
        if last_audit is None:
            detail = f"the audit log is empty but {name} exist (newest {newest.isoformat()}): the log was truncated"
        elif newest > last_audit:
            detail = (
                f"the newest of the {name} ({newest.isoformat()}) is later than the newest audit row "
                f"({last_audit.isoformat()}): audit rows were removed at the end"
            )
        else:
            continue
        problems.append(ChainProblem(None, None, "truncated", detail))
    return problems


def _anchor_problems(expect_head: tuple[int, str], head) -> list[ChainProblem]:
    """Compare with a copy of the head kept outside the database."""
    from apps.audit.models import AuditLog

    index, expected = expect_head
    row = AuditLog.objects.filter(chain_index=index).only("pk", "row_hash").first()
    if row is None:
        return [
            ChainProblem(
                None,
                index,
                "anchor",
                f"the published head {index}:{expected[:12]}... is not in the log "
                f"(the head is at {head.last_index if head else 'nothing'}): the chain was rewound or truncated",
            )  # fmt: skip
        ]
    if row.row_hash != expected:
        return [
            ChainProblem(
                row.pk,
                index,
                "anchor",
                f"this row's hash {row.row_hash[:12]}... differs from the published head {index}:{expected[:12]}...: "
                "the chain was rewritten and re-hashed",
            )  # fmt: skip
        ]
    return []


def verify_chain(*, batch_size: int = 2000, expect_head: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole log in chain order and report every break, first one first;
    then the head's HMAC, a log emptied or cut while documents remain, and
    (given a copy kept elsewhere) that the published head is still in the chain."""
    from django.conf import settings
    from django.utils import timezone

    from apps.audit.models import AuditChainHead, AuditLog

    problems: list[ChainProblem] = []
    now = timezone.now()
    pending = list(AuditLog.objects.filter(chain_index__isnull=True).order_by("id"))
    unsealed = [(row.pk, row.created_at) for row in pending]
    oldest = max(((now - created).total_seconds() for _, created in unsealed), default=None)
    problems.extend(ChainProblem(row.pk, None, "forged", FORGED) for row in pending if not entry_mac_ok(row))
    problems.extend(
        ChainProblem(
            pk,
            None,
            "unsealed",
            f"not sealed into the chain {age:.0f} s after it was written (limit AUDIT_SEAL_MAX_DELAY = "
            f"{settings.AUDIT_SEAL_MAX_DELAY:.0f} s): is the sealer (Celery beat, `manage.py seal_audit`) running?",
        )
        for pk, created in unsealed
        if (age := (now - created).total_seconds()) > settings.AUDIT_SEAL_MAX_DELAY
    )
    rows = AuditLog.objects.filter(chain_index__isnull=False).order_by("chain_index").iterator(chunk_size=batch_size)
    head = AuditChainHead.objects.filter(pk=1).first()
    count, chain_problems, max_delay = _walk(rows, head)
    problems.extend(chain_problems)
    if head is None and count:
        problems.append(ChainProblem(None, None, "head", "the chain head row is missing"))
    if head is not None and not head_signature_ok(head):
        problems.append(
            ChainProblem(
                None,
                head.last_index,
                "signature",
                "the chain head's HMAC does not match AUDIT_HMAC_KEY: the head was written without the key "
                "(a rewound or re-hashed chain), or the key changed",
            )  # fmt: skip
        )
    problems.extend(_truncation_problems())
    if expect_head is not None:
        problems.extend(_anchor_problems(expect_head, head))
    problems.sort(key=lambda p: (p.row_id is None, p.chain_index or 0))
    return ChainReport(
        rows_checked=count,
        problems=problems,
        unsealed=tuple(pk for pk, _ in unsealed),
        oldest_unsealed_seconds=oldest,
        max_seal_delay_seconds=max_delay,
    )
