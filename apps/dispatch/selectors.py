"""Reading the day's plan: the board, load sheets, routes, plan versions."""

from collections import defaultdict
from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.exceptions import Forbidden
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.core.scoping import scope_by_role
from apps.depots.models import CylinderType, Vehicle, VehicleCapacity
from apps.dispatch.models import DispatchPlan, LoadSheetLine
from apps.dispatch.planning import SINGAPORE, day_drivers, loaded_on, order_window
from apps.inventory.models import StockBalance
from apps.orders.enums import OrderStatus
from apps.orders.models import Order, RouteClash, RoutePlan
from apps.orders.selectors import on_day

BOARD_READERS = (Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR)
DONE = (OrderStatus.DELIVERED, OrderStatus.PARTLY_DELIVERED)


def _hhmm(t: time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


def _local(dt) -> str | None:
    return dt.astimezone(SINGAPORE).isoformat() if dt else None


def dispatch_plan_list(*, user) -> QuerySet[DispatchPlan]:
    if role_of(user) not in BOARD_READERS:
        return DispatchPlan.objects.none()
    return DispatchPlan.objects.select_related("created_by").order_by("-date", "-version")


def latest_plan(day: date) -> DispatchPlan | None:
    return DispatchPlan.objects.filter(date=day).order_by("-version").first()


def _customer(c) -> dict:
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "address": c.site_address,
        "postal_code": c.postal_code,
        "latitude": None if c.latitude is None else float(c.latitude),
        "longitude": None if c.longitude is None else float(c.longitude),
        "kind": c.kind,
    }


def _lines(order: Order, types: dict[int, CylinderType]) -> list[dict]:
    return [
        {"cylinder_type": line.cylinder_type_id, "name": types[line.cylinder_type_id].name, "quantity": line.quantity}
        for line in order.lines.all()
    ]


def _order_row(order: Order, types, reason: str) -> dict:
    window = order_window(order)
    return {
        "order": order.pk,
        "reason": reason,
        "urgent": order.urgent,
        "status": order.status,
        "window_start": _hhmm(window[0]) if window else None,
        "window_end": _hhmm(window[1]) if window else None,
        "customer": _customer(order.customer),
        "lines": _lines(order, types),
    }


def _sheet_row(line: LoadSheetLine, types: dict[int, CylinderType], on_truck: dict[int, int]) -> dict:
    """One line of a truck's load sheet, with the fulls on the truck now."""
    return {
        "cylinder_type": line.cylinder_type_id,
        "sku": types[line.cylinder_type_id].sku,
        "name": types[line.cylinder_type_id].name,
        "ordered": line.ordered,
        "buffer": line.buffer,
        "to_load": line.to_load,
        "on_truck": on_truck.get(line.cylinder_type_id, 0),
    }


def load_sheet_rows(plan: DispatchPlan | None, vehicle_id: int, types: dict[int, CylinderType]) -> list[dict]:
    if plan is None:
        return []
    on_truck = dict(
        StockBalance.objects.filter(location__vehicle_id=vehicle_id).values_list("cylinder_type_id", "full_qty")
    )
    lines = plan.load_lines.filter(vehicle_id=vehicle_id).order_by("cylinder_type_id")
    return [_sheet_row(line, types, on_truck) for line in lines]


def stops_of(route: dict | None) -> list[dict]:
    return route["stops"] if route else []


