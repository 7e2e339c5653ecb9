"""From the database to the routing problem and back: the day's trucks, open
orders and depot stock as a ``Problem`` (reads only), and a ``Solution``'s
times as the day's datetimes.

Which stops are fixed (re-planning never moves them): those of an order
with a delivery recorded (DELIVERED or PARTLY_DELIVERED) on the truck's
current route. A truck is *out* once it has a fixed stop or was loaded at
the depot that day: its remaining route then starts at its last done stop
(or the depot), no earlier than now, and carries only what is on board."""

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core.roles import Role
from apps.customers.selectors import receiving_hours
from apps.depots.models import CylinderType, Depot, Vehicle, VehicleCapacity
from apps.dispatch.problem import FixedStop, Job, Point, Problem, Truck
from apps.inventory.enums import MovementType
from apps.inventory.models import Location, StockBalance, StockMove
from apps.orders.enums import OrderStatus
from apps.orders.models import Order, RoutePlan
from apps.orders.selectors import on_day

SINGAPORE = ZoneInfo("Asia/Singapore")
UNLIMITED = 1_000_000  # cylinders of a type, for a truck with no rack sizes set
DONE = (OrderStatus.DELIVERED, OrderStatus.PARTLY_DELIVERED)
OPEN = (OrderStatus.PLANNED, OrderStatus.ASSIGNED, OrderStatus.PARTLY_DELIVERED)


def seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def at(day: date, s: int) -> datetime:
    """Seconds after midnight of ``day`` (Singapore) as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=SINGAPORE) + timedelta(seconds=s)


def point(obj) -> Point | None:
    if obj is None or obj.latitude is None or obj.longitude is None:
        return None
    return float(obj.latitude), float(obj.longitude)


def service_seconds(cylinders: int) -> int:
    minutes = settings.DISPATCH_SERVICE_BASE_MIN + settings.DISPATCH_SERVICE_PER_CYLINDER_MIN * cylinders
    return int(round(minutes * 60))


def order_window(order: Order) -> tuple[time, time] | None:
    """The order's own window, else the customer's receiving hours, each end
    kept inside a household's hours."""
    hours = receiving_hours(order.customer)
    opens = order.window_start or (hours[0] if hours else None)
    closes = order.window_end or (hours[1] if hours else None)
    if opens is None and closes is None:
        return None
    if hours is not None and order.customer.kind == "HOUSEHOLD":
        opens, closes = max(opens or hours[0], hours[0]), min(closes or hours[1], hours[1])
    return (opens or time(0, 0), closes or time(23, 59))


@dataclass
class TruckDay:
    vehicle: Vehicle
    driver: User
    depot: Depot
    plan: RoutePlan | None
    fixed: list[Order] = field(default_factory=list)
    loaded: bool = False
    on_board: dict[int, int] = field(default_factory=dict)  # fulls per type

    @property
    def out(self) -> bool:
        return self.loaded or bool(self.fixed)


@dataclass
class Day:
    """Everything a plan of ``day`` was made from."""

    day: date
    now: datetime
    trucks: list[TruckDay]
    orders: dict[int, Order]  # the open orders to plan (not fixed)
    no_location: list[int]
    problem: Problem
    types: dict[int, CylinderType]

    def all_orders(self) -> list[Order]:
        """The open orders and the trucks' done stops: what the plan was made from."""
        return list(self.orders.values()) + [o for t in self.trucks for o in t.fixed]


def day_drivers() -> dict[int, User]:
    """Each active vehicle's driver (the lowest id of its active drivers)."""
    drivers: dict[int, User] = {}
    for user in User.objects.filter(role=Role.DRIVER, is_active=True, vehicle__isnull=False).order_by("id"):
        if user.vehicle_id is not None:
            drivers.setdefault(user.vehicle_id, user)
    return drivers


