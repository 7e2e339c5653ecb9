"""Every change of stock goes through ``stock_post``: one atomic posting of a
document's moves, with ordered row locks, an all-or-nothing shortage check and
the audit record. Mistakes are corrected by reversing documents, never edits."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import ApplicationError, InvalidMovement, ValidationFailed, require_reason
from apps.core.sequences import sequence_next
from apps.depots.models import CylinderType, Depot
from apps.inventory import policies
from apps.inventory.enums import (
    REAL_KINDS,
    CylinderState,
    LocationKind,
    MovementType,
    StockDocumentKind,
)
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.locations import location_for_depot, virtual_location
from apps.inventory.locks import balances_lock
from apps.inventory.models import EquipmentMove, Location, StockBalance, StockDocument, StockMove
from apps.inventory.move_line import MoveLine
from apps.inventory.serials import serials_check, serials_record

ANY_STATE = frozenset({CylinderState.FULL, CylinderState.EMPTY})
D, V, C = LocationKind.DEPOT, LocationKind.VEHICLE, LocationKind.CUSTOMER

# movement type -> (allowed from kinds, allowed to kinds, allowed states)
MOVEMENT_RULES: dict[str, tuple[frozenset, frozenset, frozenset]] = {
    MovementType.COLLECTION: (frozenset({D}), frozenset({V}), frozenset({CylinderState.FULL})),
    MovementType.EMPTY_RETURN: (frozenset({V}), frozenset({D}), frozenset({CylinderState.EMPTY})),
    MovementType.FULL_RETURN: (frozenset({V}), frozenset({D}), frozenset({CylinderState.FULL})),
    MovementType.DELIVERY: (frozenset({V}), frozenset({C}), frozenset({CylinderState.FULL})),
    MovementType.RETURN: (frozenset({C}), frozenset({V}), ANY_STATE),
    MovementType.TRANSFER: (frozenset({D}), frozenset({D}), ANY_STATE),
    MovementType.RECEIPT: (frozenset({LocationKind.PLANT}), frozenset({D}), frozenset({CylinderState.FULL})),
    MovementType.DUMP: (frozenset({D}), frozenset({LocationKind.PLANT}), frozenset({CylinderState.EMPTY})),
    MovementType.WRITE_OFF: (REAL_KINDS, frozenset({LocationKind.WRITE_OFF}), ANY_STATE),
}

STOCK_DOCUMENT_PREFIX: dict[str, str] = {
    StockDocumentKind.RECEIPT: "RCV",
    StockDocumentKind.DUMP: "DMP",
    StockDocumentKind.TRANSFER: "TRF",
    StockDocumentKind.ADJUSTMENT: "ADJ",
    StockDocumentKind.WRITE_OFF: "WOF",
    StockDocumentKind.REVERSAL: "REV",
}


def movement_validate(line: MoveLine) -> None:
    """Refuse a move whose type does not fit its from/to locations or state."""
    src, dst = line.from_location.kind, line.to_location.kind
    if line.quantity <= 0:
        raise InvalidMovement(f"A {line.movement_type} quantity must be positive.")
    if line.from_location.pk == line.to_location.pk:
        raise InvalidMovement("A move needs two different locations.")
    if line.movement_type == MovementType.CONSUMPTION:
        # Gas used at a site: the fulls leave for the virtual "consumed" location
        # and come back as empties; the customer never holds more than it was given.
        used = LocationKind.CONSUMPTION
        if (src == C and dst == used and line.state == CylinderState.FULL) or (
            src == used and dst == C and line.state == CylinderState.EMPTY
        ):
            return
    elif line.movement_type == MovementType.ADJUSTMENT:
        adjust = LocationKind.ADJUSTMENT
        ok = (src == adjust and dst in REAL_KINDS) or (dst == adjust and src in REAL_KINDS)
        if ok and line.state in ANY_STATE:
            return
    else:
        rule = MOVEMENT_RULES.get(line.movement_type)
        if rule and src in rule[0] and dst in rule[1] and line.state in rule[2]:
            return
    raise InvalidMovement(
        f"{line.movement_type} cannot move {line.state.lower()} cylinders from a "
        f"{src.lower()} location to a {dst.lower()} location."
    )


def _deltas(lines: list[MoveLine]) -> dict[tuple[int, int], list[int]]:
    deltas: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        slot = 0 if line.state == CylinderState.FULL else 1
        deltas[(line.from_location.pk, line.cylinder_type_id)][slot] -= line.quantity
        deltas[(line.to_location.pk, line.cylinder_type_id)][slot] += line.quantity
    return deltas


def _balance_view(row: StockBalance) -> dict:
    return {
        "location": row.location_id,
        "cylinder_type": row.cylinder_type_id,
        "full": row.full_qty,
        "empty": row.empty_qty,
    }


def _balances_add(changes: list[tuple[int, int, int]], when: datetime) -> None:
    """Add (full, empty) to each locked balance row in ONE statement, relative
    to the stored values (``CASE id WHEN ...``): the hot path of every
    document, where the ORM's per-row saves or ``bulk_update`` cost more in
    Python than the database spends on the rows. The CHECK constraint
    (no real location below zero) still guards the result."""
    qn = connection.ops.quote_name
    table, pk = qn(StockBalance._meta.db_table), qn("id")
    whens = " ".join(["WHEN %s THEN %s"] * len(changes))
    full, empty, updated = qn("full_qty"), qn("empty_qty"), qn("updated_at")
    where = ", ".join(["%s"] * len(changes))
    # Names quoted by the backend, every value a parameter.
    sql = f"UPDATE {table} SET {full} = {full} + CASE {pk} {whens} ELSE 0 END, {empty} = {empty} + CASE {pk} {whens} ELSE 0 END, {updated} = %s WHERE {pk} IN ({where})"  # noqa: E501, S608
    params: list[Any] = [v for pk_, full, _ in changes for v in (pk_, full)]
    params += [v for pk_, _, empty in changes for v in (pk_, empty)]
    params.append(connection.ops.adapt_datetimefield_value(when))
    params += [pk_ for pk_, _, _ in changes]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class Posting(list[StockMove]):
    """The moves of one posting (it is their list), with the balances they
    changed before and after: what the document's one audit record says of
    its stock (``stock_post(..., audit=False)``)."""

    def __init__(self, moves: list[StockMove], before: list[dict], after: list[dict], serials: list | None = None):
        super().__init__(moves)
        self.balances_before, self.balances_after = before, after
        self.serials = serials or [()] * len(moves)

    def audit_after(self) -> dict:
        return {
            "balances": self.balances_after,
            "moves": [
                {
                    "type": m.movement_type,
                    "cylinder_type": m.cylinder_type_id,
                    "state": m.state,
                    "quantity": m.quantity,
                    "from": m.from_location.pk,
                    "to": m.to_location.pk,
                    **({"serials": list(serials)} if serials else {}),
                }
                for m, serials in zip(self, self.serials, strict=True)
            ],
        }


def stock_post(
    *,
    actor: User,
    document_type: str,
    document_id: int,
    lines: list[MoveLine],
    occurred_at: datetime | None = None,
    validate: bool = True,
    audit: bool = True,
) -> Posting:
    """Post a document's moves. Invariant kept: every balance equals the sum of
    its ledger, and no real location is ever below zero. Refuses the whole
    document (InsufficientStock, listing every short line) or posts all of it.
    Writes a ``stock.posted`` audit record, unless ``audit=False``: then the
    caller's own record of the document carries the posting (one document,
    one audit row)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_post must run inside the document's transaction")
    if not lines:
        raise ValidationFailed({"lines": ["A stock document needs at least one line."]})
    if validate:
        for line in lines:
            movement_validate(line)
    when = occurred_at or timezone.now()
    # the serials' Equipment rows are entity rows: locked before the balances
    plan = serials_check(lines, when=when, backwards=all(line.reverses_id for line in lines))
    deltas = _deltas(lines)
    balances = balances_lock(deltas.keys())

    shortages: list[dict[str, Any]] = []
    for key in sorted(deltas):
        row, (d_full, d_empty) = balances[key], deltas[key]
        if row.location_is_virtual:
            continue
        for state, have, delta in (
            (CylinderState.FULL, row.full_qty, d_full),
            (CylinderState.EMPTY, row.empty_qty, d_empty),
        ):
            if have + delta < 0:
                shortages.append(
                    {
                        "location": key[0],
                        "cylinder_type": key[1],
                        "state": state,
                        "available": have,
                        "requested": -delta,
                    }
                )
    if shortages:
        names = dict(Location.objects.filter(id__in={s["location"] for s in shortages}).values_list("id", "name"))
        types = dict(
            CylinderType.objects.filter(id__in={s["cylinder_type"] for s in shortages}).values_list("id", "name")
        )
        for s in shortages:
            s["location_name"], s["cylinder_type_name"] = names[s["location"]], types[s["cylinder_type"]]
        raise InsufficientStock(shortages)

    before = [_balance_view(balances[key]) for key in sorted(deltas)]
    moves = StockMove.objects.bulk_create(
        [
            StockMove(
                movement_type=line.movement_type,
                cylinder_type_id=line.cylinder_type_id,
                state=line.state,
                quantity=line.quantity,
                from_location=line.from_location,
                to_location=line.to_location,
                document_type=document_type,
                document_id=document_id,
                reverses_id=line.reverses_id,
                created_by=actor,
                occurred_at=when,
            )
            for line in lines
        ]
    )
    serials_record(plan, moves, when=when, document=(document_type, document_id))
    changed_at = timezone.now()
    for key, (d_full, d_empty) in deltas.items():
        row = balances[key]  # locked above: safe to change in place
        row.full_qty += d_full
        row.empty_qty += d_empty
        row.updated_at = changed_at
    _balances_add([(balances[key].pk, deltas[key][0], deltas[key][1]) for key in sorted(deltas)], changed_at)
    posting = Posting(
        moves, before, [_balance_view(balances[key]) for key in sorted(deltas)], [line.serials for line in lines]
    )
    if audit:
        audit_record(
            action=AuditAction.STOCK_POSTED,
            user=actor,
            entity_type=document_type,
            entity_id=document_id,
            before={"balances": posting.balances_before},
            after=posting.audit_after(),
        )
    return posting