def dispatch_board(*, user, day: date) -> dict:
    """The dispatcher's day: trucks with their routes and load sheets, the
    orders left out (with why), those no plan has seen, and the clashes."""
    if role_of(user) not in BOARD_READERS:
        raise Forbidden("Only dispatchers and auditors see the dispatch board.")
    types = {t.pk: t for t in CylinderType.objects.all()}
    plan = latest_plan(day)
    drivers = day_drivers()
    vehicles = list(Vehicle.objects.filter(is_active=True, pk__in=drivers).select_related("home_depot"))
    plans = {
        p.driver_id: p
        for p in RoutePlan.objects.filter(date=day).prefetch_related("stops__order__customer", "stops__order__lines")
    }
    capacities = defaultdict(list)
    for row in VehicleCapacity.objects.filter(vehicle__in=vehicles).order_by("cylinder_type_id"):
        capacities[row.vehicle_id].append(
            {"cylinder_type": row.cylinder_type_id, "sku": types[row.cylinder_type_id].sku, "max_qty": row.max_qty}
        )
    loads = defaultdict(list)
    on_truck: dict[int, dict[int, int]] = defaultdict(dict)
    for vid, tid, qty in StockBalance.objects.filter(location__vehicle__in=vehicles).values_list(
        "location__vehicle_id", "cylinder_type_id", "full_qty"
    ):
        on_truck[vid][tid] = qty
    if plan is not None:
        for line in plan.load_lines.order_by("vehicle_id", "cylinder_type_id"):
            loads[line.vehicle_id].append(_sheet_row(line, types, on_truck[line.vehicle_id]))
    now = timezone.now()
    loaded = loaded_on([v.pk for v in vehicles], day)
    trucks, late_total, planned_ids = [], 0, set()
    for vehicle in sorted(vehicles, key=lambda v: v.plate_number):
        driver = drivers[vehicle.pk]
        route_plan = plans.get(driver.pk)
        route = None
        if route_plan is not None:
            stops, load_g = [], Decimal("0")
            for stop in route_plan.stops.all():
                order = stop.order
                planned_ids.add(order.pk)
                done = order.status in DONE
                late = False
                if not done and stop.window_end is not None:
                    eta_late = stop.eta is not None and stop.eta.astimezone(SINGAPORE).time() > stop.window_end
                    deadline_passed = day == timezone.localdate() and now.astimezone(SINGAPORE).time() > stop.window_end
                    late = eta_late or deadline_passed
                late_total += late
                for order_line in order.lines.all():
                    t = types[order_line.cylinder_type_id]
                    load_g += (t.weight_kg + t.tare_kg) * order_line.remaining_quantity
                stops.append(
                    {
                        "order": order.pk,
                        "sequence": stop.sequence,
                        "eta": _local(stop.eta),
                        "window_start": _hhmm(stop.window_start),
                        "window_end": _hhmm(stop.window_end),
                        "late": late,
                        "status": order.status,
                        "done": done,
                        "locked": order.pinned_vehicle_id == vehicle.pk,
                        "customer": _customer(order.customer),
                        "lines": _lines(order, types),
                        "leg_km": None if stop.leg_km is None else str(stop.leg_km),
                    }
                )
            route = {
                "km": str(route_plan.total_km),
                "minutes": route_plan.total_minutes,
                "starts_at": _local(route_plan.starts_at),
                "ends_at": _local(route_plan.ends_at),
                "load_kg": str(load_g.quantize(Decimal("0.1"))),
                "stops": stops,
            }
        depot = vehicle.home_depot
        trucks.append(
            {
                "vehicle": {
                    "id": vehicle.pk,
                    "plate_number": vehicle.plate_number,
                    "max_load_kg": str(vehicle.max_load_kg),
                    "shift_start": _hhmm(vehicle.shift_start),
                    "shift_end": _hhmm(vehicle.shift_end),
                },
                "depot": {
                    "id": depot.pk,
                    "code": depot.code,
                    "name": depot.name,
                    "latitude": None if depot.latitude is None else float(depot.latitude),
                    "longitude": None if depot.longitude is None else float(depot.longitude),
                },
                "driver": {"id": driver.pk, "name": driver.name},
                # the planner's rule: loaded that day, or a stop of the day done
                "out": vehicle.pk in loaded or any(s["done"] for s in stops_of(route)),
                "route": route,
                "load_sheet": loads.get(vehicle.pk, []),
                "capacity": capacities.get(vehicle.pk, []),
            }
        )
    day_orders = list(
        Order.objects.filter(on_day(day))
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("customer")
        .prefetch_related("lines")
        .order_by("id")
    )
    unassigned, unplanned = [], []
    for order in day_orders:
        if order.pk in planned_ids or order.status in DONE:
            continue
        if order.unplanned_reason:
            unassigned.append(_order_row(order, types, order.unplanned_reason))
        else:
            unplanned.append(_order_row(order, types, ""))
    clashes = [
        {
            "id": c.pk,
            "order": c.order_id,
            "delivery": c.delivery_id,
            "driver": c.driver_id,
            "kind": c.kind,
            "noted_at": _local(c.noted_at),
        }
        for c in RouteClash.objects.filter(resolved_at__isnull=True, order__scheduled_for__lte=day).order_by("id")
    ]
    return {
        "date": day,
        "plan": None
        if plan is None
        else {
            "id": plan.pk,
            "version": plan.version,
            "kind": plan.kind,
            "engine": plan.engine,
            "solve_ms": plan.solve_ms,
            "total_km": str(plan.total_km),
            "created_at": _local(plan.created_at),
            "created_by": plan.created_by.name,
        },
        "trucks": trucks,
        "unassigned": unassigned,
        "unplanned": unplanned,
        "clashes": clashes,
        "counts": {
            "orders": len(day_orders),
            "planned": len(planned_ids),
            "unassigned": len(unassigned),
            "unplanned": len(unplanned),
            "delivered": sum(1 for o in day_orders if o.status == OrderStatus.DELIVERED),
            "late": late_total,
        },
        "map": {"tile_url": settings.DISPATCH_MAP_TILE_URL, "attribution": settings.DISPATCH_MAP_ATTRIBUTION},
    }


