"""Read-only stock queries, scoped by role."""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from apps.core.db import consistent_snapshot
from apps.core.scoping import role_q, scope_by_role
from apps.depots.models import Equipment
from apps.depots.selectors import equipment_list
from apps.inventory.enums import CylinderState
from apps.inventory.models import EquipmentMove, Location, StockBalance, StockDocument, StockMove


def visible_locations_q(user, prefix: str = "") -> Q:
    """Locations a user may see: a driver their vehicle; depot staff their
    depot and its vehicles; the office all of them; anyone else none."""
    return role_q(user, vehicle=f"{prefix}vehicle", depot=f"{prefix}depot")


def stock_balance_list(*, user) -> QuerySet[StockBalance]:
    visible = Location.objects.filter(visible_locations_q(user))
    return (
        StockBalance.objects.filter(location__in=visible)
        .select_related("location", "cylinder_type")
        .order_by("location_id", "cylinder_type_id")
    )


def stock_balance_rows(queryset: QuerySet[StockBalance]):
    """The rows of ``StockBalanceSerializer`` straight from the database."""
    return queryset.values(
        "location",
        "cylinder_type",
        "full_qty",
        "empty_qty",
        location_name=F("location__name"),
        location_kind=F("location__kind"),
        cylinder_type_name=F("cylinder_type__name"),
    )


def stock_move_list(*, user) -> QuerySet[StockMove]:
    # ids only (the list shows ids): no join, so every database walks the
    # primary key backwards for a page instead of sorting a joined result;
    # and no location test at all for those who see every location
    moves = StockMove.objects.order_by("-id")
    scope = visible_locations_q(user)
    if scope == Q():
        return moves
    visible = Location.objects.filter(scope)
    return moves.filter(Q(from_location__in=visible) | Q(to_location__in=visible))


def stock_document_list(*, user) -> QuerySet[StockDocument]:
    """The office sees every document; depot staff the ones they made."""
    qs = StockDocument.objects.select_related("created_by").order_by("-id")
    return scope_by_role(qs, user, depot_staff_rule=lambda staff: Q(created_by=staff))


def equipment_history(*, user, equipment_id) -> QuerySet[EquipmentMove]:
    """Every move of one serial the user may see, oldest first (404 when it may not)."""
    equipment = equipment_list(user=user).filter(pk=equipment_id).first()
    if equipment is None:
        raise Equipment.DoesNotExist
    return (
        EquipmentMove.objects.filter(equipment=equipment)
        .select_related("stock_move", "from_location", "to_location")
        .order_by("id")
    )


def equipment_move_list(*, user) -> QuerySet[EquipmentMove]:
    """The moves of the serials the user may see (the admin's scope)."""
    return EquipmentMove.objects.filter(equipment__in=equipment_list(user=user).values("pk")).order_by("-id")


@dataclass(frozen=True)
class Drift:
    location_id: int
    location_name: str
    cylinder_type_id: int
    state: str
    ledger: int
    balance: int


def balance_drift() -> list[Drift]:
    """Recompute every balance from the ledger (two grouped queries: what came
    in, what went out) and list each (location, type, state) that disagrees;
    all read in one snapshot, so writes going on meanwhile are not drift."""
    with consistent_snapshot():
        return _balance_drift()


def _balance_drift() -> list[Drift]:
    ledger: dict[tuple[int, int, str], int] = {}
    for row in StockMove.objects.values("to_location_id", "cylinder_type_id", "state").annotate(q=Sum("quantity")):
        key = (row["to_location_id"], row["cylinder_type_id"], row["state"])
        ledger[key] = ledger.get(key, 0) + row["q"]
    for out in StockMove.objects.values("from_location_id", "cylinder_type_id", "state").annotate(q=Sum("quantity")):
        key = (out["from_location_id"], out["cylinder_type_id"], out["state"])
        ledger[key] = ledger.get(key, 0) - out["q"]
    held: dict[tuple[int, int, str], int] = {}
    for loc, ct, full, empty in StockBalance.objects.values_list(
        "location_id", "cylinder_type_id", "full_qty", "empty_qty"
    ):
        held[(loc, ct, CylinderState.FULL)] = full
        held[(loc, ct, CylinderState.EMPTY)] = empty
    names = dict(Location.objects.values_list("id", "name"))
    drifts = []
    for key in sorted(set(ledger) | set(held)):
        want, have = ledger.get(key, 0), held.get(key, 0)
        if want != have:
            drifts.append(Drift(key[0], names.get(key[0], "?"), key[1], str(key[2]), want, have))
    return drifts


@dataclass(frozen=True)
class SerialFinding:
    """A serial whose position disagrees with its history, or a (location,
    type, state) where the serials counted there disagree with the balance."""

    kind: str  # "position" | "count"
    detail: str
    serial: str = ""
    location_id: int | None = None
    cylinder_type_id: int | None = None
    state: str = ""
    serials: int = 0
    balance: int = 0


def serial_drift() -> list[SerialFinding]:
    """Check the serials against their history and the ledger: each one's
    (location, state) is the destination of its last EquipmentMove (none
    placed without one), and for each serialised type the serials at each real
    location and state are as many as the balance there. Three grouped queries."""
    findings: list[SerialFinding] = []
    last = EquipmentMove.objects.filter(equipment=OuterRef("pk")).order_by("-id")
    rows = (
        Equipment.objects.filter(Q(location__isnull=False) | Q(moves__isnull=False))
        .distinct()
        .annotate(last_to=Subquery(last.values("to_location_id")[:1]), last_state=Subquery(last.values("state")[:1]))
        .values_list("serial_number", "location_id", "state", "last_to", "last_state")
    )
    for serial, location_id, state, last_to, last_state in rows:
        if (location_id, state or "") != (last_to, last_state or ""):
            findings.append(
                SerialFinding(
                    "position",
                    f"{serial} is at location {location_id} {state or '-'}, its last move left it at "
                    f"{last_to} {last_state or '-'}",
                    serial=serial,
                    location_id=location_id,
                    state=state,
                )
            )
    counted: dict[tuple[int, int, str], int] = {}
    for loc, ct, state, n in (
        Equipment.objects.filter(cylinder_type__serialised=True, location__is_virtual=False)
        .values("location_id", "cylinder_type_id", "state")
        .annotate(n=Count("pk"))
        .values_list("location_id", "cylinder_type_id", "state", "n")
    ):
        counted[(loc, ct, state)] = n
    held: dict[tuple[int, int, str], int] = {}
    for loc, ct, full, empty in StockBalance.objects.filter(
        cylinder_type__serialised=True, location_is_virtual=False
    ).values_list("location_id", "cylinder_type_id", "full_qty", "empty_qty"):
        held[(loc, ct, CylinderState.FULL)] = full
        held[(loc, ct, CylinderState.EMPTY)] = empty
    for key in sorted(set(counted) | set(held)):
        n, balance = counted.get(key, 0), held.get(key, 0)
        if n != balance:
            findings.append(
                SerialFinding(
                    "count",
                    f"location {key[0]} type {key[1]} {key[2]}: {n} serial(s), balance {balance}",
                    location_id=key[0],
                    cylinder_type_id=key[1],
                    state=key[2],
                    serials=n,
                    balance=balance,
                )
            )
    return findings
