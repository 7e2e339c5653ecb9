"""A dispatcher's own order of a planned route (the admin's "reorder stops").

Kept beside ``services.route_plan`` (which orders the stops itself) as one
more service: atomic, dispatcher only, audited, and it never adds or drops a
stop, it only puts the plan's stops in the order given and recomputes the
legs and the total distance."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.exceptions import ValidationFailed
from apps.core.locks import lock_entity
from apps.orders.models import RoutePlan, RouteStop
from apps.orders.routing import haversine_km
from apps.orders.services import _check_dispatcher, _point

ROUTE_REORDERED = "route.reordered"


@transaction.atomic
def route_stops_reorder(*, actor, plan: RoutePlan, order_ids: list[int]) -> RoutePlan:
    """Put the plan's stops in the order of ``order_ids`` (each of the plan's
    orders exactly once)."""
    _check_dispatcher(actor)
    locked = lock_entity(RoutePlan.objects.filter(pk=plan.pk))  # not joined: the lock would take the depot row too
    stops = {s.order_id: s for s in locked.stops.select_related("order__customer")}
    if sorted(order_ids) != sorted(stops) or len(set(order_ids)) != len(order_ids):
        raise ValidationFailed({"stops": ["List each stop of this plan exactly once."]})
    before = [s.order_id for s in sorted(stops.values(), key=lambda s: s.sequence)]
    here = _point(locked.start_depot)
    rows, total = [], Decimal("0")
    for n, order_id in enumerate(order_ids, start=1):
        point = _point(stops[order_id].order.customer)
        km = None
        if point is not None and here is not None:
            km = Decimal(str(round(haversine_km(here, point), 3)))
            total += km
        if point is not None:
            here = point
        rows.append(RouteStop(plan=locked, sequence=n, order_id=order_id, leg_km=km))
    locked.stops.all().delete()  # sequence is unique per plan: rewrite them all
    RouteStop.objects.bulk_create(rows)
    locked.total_km, locked.planned_at = total, timezone.now()
    locked.save(update_fields=["total_km", "planned_at"])
    audit_record(
        action=ROUTE_REORDERED,
        user=actor,
        entity_type="orders.routeplan",
        entity_id=locked.pk,
        before={"stops": before},
        after={"stops": list(order_ids), "km": locked.total_km},
    )
    return locked