def route_list(*, user, day: date) -> QuerySet[RoutePlan]:
    """The day's routes: a driver only their own."""
    qs = (
        RoutePlan.objects.filter(date=day)
        .select_related("driver", "vehicle", "start_depot")
        .prefetch_related("stops__order__customer")
    )
    return scope_by_role(qs, user, driver="driver")


def load_sheet(*, user, day: date, vehicle: Vehicle) -> dict:
    if role_of(user) not in (*BOARD_READERS, Role.DEPOT_STAFF):
        raise Forbidden("Only dispatchers, depot staff and auditors see load sheets.")
    if role_of(user) == Role.DEPOT_STAFF and vehicle.home_depot_id != user.depot_id:
        raise Forbidden("Depot staff see the load sheets of their own depot's trucks.")
    types = {t.pk: t for t in CylinderType.objects.all()}
    plan = latest_plan(day)
    depot = vehicle.home_depot
    return {
        "date": day,
        "vehicle": {"id": vehicle.pk, "plate_number": vehicle.plate_number},
        "depot": {"id": depot.pk, "code": depot.code, "name": depot.name},
        "plan_version": plan.version if plan else None,
        "lines": load_sheet_rows(plan, vehicle.pk, types),
    }


def load_sheets_today(*, depot_id: int | None, day: date) -> list[dict]:
    """For the depot counter's home: each truck's load sheet of the day's plan."""
    plan = latest_plan(day)
    if plan is None:
        return []
    lines = LoadSheetLine.objects.filter(plan=plan).select_related("vehicle", "cylinder_type")
    if depot_id is not None:
        lines = lines.filter(vehicle__home_depot_id=depot_id)
    out: dict[int, dict] = {}
    for line in lines.order_by("vehicle__plate_number", "cylinder_type_id"):
        sheet = out.setdefault(
            line.vehicle_id,
            {"vehicle": {"id": line.vehicle_id, "plate_number": line.vehicle.plate_number}, "lines": []},
        )
        sheet["lines"].append(
            {"sku": line.cylinder_type.sku, "cylinder_type": line.cylinder_type_id, "to_load": line.to_load}
        )
    return list(out.values())