def stock_reverse(
    *, actor: User, document_type: str, document_id: int, reversal_type: str, reversal_id: int
) -> list[StockMove]:
    """Post compensating moves for every not-yet-reversed move of a document."""
    originals = list(
        StockMove.objects.filter(document_type=document_type, document_id=document_id, reversed_by__isnull=True)
        .exclude(document_type=reversal_type, document_id=reversal_id)
        .select_related("from_location", "to_location", "cylinder_type")
        .order_by("id")
    )
    if not originals:
        raise ApplicationError("This document has nothing left to reverse.", code="already_reversed")
    # the serials go back too: each reversing line carries its original's
    serials: dict[int, list[str]] = defaultdict(list)
    for move_id, serial in (
        EquipmentMove.objects.filter(stock_move__in=[m.pk for m in originals])
        .order_by("id")
        .values_list("stock_move_id", "equipment__serial_number")
    ):
        serials[move_id].append(serial)
    # A reversal's serials are followed backwards (``serials_check``): the last
    # move of a serial in the original is the first one undone.
    lines = [
        MoveLine(
            movement_type=m.movement_type,
            cylinder_type_id=m.cylinder_type_id,
            state=m.state,
            quantity=m.quantity,
            from_location=m.to_location,
            to_location=m.from_location,
            reverses_id=m.pk,
            serials=tuple(serials.get(m.pk, ())),
            serialised=m.cylinder_type.serialised,
            error_path=("moves", m.pk, "serials"),
        )
        for m in originals
    ]
    return stock_post(actor=actor, document_type=reversal_type, document_id=reversal_id, lines=lines, validate=False)


