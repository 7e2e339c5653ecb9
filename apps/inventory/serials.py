"""Serial numbers on ledger moves: where each serialised cylinder is.

``stock_post`` calls ``serials_check`` before it locks the balances and
``serials_record`` once its moves exist. A serial's position is its
Equipment row's (``location``, ``state``); every move line carrying serials
must find each of them at the line's source in the line's state, and leaves
them at its destination. The lines of a document are followed in order, so a
delivery's returned empties (a CONSUMPTION pair at the customer's site, then
the RETURN) are checked as one chain: the serial must be held FULL at the
customer, the CONSUMPTION pair turns it EMPTY where it is (through the
virtual "consumed" location, within the document only), then it leaves on the
truck. A reversal runs its lines backwards (``stock_reverse``).

Refusals, each for the whole document and before anything is written:
400 ``invalid`` (unknown serial, a serial of another type, one twice, count
not equal to the quantity, none on a serialised type), 422
``serial_not_here`` (not at the source or not in the move's state), 422
``retest_overdue`` (collected or delivered past its hydrostatic retest date;
returns, empty/full returns, dumps, transfers, write-offs stay allowed).

Queries: one locking SELECT (``lock_entities``) of every serial of the document (the
entity rank: before the balances), one bulk INSERT of the history, one
UPDATE per distinct final (location, state)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.locks import lock_entities
from apps.depots.models import CylinderType, Equipment
from apps.inventory.enums import MovementType
from apps.inventory.models import EquipmentMove, Location, StockMove
from apps.inventory.move_line import MoveLine

# past the retest date a cylinder may still come back, never go out to a customer
RETEST_REFUSED = frozenset({MovementType.COLLECTION, MovementType.DELIVERY})


class SerialNotHere(ApplicationError):
    code = "serial_not_here"
    status_code = 422


class RetestOverdue(ApplicationError):
    code = "retest_overdue"
    status_code = 422


def _put(fields: dict, path: tuple, message: str) -> None:
    """``fields[path[0]][path[1]]...`` gets ``message`` appended."""
    node = fields
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node.setdefault(path[-1], []).append(message)


def _path(line: MoveLine, i: int) -> tuple:
    return tuple(line.error_path) if line.error_path else ("lines", i, "serials")


@dataclass
class SerialPlan:
    """What ``serials_record`` writes once the moves exist."""

    rows: dict[str, Equipment] = field(default_factory=dict)  # serial -> locked row
    history: list[tuple[int, str, int, int, str]] = field(default_factory=list)  # line, serial, from, to, state
    final: dict[str, tuple[int, str]] = field(default_factory=dict)  # serial -> (location, state)

    def __bool__(self) -> bool:
        return bool(self.history)


def _serialised_types(lines: list[MoveLine]) -> set[int]:
    known = {line.cylinder_type_id for line in lines if line.serialised}
    unknown = {line.cylinder_type_id for line in lines if line.serialised is None}
    if unknown:
        known |= set(CylinderType.objects.filter(pk__in=unknown, serialised=True).values_list("pk", flat=True))
    return known


def _shape_check(lines: list[MoveLine], order: list[int]) -> None:
    """400: none on a serialised type, count != quantity, a serial twice."""
    serialised = _serialised_types(lines)
    fields: dict = {}
    seen: dict[str, int] = {}  # serial -> the (non-CONSUMPTION) line that moves it
    for i in order:
        line = lines[i]
        path = _path(line, i)
        if not line.serials and line.cylinder_type_id not in serialised:
            continue
        if len(line.serials) != line.quantity:
            given = f"{len(line.serials)} serial number(s) given for {line.quantity} cylinder(s)."
            if not line.serials:
                given = f"This cylinder type is serialised: give the {line.quantity} serial number(s)."
            _put(fields, path, given)
            continue
        if len(set(line.serials)) != len(line.serials):
            _put(fields, path, "A serial appears twice.")
            continue
        if line.movement_type == MovementType.CONSUMPTION:
            continue  # the chain of a returned empty: its RETURN names the serial again
        for serial in line.serials:
            if serial in seen and seen[serial] != i:
                _put(fields, path, f"{serial} appears twice in this document.")
            seen[serial] = i
    if fields:
        raise ValidationFailed(fields)


def serials_check(lines: list[MoveLine], *, when: datetime, backwards: bool = False) -> SerialPlan:
    """Validate and plan the serials of a document (locking their rows), or raise."""
    plan = SerialPlan()
    order = list(range(len(lines)))
    if backwards:
        order.reverse()
    _shape_check(lines, order)
    wanted = {serial for line in lines for serial in line.serials}
    if not wanted:
        return plan
    plan.rows = {row.serial_number: row for row in lock_entities(Equipment.objects.filter(serial_number__in=wanted))}
    fields: dict = {}
    for i in order:
        line = lines[i]
        for serial in line.serials:
            row = plan.rows.get(serial)
            if row is None:
                _put(fields, _path(line, i), f"Unknown serial {serial}.")
            elif row.cylinder_type_id != line.cylinder_type_id:
                _put(fields, _path(line, i), f"{serial} is not a cylinder of this type.")
    if fields:
        raise ValidationFailed(fields)

    day: date = timezone.localdate(when)
    position = {serial: (row.location_id, row.state) for serial, row in plan.rows.items()}
    virtual = _virtual_locations(lines, plan)
    not_here: dict = {}
    overdue: dict = {}
    for i in order:
        line = lines[i]
        src, dst = line.from_location, line.to_location
        for serial in line.serials:
            at, state = position[serial]
            if src.is_virtual and line.movement_type == MovementType.CONSUMPTION:
                # the second half of a CONSUMPTION pair: the cylinder consumed by the
                # first half of the same document comes back to its site, in the new state
                ok = at == src.pk
            elif src.is_virtual:
                # from the plant or an adjustment: a cylinder not in circulation
                # (never placed, or at a virtual location), not one somewhere real
                ok = at is None or at in virtual
            else:
                ok = at == src.pk and state == line.state
            if not ok:
                _put(not_here, _path(line, i), f"{serial} is not {line.state.lower()} at {src.name}.")
            due = plan.rows[serial].next_inspection_due
            if line.movement_type in RETEST_REFUSED and line.reverses_id is None and due is not None and due < day:
                _put(overdue, _path(line, i), f"{serial} was due for its retest on {due.isoformat()}.")
            position[serial] = (dst.pk, line.state)
            plan.history.append((i, serial, src.pk, dst.pk, line.state))
    if not_here:
        raise SerialNotHere("A serial is not where the document moves it from.", extra={"fields": not_here})
    if overdue:
        raise RetestOverdue(
            "A cylinder past its hydrostatic retest date cannot be collected or delivered.", extra={"fields": overdue}
        )
    plan.final = {serial: (loc, state) for serial, (loc, state) in position.items() if loc is not None}
    return plan


def _virtual_locations(lines: list[MoveLine], plan: SerialPlan) -> set[int]:
    """The virtual locations among the lines' ends and, only where a line
    brings serials in from a virtual source, among the serials' current places
    (one small query then)."""
    ends = [loc for line in lines for loc in (line.from_location, line.to_location)]
    virtual = {loc.pk for loc in ends if loc.is_virtual}
    if any(line.serials and line.from_location.is_virtual for line in lines):
        known = {loc.pk for loc in ends}
        unknown = {row.location_id for row in plan.rows.values() if row.location_id is not None} - known
        if unknown:
            virtual |= set(Location.objects.filter(pk__in=unknown, is_virtual=True).values_list("pk", flat=True))
    return virtual


def serials_record(plan: SerialPlan, moves: list[StockMove], *, when: datetime, document: tuple[str, int]) -> None:
    """Write the history (one bulk INSERT) and the new positions (one UPDATE per
    distinct final place) of a checked plan, once its stock moves exist."""
    if not plan:
        return
    if any(m.pk is None for m in moves):  # a backend that returns no ids from a bulk insert
        ids = list(
            StockMove.objects.filter(document_type=document[0], document_id=document[1])
            .order_by("-id")[: len(moves)]
            .values_list("pk", flat=True)
        )
        for move, pk in zip(moves, reversed(ids), strict=True):
            move.pk = pk
    EquipmentMove.objects.bulk_create(
        [
            EquipmentMove(
                equipment_id=plan.rows[serial].pk,
                stock_move_id=moves[i].pk,
                from_location_id=src,
                to_location_id=dst,
                state=state,
                occurred_at=when,
            )
            for i, serial, src, dst, state in plan.history
        ]
    )
    targets: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for serial, place in plan.final.items():
        targets[place].append(plan.rows[serial].pk)
    for (location_id, state), pks in sorted(targets.items()):
        Equipment.objects.filter(pk__in=pks).update(location_id=location_id, state=state, located_since=when)