def loaded_on(vehicle_ids: list[int], day: date) -> set[int]:
    """The trucks loaded at a depot on ``day`` (a COLLECTION that day)."""
    start = at(day, 0)
    return set(
        StockMove.objects.filter(
            movement_type=MovementType.COLLECTION,
            to_location__vehicle_id__in=vehicle_ids,
            occurred_at__gte=start,
            occurred_at__lt=start + timedelta(days=1),
        ).values_list("to_location__vehicle_id", flat=True)
    )


def _job(order: Order, types: dict[int, CylinderType]) -> Job | None:
    location = point(order.customer)
    if location is None:
        return None
    demand = {line.cylinder_type_id: line.remaining_quantity for line in order.lines.all() if line.remaining_quantity}
    grams = sum(
        qty * int(round((types[t].weight_kg + types[t].tare_kg) * 1000)) for t, qty in demand.items() if t in types
    )
    window = order_window(order)
    pinned = None
    if order.pinned_vehicle_id is not None:
        pinned = frozenset({order.pinned_vehicle_id})
    return Job(
        id=order.pk,
        location=location,
        demand=demand,
        weight_g=grams,
        service_s=service_seconds(sum(demand.values())),
        window=None if window is None else (seconds(window[0]), seconds(window[1])),
        urgent=order.urgent,
        vehicles=pinned,
    )


def read_day(day: date, *, now: datetime | None = None, drivers: dict[int, User] | None = None) -> Day:
    """The day as it stands: trucks with drivers, their fixed stops and what
    is on board, the open orders, the depots' full stock. ``drivers``:
    {vehicle id: driver} to read (default: every truck with a driver)."""
    now = now or timezone.now()
    drivers = day_drivers() if drivers is None else drivers
    vehicles = list(Vehicle.objects.filter(is_active=True, pk__in=drivers).select_related("home_depot").order_by("id"))
    plans = {p.driver_id: p for p in RoutePlan.objects.filter(date=day).prefetch_related("stops__order")}
    types = {t.pk: t for t in CylinderType.objects.all()}
    orders = list(
        Order.objects.filter(on_day(day))
        .filter(Q(status__in=OPEN) | Q(status=OrderStatus.DELIVERED, scheduled_for=day))
        .select_related("customer")
        .prefetch_related("lines")
        .order_by("id")
    )
    by_id = {o.pk: o for o in orders}
    loaded = loaded_on([v.pk for v in vehicles], day)
    trucks_locs = {loc.vehicle_id: loc.pk for loc in Location.objects.filter(vehicle_id__in=[v.pk for v in vehicles])}
    on_board: dict[int, dict[int, int]] = defaultdict(dict)
    for row in StockBalance.objects.filter(location_id__in=trucks_locs.values()).values(
        "location__vehicle_id", "cylinder_type_id", "full_qty"
    ):
        on_board[row["location__vehicle_id"]][row["cylinder_type_id"]] = row["full_qty"]

    trucks, fixed_ids = [], set()
    for vehicle in vehicles:
        driver = drivers[vehicle.pk]
        plan = plans.get(driver.pk)
        fixed = []
        if plan is not None:
            for stop in sorted(plan.stops.all(), key=lambda s: s.sequence):
                order = by_id.get(stop.order_id)
                if order is not None and order.status in DONE:
                    fixed.append(order)
                    fixed_ids.add(order.pk)
        trucks.append(
            TruckDay(
                vehicle=vehicle,
                driver=driver,
                depot=vehicle.home_depot,
                plan=plan,
                fixed=fixed,
                loaded=vehicle.pk in loaded,
                on_board=on_board.get(vehicle.pk, {}),
            )
        )
    # a partly delivered order stays with whoever delivered part of it
    for order in orders:
        if order.status == OrderStatus.PARTLY_DELIVERED and order.pk not in fixed_ids:
            truck = next((t for t in trucks if t.driver.pk == order.driver_id), None)
            if truck is not None:
                truck.fixed.append(order)
                fixed_ids.add(order.pk)
    open_orders = {o.pk: o for o in orders if o.status in OPEN and o.pk not in fixed_ids}
    return _problem(day, now, trucks, open_orders, types)