# -- depot and supervisor documents ------------------------------------------------

SUPERVISOR_ONLY = policies.SUPERVISOR_ONLY


def _stock_document_number(kind: str, when: datetime) -> str:
    year = timezone.localtime(when).year
    prefix = STOCK_DOCUMENT_PREFIX[kind]
    return sequence_next(slug=f"stock/{prefix}/{year}", format_string=f"{prefix}-{year}-{{value:06d}}")


@dataclass(frozen=True)
class StockDocumentLine:
    """Cylinders of one type on a stock document; an ADJUSTMENT's quantity is
    signed (+ found, - missing). ``state`` may be left out where the kind
    takes one state only (a receipt: fulls; a dump: empties)."""

    cylinder_type: CylinderType
    quantity: int
    state: str | None = None
    serials: tuple[str, ...] = ()  # one per cylinder; required for a serialised type

    @classmethod
    def of(cls, line: "StockDocumentLine | Mapping[str, Any]") -> "StockDocumentLine":
        if isinstance(line, StockDocumentLine):
            return line
        return cls(line["cylinder_type"], line["quantity"], line.get("state"), tuple(line.get("serials") or ()))


@transaction.atomic
def stock_document_create(
    *,
    actor: User,
    kind: str,
    lines: Sequence[StockDocumentLine | Mapping[str, Any]],
    depot: Depot | None = None,
    to_depot: Depot | None = None,
    location: Location | None = None,
    reason: str = "",
    reference: str = "",
    occurred_at: datetime | None = None,
) -> StockDocument:
    """Record a receipt, dump, transfer, adjustment or write-off (who may:
    ``policies.stock_document_create_check``)."""
    typed = [StockDocumentLine.of(line) for line in lines]
    reason = (reason or "").strip()
    if kind in SUPERVISOR_ONLY and not reason:
        raise ValidationFailed({"reason": ["A reason is required for adjustments and write-offs."]})
    when = occurred_at or timezone.now()

    if kind == StockDocumentKind.RECEIPT:
        src, dst, states, mt = (
            virtual_location(LocationKind.PLANT),
            _need_depot(depot),
            frozenset({CylinderState.FULL}),
            MovementType.RECEIPT,
        )
    elif kind == StockDocumentKind.DUMP:
        src, dst, states, mt = (
            _need_depot(depot),
            virtual_location(LocationKind.PLANT),
            frozenset({CylinderState.EMPTY}),
            MovementType.DUMP,
        )
    elif kind == StockDocumentKind.TRANSFER:
        src, dst, states, mt = _need_depot(depot), _need_depot(to_depot, "to_depot"), ANY_STATE, MovementType.TRANSFER
    elif kind == StockDocumentKind.WRITE_OFF:
        src, dst, states, mt = (
            _need_location(location),
            virtual_location(LocationKind.WRITE_OFF),
            ANY_STATE,
            MovementType.WRITE_OFF,
        )
    elif kind == StockDocumentKind.ADJUSTMENT:
        src, dst, states, mt = (
            _need_location(location),
            virtual_location(LocationKind.ADJUSTMENT),
            ANY_STATE,
            MovementType.ADJUSTMENT,
        )
    else:
        raise ValidationFailed({"kind": [f"{kind} is not a stock document kind that can be created here."]})

    # RECEIPT: the receiving depot; DUMP and TRANSFER: the sending depot.
    policies.stock_document_create_check(actor, kind=kind, depot=depot)

    document = StockDocument.objects.create(
        kind=kind, reason=reason, reference=(reference or "")[:64], created_by=actor, occurred_at=when
    )
    move_lines = []
    for i, line in enumerate(typed):
        state = line.state or (next(iter(states)) if len(states) == 1 else None)
        if state not in states:
            raise ValidationFailed(
                {"lines": {i: {"state": [f"{kind} takes {' or '.join(sorted(states))} cylinders."]}}}
            )
        qty = int(line.quantity)
        if qty == 0 or (qty < 0 and kind != StockDocumentKind.ADJUSTMENT):
            raise ValidationFailed({"lines": {i: {"quantity": ["Must be a positive number."]}}})
        a, b = (dst, src) if (kind == StockDocumentKind.ADJUSTMENT and qty > 0) else (src, dst)
        move_lines.append(
            MoveLine(
                mt,
                line.cylinder_type.pk,
                state,
                abs(qty),
                a,
                b,
                serials=line.serials,
                serialised=line.cylinder_type.serialised,
            )
        )
    stock_post(
        actor=actor,
        document_type="inventory.stockdocument",
        document_id=document.pk,
        lines=move_lines,
        occurred_at=when,
    )
    document.number = _stock_document_number(kind, when)
    document.save(update_fields=["number"])
    return document


