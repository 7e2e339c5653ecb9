"""The audit hash chain: how a row's hash is computed and how the chain is
verified. SHA-256 over the canonical JSON (RFC 8785) of the row's content,
which includes the previous row's hash, so any edit, removal or insertion
shows up as a break at (or right after) the row concerned."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import rfc8785

GENESIS = "0" * 64
HASHED_FIELDS = (
    "chain_index", "prev_hash", "user_id", "user_email", "action", "entity_type", "entity_id",
    "before", "after", "request_meta", "ip_address", "created_at",
)  # fmt: skip


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
    kind: str  # altered | removed | inserted | head
    detail: str

    def __str__(self) -> str:
        where = f"audit row #{self.row_id}" if self.row_id is not None else "audit chain head"
        return f"{where} (chain index {self.chain_index}): {self.kind}: {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> ChainProblem | None:
        return self.problems[0] if self.problems else None


def _walk(rows: Iterator, head) -> tuple[int, list[ChainProblem]]:
    problems: list[ChainProblem] = []
    expected_index, prev_hash, prev_id, count = 1, GENESIS, 0, 0
    for row in rows:
        count += 1
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
        if row.pk <= prev_id:
            problems.append(
                ChainProblem(row.pk, row.chain_index, "inserted", "id is out of order with the chain (inserted)")
            )
        expected_index, prev_hash, prev_id = row.chain_index + 1, row.row_hash, row.pk
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
    return count, problems


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the whole log in chain order and report every break, first one first."""
    from apps.audit.models import AuditChainHead, AuditLog

    problems: list[ChainProblem] = []
    unchained = list(AuditLog.objects.filter(chain_index__isnull=True).order_by("id").values_list("id", flat=True))
    problems.extend(
        ChainProblem(pk, None, "inserted", "row is not part of the chain (inserted out of place)") for pk in unchained
    )
    rows = AuditLog.objects.filter(chain_index__isnull=False).order_by("chain_index").iterator(chunk_size=batch_size)
    head = AuditChainHead.objects.filter(pk=1).first()
    count, chain_problems = _walk(rows, head)
    problems.extend(chain_problems)
    problems.sort(key=lambda p: (p.chain_index is None and p.kind == "head", p.chain_index or 0))
    return ChainReport(rows_checked=count + len(unchained), problems=problems)