def _problem(
    day: date, now: datetime, trucks: list[TruckDay], open_orders: dict[int, Order], types: dict[int, CylinderType]
) -> Day:
    capacities: dict[int, dict[int, int]] = defaultdict(dict)
    for row in VehicleCapacity.objects.filter(vehicle_id__in=[t.vehicle.pk for t in trucks]):
        capacities[row.vehicle_id][row.cylinder_type_id] = row.max_qty
    now_s = max(0, int((now.astimezone(SINGAPORE) - at(day, 0)).total_seconds()))
    problem_trucks = []
    for t in trucks:
        depot_point = point(t.depot) or (1.3521, 103.8198)  # a depot without a position: the middle of Singapore
        # no truck leaves in the past: planning today starts from now
        shift = (seconds(t.vehicle.shift_start), seconds(t.vehicle.shift_end))
        shift = (min(max(shift[0], now_s), shift[1]), shift[1])
        start = depot_point
        if t.out:
            last = next((point(o.customer) for o in reversed(t.fixed) if point(o.customer)), None)
            start = last or depot_point
            capacity = {type_id: max(qty, 0) for type_id, qty in t.on_board.items()}
        else:
            capacity = dict(capacities.get(t.vehicle.pk) or dict.fromkeys(types, UNLIMITED))
        problem_trucks.append(
            Truck(
                id=t.vehicle.pk,
                # a truck out loads nothing more: its own "depot" is what it carries
                depot_id=-t.vehicle.pk if t.out else t.depot.pk,
                start=start,
                end=depot_point,
                capacity=capacity,
                max_weight_g=int(t.vehicle.max_load_kg * 1000),
                shift=shift,
                fixed=tuple(FixedStop(o.pk, point(o.customer) or start) for o in t.fixed),
            )
        )
    jobs, no_location = [], []
    for order in open_orders.values():
        job = _job(order, types)
        if job is None:
            no_location.append(order.pk)
        elif job.demand:
            jobs.append(job)
    depots = {t.depot.pk for t in trucks if not t.out}
    stock: dict[int, dict[int, int]] = {d: {} for d in depots}
    for depot_id, type_id, full in StockBalance.objects.filter(location__depot_id__in=depots).values_list(
        "location__depot_id", "cylinder_type_id", "full_qty"
    ):
        stock[depot_id][type_id] = max(full, 0)
    for t in trucks:
        if t.out:
            stock[-t.vehicle.pk] = {type_id: max(qty, 0) for type_id, qty in t.on_board.items()}
    problem = Problem(jobs=tuple(jobs), trucks=_balanced(problem_trucks, jobs), stock=stock)
    return Day(
        day=day, now=now, trucks=trucks, orders=open_orders, no_location=no_location, problem=problem, types=types
    )


def _balanced(trucks: list[Truck], jobs: list[Job]) -> tuple[Truck, ...]:
    """Each truck takes at most ``DISPATCH_BALANCE`` times an even share of
    the day's stops (its own locked stops always fit), so the work is spread
    over the drivers instead of one truck driving the whole day because it
    saves a few kilometres. 0: no cap (shortest total distance)."""
    factor = settings.DISPATCH_BALANCE
    if factor <= 0 or len(trucks) < 2 or not jobs:
        return tuple(trucks)
    share = math.ceil(len(jobs) / len(trucks) * factor)
    pinned: dict[int, int] = defaultdict(int)
    for job in jobs:
        if job.vehicles is not None and len(job.vehicles) == 1:
            pinned[next(iter(job.vehicles))] += 1
    return tuple(replace(t, max_stops=max(share, pinned[t.id], 1)) for t in trucks)


def buffer_of(ordered: int, percent: int) -> int:
    return math.ceil(ordered * percent / 100)