def _need_depot(depot: Depot | None, field: str = "depot") -> Location:
    if depot is None:
        raise ValidationFailed({field: ["This field is required for this kind of document."]})
    return location_for_depot(depot)


def _need_location(location: Location | None) -> Location:
    if location is None:
        raise ValidationFailed({"location": ["This field is required for this kind of document."]})
    if location.is_virtual:
        raise InvalidMovement("Adjustments and write-offs apply to a real location (depot, vehicle or customer).")
    return location


@transaction.atomic
def stock_document_reverse(*, actor: User, document_type: str, document_id: int, reason: str) -> StockDocument:
    """Correct a posted document by a REVERSAL document whose moves point at the
    moves they compensate. The original rows stay untouched."""
    policies.stock_document_reverse_allowed(actor)
    reason = require_reason(reason, "A reason is required for a reversal.")
    when = timezone.now()
    reversal = StockDocument.objects.create(
        kind=StockDocumentKind.REVERSAL,
        reason=reason,
        reverses_document_type=document_type,
        reverses_document_id=document_id,
        created_by=actor,
        occurred_at=when,
    )
    stock_reverse(
        actor=actor,
        document_type=document_type,
        document_id=document_id,
        reversal_type="inventory.stockdocument",
        reversal_id=reversal.pk,
    )
    reversal.number = _stock_document_number(StockDocumentKind.REVERSAL, when)
    reversal.save(update_fields=["number"])
    audit_record(
        action=AuditAction.STOCK_REVERSED,
        user=actor,
        entity_type=document_type,
        entity_id=document_id,
        after={"reversal": reversal.number, "reason": reason},
    )
    return reversal
