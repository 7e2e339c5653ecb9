"""Read-only stock queries, scoped by role."""

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Sum

from apps.core.scoping import role_q, scope_by_role
from apps.inventory.enums import CylinderState
from apps.inventory.models import Location, StockBalance, StockDocument, StockMove


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
    visible = Location.objects.filter(visible_locations_q(user))
    return (
        StockMove.objects.filter(Q(from_location__in=visible) | Q(to_location__in=visible))
        .select_related("cylinder_type", "from_location", "to_location")
        .order_by("-id")
    )


def stock_document_list(*, user) -> QuerySet[StockDocument]:
    """The office sees every document; depot staff the ones they made."""
    qs = StockDocument.objects.select_related("created_by").order_by("-id")
    return scope_by_role(qs, user, depot_staff_rule=lambda staff: Q(created_by=staff))


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
    in, what went out) and list each (location, type, state) that disagrees."""
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
