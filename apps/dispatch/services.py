"""Planning a day: one solve assigns the open orders to the trucks and orders
each truck's stops (``docs/dispatch.md``).

``dispatch_plan`` reads the day, solves it with no row locked, then locks the
day's orders (entity rows, by id: the first rank of ``apps/core/locks.py``)
and the drivers' route plans, checks that nothing it read has changed since
(else 409 ``plan_stale``: plan again), and writes the new version: the
``DispatchPlan`` with its load sheets, each driver's ``RoutePlan`` (what the
phone reads on its next refresh), each order's driver and status, and one
audit row. Stops already done stay first on their truck, in their order."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.core.exceptions import ApplicationError, ConflictError, Forbidden, ValidationFailed
from apps.core.locks import lock_entities, lock_entity, lock_entity_get_or_create
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.depots.models import Vehicle
from apps.dispatch.distance import default_matrix
from apps.dispatch.enums import DispatchAuditAction, PlanKind
from apps.dispatch.models import DispatchPlan, LoadSheetLine
from apps.dispatch.planning import UNLIMITED, Day, TruckDay, at, buffer_of, order_window, read_day
from apps.dispatch.policies import DISPATCHERS
from apps.dispatch.problem import Problem, Reason, Route, Solution
from apps.dispatch.solver import solve
from apps.orders.enums import OrderEvent, OrdersAuditAction, OrderStatus
from apps.orders.events import order_event_after_commit
from apps.orders.models import Order, RoutePlan, RouteStop


class NoTrucks(ApplicationError):
    code = "no_trucks"
    status_code = 422
    default_detail = "No truck can be planned for this day: no active vehicle has an active driver."


def _check_dispatcher(actor: User) -> None:
    if role_of(actor) not in DISPATCHERS:
        raise Forbidden("Only a dispatcher (supervisor or admin) may plan the day.")


def _km(metres: int) -> Decimal:
    return (Decimal(metres) / 1000).quantize(Decimal("0.001"))


def _stops_view(route: Route) -> list[int]:
    return [s.job_id for s in route.stops]


def _snapshot(day: Day, solution: Solution, unassigned: dict[int, str], buffer_percent: int) -> dict[str, Any]:
    routes = []
    for route in solution.routes:
        routes.append(
            {
                "vehicle": route.truck_id,
                "km": str(_km(route.distance_m)),
                "minutes": (route.end_s - route.start_s) // 60,
                "starts_at": at(day.day, route.start_s).isoformat(),
                "ends_at": at(day.day, route.end_s).isoformat(),
                "stops": [
                    {"order": s.job_id, "eta": at(day.day, s.start_s).isoformat(), "leg_km": str(_km(s.leg_m))}
                    for s in route.stops
                ],
                "load": {str(k): v for k, v in sorted(route.load.items())},
            }
        )
    return {
        "engine": solution.engine,
        "solve_ms": solution.solve_ms,
        "buffer_percent": buffer_percent,
        "routes": routes,
        "unassigned": {str(k): v for k, v in sorted(unassigned.items())},
    }


def _write_route(day: Day, truck: TruckDay, route: Route | None, version: int) -> RoutePlan | None:
    """The driver's route plan for the day: the done stops first, as they
    were, then the new stops with their ETAs."""
    if route is None and not truck.fixed and truck.plan is None:
        return None
    plan, _ = lock_entity_get_or_create(
        RoutePlan.objects.all(),
        driver=truck.driver,
        date=day.day,
        defaults={"start_depot": truck.depot, "created_by_id": truck.driver.pk, "planned_at": timezone.now()},
    )
    kept = {s.order_id: s for s in plan.stops.all()}
    rows, n = [], 0
    for order in truck.fixed:
        n += 1
        old = kept.get(order.pk)
        rows.append(
            RouteStop(
                plan=plan,
                sequence=n,
                order_id=order.pk,
                leg_km=old.leg_km if old else None,
                eta=old.eta if old else None,
                window_start=old.window_start if old else None,
                window_end=old.window_end if old else None,
                service_minutes=old.service_minutes if old else 0,
            )
        )
    fixed_ids = {o.pk for o in truck.fixed}
    jobs = {j.id: j for j in day.problem.jobs}
    for stop in route.stops if route else ():
        if stop.job_id in fixed_ids:
            continue
        order = day.orders[stop.job_id]
        window = order_window(order)
        job = jobs[stop.job_id]
        n += 1
        rows.append(
            RouteStop(
                plan=plan,
                sequence=n,
                order_id=order.pk,
                leg_km=_km(stop.leg_m),
                eta=at(day.day, stop.start_s),
                window_start=window[0] if window else None,
                window_end=window[1] if window else None,
                service_minutes=round(job.service_s / 60),
            )
        )
    plan.stops.all().delete()  # (plan, sequence) is unique: rewrite them all
    RouteStop.objects.bulk_create(rows)
    plan.vehicle, plan.start_depot, plan.version = truck.vehicle, truck.depot, version
    plan.planned_at = timezone.now()
    if route is not None and route.stops:
        plan.total_km = _km(route.distance_m)
        plan.starts_at, plan.ends_at = at(day.day, route.start_s), at(day.day, route.end_s)
        plan.total_minutes = (route.end_s - route.start_s) // 60
    else:
        plan.total_km, plan.starts_at, plan.ends_at, plan.total_minutes = Decimal("0"), None, None, 0
    plan.save()
    return plan


def _load_sheet(plan: DispatchPlan, day: Day, solution: Solution, buffer_percent: int) -> None:
    """Each truck: its stops' cylinders plus the buffer; the buffer trimmed
    where the depot's stock runs out, where the racks are full and where the
    truck would go over its load limit (a truck already out loads nothing)."""
    stock = {depot: dict(types) for depot, types in (day.problem.stock or {}).items()}
    trucks = {t.vehicle.pk: t for t in day.trucks}
    limits = {t.id: t for t in day.problem.trucks}
    grams = {type_id: int((t.weight_kg + t.tare_kg) * 1000) for type_id, t in day.types.items()}
    rows = []
    routes = sorted(solution.routes, key=lambda r: r.truck_id)
    for route in routes:  # first what the stops need
        truck = trucks[route.truck_id]
        if truck.out:
            continue
        for type_id, qty in route.load.items():
            if qty:
                left = stock.get(truck.depot.pk, {})
                left[type_id] = left.get(type_id, 0) - qty
    for route in routes:
        truck = trucks[route.truck_id]
        limit = limits[route.truck_id]
        weight_left = limit.max_weight_g - sum(grams.get(t, 0) * q for t, q in route.load.items())
        for type_id, ordered in sorted(route.load.items()):
            if not ordered:
                continue
            buffer = 0
            if not truck.out:
                left = stock.get(truck.depot.pk, {})
                rack = limit.capacity.get(type_id, 0) - ordered
                by_weight = weight_left // grams[type_id] if grams.get(type_id) else rack
                buffer = max(0, min(buffer_of(ordered, buffer_percent), left.get(type_id, 0), rack, by_weight))
                left[type_id] = left.get(type_id, 0) - buffer
                weight_left -= buffer * grams.get(type_id, 0)
            rows.append(
                LoadSheetLine(
                    plan=plan,
                    vehicle_id=route.truck_id,
                    cylinder_type_id=type_id,
                    ordered=ordered,
                    buffer=buffer,
                    to_load=ordered + buffer,
                )
            )
    LoadSheetLine.objects.bulk_create(rows)


def _reason_map(day: Day, solution: Solution) -> dict[int, str]:
    unassigned = dict.fromkeys(day.no_location, Reason.NO_LOCATION)
    unassigned.update(solution.unassigned)
    return unassigned


@dataclass(frozen=True)
class PlanDraft:
    """A day as read and solved with no row locked (``dispatch_plan_prepare``)."""

    day: date
    seen: Day
    solution: Solution


def dispatch_plan_prepare(
    *,
    actor: User,
    day: date,
    buffer_percent: int | None = None,
    kind: str | None = None,
    as_of: datetime | None = None,
) -> dict:
    """The ``dispatch.plan`` command's first half, outside any transaction:
    the checks, then the day read and solved (up to DISPATCH_TIME_LIMIT_S)
    while drivers keep writing. ``dispatch_plan`` then locks the day's orders
    and refuses with ``plan_stale`` if any changed meanwhile."""
    _check_dispatcher(actor)
    if buffer_percent is not None and not 0 <= buffer_percent <= 100:
        raise ValidationFailed({"buffer_percent": ["Between 0 and 100."]})
    if day < timezone.localdate():
        raise ValidationFailed({"date": ["A day that is over cannot be planned."]})
    seen = read_day(day, now=as_of)
    if not seen.trucks:
        raise NoTrucks()
    solution = solve(
        seen.problem,
        default_matrix(),
        engine=settings.DISPATCH_ENGINE,
        time_limit_s=settings.DISPATCH_TIME_LIMIT_S,
    )
    return {"draft": PlanDraft(day=day, seen=seen, solution=solution)}


@transaction.atomic
def dispatch_plan(
    *,
    actor: User,
    day: date,
    buffer_percent: int | None = None,
    kind: str | None = None,
    as_of: datetime | None = None,
    draft: PlanDraft | None = None,
) -> DispatchPlan:
    """Plan (or re-plan) ``day``: every open order of the day on a truck, or
    left out with its reason. Idempotent through its command's key.
    ``as_of``: plan as if it were that moment (default now; the demo lays
    out its day as planned before the shift began). ``draft``: the day
    already read and solved by ``dispatch_plan_prepare`` (the command's
    way); without it the day is read and solved here, inside the transaction
    (a move's re-plan, the demo)."""
    if draft is None or draft.day != day:
        draft = dispatch_plan_prepare(actor=actor, day=day, buffer_percent=buffer_percent, as_of=as_of)["draft"]
    _check_dispatcher(actor)
    if buffer_percent is None:
        buffer_percent = settings.DISPATCH_BUFFER_PERCENT
    seen, solution = draft.seen, draft.solution
    # The entity rows, in one order (apps/core/locks.py): the day's orders by id, then the drivers' plans.
    locked = lock_entities(Order.objects.filter(pk__in=[o.pk for o in seen.all_orders()]))
    lock_entities(RoutePlan.objects.filter(date=day, driver__in=[t.driver for t in seen.trucks]))
    as_read = {o.pk: (o.status, o.driver_id, o.pinned_vehicle_id, o.updated_at) for o in seen.all_orders()}
    if {o.pk: (o.status, o.driver_id, o.pinned_vehicle_id, o.updated_at) for o in locked} != as_read:
        raise ConflictError("The day's orders changed while it was being planned: plan again.", code="plan_stale")
    unassigned = _reason_map(seen, solution)
    version = (DispatchPlan.objects.filter(date=day).aggregate(v=Max("version"))["v"] or 0) + 1
    routed = {s.job_id for r in solution.routes for s in r.stops}
    fixed_count = sum(len(t.fixed) for t in seen.trucks)
    plan = DispatchPlan(
        date=day,
        version=version,
        kind=kind or (PlanKind.PLAN if version == 1 else PlanKind.REPLAN),
        engine=solution.engine,
        solve_ms=solution.solve_ms,
        total_km=_km(solution.distance_m),
        trucks_used=sum(1 for r in solution.routes if r.stops),
        orders_planned=len(routed | {o.pk for t in seen.trucks for o in t.fixed}),
        orders_unassigned=len(unassigned),
        buffer_percent=buffer_percent,
        snapshot=_snapshot(seen, solution, unassigned, buffer_percent),
        created_by=actor,
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():  # a savepoint: the version is unique per day
            plan.save()
    except IntegrityError:  # another plan of the day took this version (a day with no order to lock)
        raise ConflictError("Another plan of this day was made meanwhile: plan again.", code="plan_stale") from None
    routes = {r.truck_id: r for r in solution.routes}
    for truck in seen.trucks:
        _write_route(seen, truck, routes.get(truck.vehicle.pk), version)
    _load_sheet(plan, seen, solution, buffer_percent)
    drivers = {t.vehicle.pk: t.driver for t in seen.trucks}
    for route in solution.routes:
        ids = [s.job_id for s in route.stops if s.job_id in seen.orders]
        Order.objects.filter(pk__in=ids).exclude(status=OrderStatus.PARTLY_DELIVERED).update(
            driver=drivers[route.truck_id], status=OrderStatus.ASSIGNED, unplanned_reason="", updated_at=timezone.now()
        )
    for reason in set(unassigned.values()):
        ids = [order_id for order_id, r in unassigned.items() if r == reason]
        Order.objects.filter(pk__in=ids).exclude(status=OrderStatus.PARTLY_DELIVERED).update(
            driver=None, status=OrderStatus.PLANNED, unplanned_reason=reason, updated_at=timezone.now()
        )
    # a driver no longer on the road keeps only the stops already done
    RouteStop.objects.filter(plan__date=day).exclude(plan__driver__in=[t.driver for t in seen.trucks]).exclude(
        order__status__in=(OrderStatus.DELIVERED, OrderStatus.PARTLY_DELIVERED)
    ).delete()
    # the customers hear of a new or moved arrival window (apps.portal.notifications decides which)
    order_event_after_commit(OrderEvent.PLANNED, routed)
    audit_record(
        action=DispatchAuditAction.PLANNED,
        user=actor,
        entity_type="dispatch.dispatchplan",
        entity_id=plan.pk,
        after={
            "date": day,
            "version": version,
            "kind": plan.kind,
            "engine": plan.engine,
            "km": plan.total_km,
            "routes": {str(r.truck_id): _stops_view(r) for r in solution.routes},
            "fixed": fixed_count,
            "unassigned": {str(k): v for k, v in sorted(unassigned.items())},
        },
    )
    return plan


def _open_order(order: Order) -> Order:
    locked = lock_entity(Order.objects.filter(pk=order.pk))
    if locked.status not in (OrderStatus.PLANNED, OrderStatus.ASSIGNED):
        raise ConflictError("Only an order not yet delivered can be moved or locked.", code="order_closed")
    return locked


@transaction.atomic
def dispatch_move(*, actor: User, order: Order, vehicle: Vehicle) -> DispatchPlan:
    """Put an order on another truck and keep it there (locked), then re-plan
    the day around it."""
    _check_dispatcher(actor)
    if not vehicle.is_active or not vehicle.drivers.filter(is_active=True, role=Role.DRIVER).exists():
        raise ValidationFailed({"vehicle": ["This truck has no active driver today."]})
    locked = _open_order(order)
    before = locked.pinned_vehicle_id
    locked.pinned_vehicle = vehicle
    locked.save(update_fields=["pinned_vehicle", "updated_at"])
    audit_record(
        action=DispatchAuditAction.STOP_MOVED,
        user=actor,
        entity_type="orders.order",
        entity_id=locked.pk,
        before={"pinned_vehicle": before, "driver": locked.driver_id},
        after={"pinned_vehicle": vehicle.pk},
    )
    return dispatch_plan(actor=actor, day=locked.scheduled_for, kind=PlanKind.MOVE)


@transaction.atomic
def dispatch_lock(*, actor: User, order: Order, locked: bool) -> Order:
    """Keep an order on the truck it is planned on (``locked``), or let the
    next plan move it again."""
    _check_dispatcher(actor)
    row = _open_order(order)
    before = row.pinned_vehicle_id
    if locked:
        if row.driver is None or row.driver.vehicle_id is None:
            raise ConflictError("Plan the order onto a truck before locking it there.", code="order_not_planned")
        row.pinned_vehicle_id = row.driver.vehicle_id
    else:
        row.pinned_vehicle = None
    row.save(update_fields=["pinned_vehicle", "updated_at"])
    audit_record(
        action=DispatchAuditAction.STOP_LOCKED,
        user=actor,
        entity_type="orders.order",
        entity_id=row.pk,
        before={"pinned_vehicle": before},
        after={"pinned_vehicle": row.pinned_vehicle_id},
    )
    return row


@transaction.atomic
def dispatch_route(*, actor: User, driver: User, day: date) -> RoutePlan:
    """Order one driver's assigned stops of ``day`` with the solver (``POST
    /api/routes/plan/``): which truck takes what is already decided, so the
    truck's racks and load limit do not apply here; its shift and the
    customers' windows do. Every open order assigned to the driver appears
    exactly once: done stops first, then the solved route with ETAs, then
    any stop no order of the route can reach in time (no location, or its
    window) last, by id, without an ETA. Planning again replaces the stops."""
    _check_dispatcher(actor)
    if driver.role != Role.DRIVER or not driver.is_active:
        raise ValidationFailed({"driver": ["Routes are planned for an active driver."]})
    if driver.vehicle is None:
        raise ValidationFailed({"driver": ["This driver has no vehicle, so there is no depot to start from."]})
    seen = read_day(day, drivers={driver.vehicle.pk: driver})
    truck = next((t for t in seen.trucks if t.driver.pk == driver.pk), None)
    if truck is None:
        raise ValidationFailed({"driver": ["This driver's vehicle is not in service."]})
    mine = {pk: o for pk, o in seen.orders.items() if o.driver_id == driver.pk}
    lock_entities(Order.objects.filter(pk__in=[o.pk for o in list(mine.values()) + truck.fixed]))
    jobs = tuple(replace(j, vehicles=None) for j in seen.problem.jobs if j.id in mine)
    spec = seen.problem.trucks[0]
    unlimited = dict.fromkeys(seen.types, UNLIMITED)
    problem = Problem(
        jobs=jobs,
        trucks=(replace(spec, capacity=unlimited, max_weight_g=UNLIMITED * 1000_000, depot_id=-spec.id),),
        stock=None,
    )
    solution = solve(
        problem, default_matrix(), engine=settings.DISPATCH_ENGINE, time_limit_s=settings.DISPATCH_TIME_LIMIT_S
    )
    route = solution.routes[0] if solution.routes else None
    plan = _write_route(seen, truck, route, truck.plan.version if truck.plan else 0)
    if plan is None:  # nothing planned, nothing done: an empty route all the same
        plan, _ = lock_entity_get_or_create(
            RoutePlan.objects.all(),
            driver=driver,
            date=day,
            defaults={"start_depot": truck.depot, "created_by": actor, "planned_at": timezone.now()},
        )
    plan.vehicle = truck.vehicle  # whose route it is, stops or none
    route_ids = {s.job_id for s in route.stops} if route else set()
    left = sorted(set(mine) - route_ids)
    sequence = plan.stops.count()
    RouteStop.objects.bulk_create(
        [RouteStop(plan=plan, sequence=sequence + n, order_id=pk) for n, pk in enumerate(left, start=1)]
    )
    plan.created_by = actor
    plan.save(update_fields=["created_by", "vehicle"])
    order_event_after_commit(OrderEvent.PLANNED, route_ids)
    audit_record(
        action=OrdersAuditAction.ROUTE_PLANNED,
        user=actor,
        entity_type="orders.routeplan",
        entity_id=plan.pk,
        after={
            "driver": driver.pk,
            "date": day,
            "stops": list(plan.stops.order_by("sequence").values_list("order_id", flat=True)),
            "km": plan.total_km,
            "engine": solution.engine,
        },
    )
    return plan
