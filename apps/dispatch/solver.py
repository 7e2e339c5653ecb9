"""Assigning the day's orders to trucks and ordering each truck's stops.

``solve`` hands one ``Problem`` to a routing engine (VROOM through pyvroom, or
the OR-Tools routing library) and answers with a ``Solution``. The engine only
chooses which truck takes which order and in what order; the times and legs
of the answer are computed here from the matrix, the same way for both
engines, and checked (capacity, windows, shift, pins, depot stock): a route
that breaks a constraint is a bug and raises ``AssertionError``, never a plan.

What the engines do not know is handled around them:

* pre-checks give the plain reasons first (no such truck, too big for any
  truck, window out of reach, more than any depot holds);
* depot stock is not a routing constraint: solve, and while a depot's trucks
  load more of a type than it holds, forbid that depot for its
  lowest-priority orders and solve again (a bounded number of times);
* fixed stops (already done) are reported first, unchanged.

``sweep`` is the baseline a careful dispatcher would script by hand (angle
around the depot, cut by capacity, nearest neighbour and 2-opt); it ignores
windows, shifts, pins and stock. ``violations`` counts what a plan breaks, for
the benchmark and the tests."""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from apps.dispatch.distance import DistanceMatrix, default_matrix
from apps.dispatch.problem import Job, Point, Problem, Reason, Route, Solution, Stop, Truck

ENGINES = ("vroom", "ortools")
DEFAULT_ENGINE = "vroom"  # fewer km, sooner, on the benchmark day (docs/dispatch.md, "Solver choice")
MAX_STOCK_ROUNDS = 5
FULL_SHARE = 0.9  # a truck this full in a dimension an order needs counts as full
URGENT_PRIORITY = 100  # VROOM's highest
PENALTY = 10_000_000  # OR-Tools: metres not driven for an order left out (10,000 km: serve whenever possible)
URGENT_PENALTY = 1_000 * PENALTY
# VROOM's exploration level by day size: (up to this many orders, level). Measured on this 2-core box
# (bench/dispatch.py): level 5 plans 60 orders in about 1 s; on 300 orders level 0 finishes in about 5 s,
# level 1 takes 13 s and level 5 100 s, and cut at a time limit they return worse plans than level 0.
VROOM_EXPLORATION = ((100, 5), (200, 2), (None, 0))
VROOM_THREADS = 2
ORTOOLS_FIRST = "PARALLEL_CHEAPEST_INSERTION"
ORTOOLS_SEARCH = "GUIDED_LOCAL_SEARCH"


@dataclass
class _Day:
    """The problem as indexed numbers. Matrix nodes: truck k's start is k,
    its end ``K + k``, job i (in ``problem.jobs`` order) ``2K + i``."""

    problem: Problem
    metres: list[list[int]]
    seconds: list[list[int]]
    types: list[int]  # the cylinder type ids, one amount dimension each, then weight

    @property
    def trucks(self) -> tuple[Truck, ...]:
        return self.problem.trucks

    @property
    def jobs(self) -> tuple[Job, ...]:
        return self.problem.jobs

    def start(self, k: int) -> int:
        return k

    def end(self, k: int) -> int:
        return len(self.trucks) + k

    def node(self, i: int) -> int:
        return 2 * len(self.trucks) + i

    def demand(self, job: Job) -> list[int]:
        return [job.demand.get(t, 0) for t in self.types] + [job.weight_g]

    def capacity(self, truck: Truck) -> list[int]:
        return [truck.capacity.get(t, 0) for t in self.types] + [truck.max_weight_g]


def _points(problem: Problem) -> list[Point]:
    return [t.start for t in problem.trucks] + [t.end for t in problem.trucks] + [j.location for j in problem.jobs]


def _day(problem: Problem, matrix: DistanceMatrix | None) -> _Day:
    source = matrix if matrix is not None else default_matrix()
    metres, seconds = source.matrix(_points(problem))
    types = sorted(
        {t for j in problem.jobs for t, n in j.demand.items() if n} | {t for tr in problem.trucks for t in tr.capacity}
    )
    return _Day(problem, metres, seconds, types)


def _fits(need: Sequence[int], room: Sequence[int]) -> bool:
    return all(n <= r for n, r in zip(need, room, strict=True))


def _depot_stock(problem: Problem, depot_id: int) -> dict[int, int] | None:
    """None: unlimited. A depot missing from a given stock holds nothing."""
    if problem.stock is None:
        return None
    return problem.stock.get(depot_id, {})


def _precheck(day: _Day) -> tuple[dict[int, set[int]], dict[int, str]]:
    """({job index: truck indexes that could take it alone}, {job id: reason})
    for the reasons that need no solving."""
    allowed: dict[int, set[int]] = {}
    unassigned: dict[int, str] = {}
    truck_ids = {t.id for t in day.trucks}
    for i, job in enumerate(day.jobs):
        if job.vehicles is not None and not (job.vehicles & truck_ids):
            unassigned[job.id] = Reason.NO_TRUCK
            continue
        if not day.trucks:
            unassigned[job.id] = Reason.NO_TRUCK
            continue
        named = [k for k, t in enumerate(day.trucks) if job.vehicles is None or t.id in job.vehicles]
        need = day.demand(job)
        fitting = [k for k in named if _fits(need, day.capacity(day.trucks[k]))]
        if not fitting:
            unassigned[job.id] = Reason.CAPACITY
            continue
        stocked = [k for k in fitting if _stock_covers(day.problem, day.trucks[k].depot_id, job)]
        if not stocked:
            unassigned[job.id] = Reason.NO_STOCK
            continue
        reachable = [k for k in stocked if _reachable_alone(day, k, i)]
        if not reachable:
            unassigned[job.id] = Reason.WINDOW
            continue
        allowed[i] = set(reachable)
    return allowed, unassigned


def _stock_covers(problem: Problem, depot_id: int, job: Job) -> bool:
    stock = _depot_stock(problem, depot_id)
    return stock is None or all(n <= stock.get(t, 0) for t, n in job.demand.items())


def _reachable_alone(day: _Day, k: int, i: int) -> bool:
    """Truck k, going straight from its start to job i and on to its end,
    serves it inside the window and is back inside its shift."""
    truck, job, node = day.trucks[k], day.jobs[i], day.node(i)
    begin = truck.shift[0] + day.seconds[day.start(k)][node]
    if job.window is not None:
        begin = max(begin, job.window[0])
        if begin > job.window[1]:
            return False
    return begin + job.service_s + day.seconds[node][day.end(k)] <= truck.shift[1]


# -- the engines: {truck index: [job index, ...]} in driving order ------------------------


def _run_vroom(day: _Day, allowed: dict[int, set[int]], time_limit_s: float) -> dict[int, list[int]]:
    import vroom

    inp = vroom.Input()
    inp.set_durations_matrix("car", day.seconds)
    inp.set_costs_matrix("car", day.metres)  # minimise the distance driven
    everyone = frozenset(range(len(day.trucks)))
    skill_of: dict[frozenset[int], int] = {}
    for trucks in allowed.values():
        key = frozenset(trucks)
        if key != everyone and key not in skill_of:
            skill_of[key] = len(skill_of) + 1
    for k, truck in enumerate(day.trucks):
        inp.add_vehicle(
            vroom.Vehicle(
                k,
                start=day.start(k),
                end=day.end(k),
                capacity=day.capacity(truck),
                skills={s for key, s in skill_of.items() if k in key},
                time_window=vroom.TimeWindow(truck.shift[0], truck.shift[1]),
                **({"max_tasks": truck.max_stops} if truck.max_stops is not None else {}),
            )
        )
    for i in sorted(allowed):
        job = day.jobs[i]
        key = frozenset(allowed[i])
        inp.add_job(
            vroom.Job(
                i,
                location=day.node(i),
                default_service=job.service_s,
                delivery=vroom.Amount(day.demand(job)),
                skills={skill_of[key]} if key in skill_of else set(),
                priority=URGENT_PRIORITY if job.urgent else 0,
                time_windows=[vroom.TimeWindow(*job.window)] if job.window is not None else (),
            )
        )
    answer = inp.solve(
        exploration_level=_exploration(len(allowed)), nb_threads=VROOM_THREADS, timeout=timedelta(seconds=time_limit_s)
    ).to_dict()
    return {
        route["vehicle"]: [step["id"] for step in route["steps"] if step["type"] == "job"]
        for route in answer.get("routes", [])
    }


def _exploration(n_jobs: int) -> int:
    return next(level for most, level in VROOM_EXPLORATION if most is None or n_jobs <= most)


def _run_ortools(day: _Day, allowed: dict[int, set[int]], time_limit_s: float) -> dict[int, list[int]]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n_trucks = len(day.trucks)
    jobs = sorted(allowed)
    nodes = [day.start(k) for k in range(n_trucks)] + [day.end(k) for k in range(n_trucks)]
    nodes += [day.node(i) for i in jobs]
    service = [0] * (2 * n_trucks) + [day.jobs[i].service_s for i in jobs]
    metres = [[day.metres[a][b] for b in nodes] for a in nodes]
    travel = [[day.seconds[a][b] + service[x] for b in nodes] for x, a in enumerate(nodes)]
    manager = pywrapcp.RoutingIndexManager(
        len(nodes), n_trucks, list(range(n_trucks)), list(range(n_trucks, 2 * n_trucks))
    )
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(metres))

    horizon = max([t.shift[1] for t in day.trucks] + [w[1] for i in jobs if (w := day.jobs[i].window)])
    routing.AddDimension(routing.RegisterTransitMatrix(travel), horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for k, truck in enumerate(day.trucks):
        clock.CumulVar(routing.Start(k)).SetRange(truck.shift[0], truck.shift[1])
        clock.CumulVar(routing.End(k)).SetRange(truck.shift[0], truck.shift[1])

    caps = [day.capacity(t) for t in day.trucks]
    demands = [[0] * (len(day.types) + 1) for _ in range(2 * n_trucks)] + [day.demand(day.jobs[i]) for i in jobs]
    for d in range(len(day.types) + 1):
        vector = routing.RegisterUnaryTransitVector([row[d] for row in demands])
        routing.AddDimensionWithVehicleCapacity(vector, 0, [c[d] for c in caps], True, f"amount{d}")

    if any(t.max_stops is not None for t in day.trucks):
        ones = routing.RegisterUnaryTransitVector([0] * (2 * n_trucks) + [1] * len(jobs))
        limits = [len(jobs) if t.max_stops is None else t.max_stops for t in day.trucks]
        routing.AddDimensionWithVehicleCapacity(ones, 0, limits, True, "stops")

    for x, i in enumerate(jobs, start=2 * n_trucks):
        job, index = day.jobs[i], manager.NodeToIndex(x)
        if job.window is not None:
            clock.CumulVar(index).SetRange(job.window[0], job.window[1])
        if len(allowed[i]) < n_trucks:
            # SetAllowedVehiclesForIndex's SWIG binding takes no Python list in 9.15: the
            # same constraint on the vehicle variable (-1: left out).
            routing.VehicleVar(index).SetValues([-1, *sorted(allowed[i])])
        routing.AddDisjunction([index], URGENT_PENALTY if job.urgent else PENALTY)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, ORTOOLS_FIRST)
    params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, ORTOOLS_SEARCH)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    assignment = routing.SolveWithParameters(params)
    orders: dict[int, list[int]] = {}
    if assignment is None:  # no first solution: every order left out, the reasons say why
        return orders
    for k in range(n_trucks):
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        seq = []
        while not routing.IsEnd(index):
            seq.append(jobs[manager.IndexToNode(index) - 2 * n_trucks])
            index = assignment.Value(routing.NextVar(index))
        if seq:
            orders[k] = seq
    return orders


# -- routes from orders: times, legs, loads; and the check ---------------------------------


def _route(day: _Day, k: int, order: Sequence[int]) -> Route:
    """Truck k driving ``order`` (job indexes) from its start, leaving at the
    shift start, or later by the first stop's wait (no service time moves)."""
    truck = day.trucks[k]
    fixed = [Stop(f.job_id, truck.shift[0], truck.shift[0], 0) for f in truck.fixed]
    stops: list[Stop] = []
    here, clock, distance = day.start(k), truck.shift[0], 0
    load = dict.fromkeys(day.types, 0)
    for i in order:
        job, node = day.jobs[i], day.node(i)
        arrival = clock + day.seconds[here][node]
        begin = max(arrival, job.window[0]) if job.window is not None else arrival
        leg = day.metres[here][node]
        stops.append(Stop(job.id, arrival, begin, leg))
        distance += leg
        clock, here = begin + job.service_s, node
        for t, n in job.demand.items():
            load[t] = load.get(t, 0) + n
    distance += day.metres[here][day.end(k)]
    end_s = clock + day.seconds[here][day.end(k)]
    leave = truck.shift[0]
    if stops and stops[0].start_s > stops[0].arrival_s:
        leave += stops[0].start_s - stops[0].arrival_s
        stops[0] = Stop(stops[0].job_id, stops[0].start_s, stops[0].start_s, stops[0].leg_m)
    return Route(
        truck_id=truck.id,
        stops=tuple(fixed + stops),
        distance_m=distance,
        start_s=leave,
        end_s=end_s,
        load={t: n for t, n in load.items() if n},
    )


def _check(day: _Day, routes: dict[int, Route], allowed: dict[int, set[int]]) -> None:
    """Every constraint, recomputed on the answer; a breach is a bug."""
    by_id = {job.id: i for i, job in enumerate(day.jobs)}
    seen: set[int] = set()
    for k, route in routes.items():
        truck = day.trucks[k]
        fixed_ids = {f.job_id for f in truck.fixed}
        weight = 0
        for stop in route.stops:
            if stop.job_id in fixed_ids:
                continue
            i = by_id[stop.job_id]
            job = day.jobs[i]
            assert stop.job_id not in seen, f"order {stop.job_id} is on two routes"
            seen.add(stop.job_id)
            assert k in allowed.get(i, set()), f"order {job.id} on truck {truck.id}, which may not take it"
            if job.window is not None:
                assert job.window[0] <= stop.start_s <= job.window[1], (
                    f"order {job.id} served at {stop.start_s}, outside {job.window} (truck {truck.id})"
                )
            weight += job.weight_g
        for t, n in route.load.items():
            assert n <= truck.capacity.get(t, 0), f"truck {truck.id} carries {n} of type {t}"
        assert weight <= truck.max_weight_g, f"truck {truck.id} carries {weight} g"
        new_stops = sum(1 for s in route.stops if s.job_id not in fixed_ids)
        assert truck.max_stops is None or new_stops <= truck.max_stops, f"truck {truck.id} has {new_stops} stops"
        # a truck given nothing new only drives home (a truck out late, say): its shift binds new stops only
        assert not new_stops or truck.shift[0] <= route.start_s and route.end_s <= truck.shift[1], (
            f"truck {truck.id} out {route.start_s}-{route.end_s}, shift {truck.shift}"
        )
    over = _stock_excess(day, routes)
    assert not over, f"depot stock exceeded: {over}"


def _stock_excess(day: _Day, routes: dict[int, Route]) -> dict[int, dict[int, int]]:
    """{depot id: {type id: cylinders loaded beyond its stock}}."""
    loaded: dict[int, dict[int, int]] = {}
    for k, route in routes.items():
        per = loaded.setdefault(day.trucks[k].depot_id, {})
        for t, n in route.load.items():
            per[t] = per.get(t, 0) + n
    excess: dict[int, dict[int, int]] = {}
    for depot_id, per in loaded.items():
        stock = _depot_stock(day.problem, depot_id)
        if stock is None:
            continue
        over = {t: n - stock.get(t, 0) for t, n in per.items() if n > stock.get(t, 0)}
        if over:
            excess[depot_id] = over
    return excess


def _drop_order(job: Job) -> tuple[bool, int, int]:
    """Sort key: the first is the first to give up (not urgent, latest window start, highest id)."""
    return (job.urgent, -(job.window[0] if job.window else 0), -job.id)


def solve(
    problem: Problem, matrix: DistanceMatrix | None = None, *, engine: str = DEFAULT_ENGINE, time_limit_s: float = 5.0
) -> Solution:
    """One plan for the day: every order of ``problem`` is on exactly one
    route or in ``unassigned`` with a reason. Urgent orders are served before
    any other when not all fit. ``time_limit_s`` bounds each engine run (a
    depot short of stock costs up to ``MAX_STOCK_ROUNDS`` runs). VROOM's
    answer depends only on the input (threads fixed, exploration level by the
    number of orders: ``VROOM_EXPLORATION``) unless it hits the time
    limit; OR-Tools searches until the limit."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; one of {ENGINES}")
    t0 = time.perf_counter()
    day = _day(problem, matrix)
    allowed, unassigned = _precheck(day)
    run = _run_vroom if engine == "vroom" else _run_ortools
    depot_of = [t.depot_id for t in day.trucks]
    forbidden: dict[int, set[int]] = {}  # job index: depots it may not load at
    left_out: set[int] = set()  # job indexes kept out of the last (frozen) run
    routes: dict[int, Route] = {}
    usable = allowed
    for round_no in range(MAX_STOCK_ROUNDS):
        usable = {
            i: {k for k in trucks if depot_of[k] not in forbidden.get(i, set())}
            for i, trucks in allowed.items()
            if i not in left_out
        }
        usable = {i: trucks for i, trucks in usable.items() if trucks}
        orders = run(day, usable, time_limit_s) if usable else {}
        routes = {k: _route(day, k, orders.get(k, [])) for k in range(len(day.trucks))}
        excess = _stock_excess(day, routes)
        if not excess:
            break
        assert round_no < MAX_STOCK_ROUNDS - 1, f"stock still exceeded after the frozen run: {excess}"
        for depot_id, over in excess.items():
            carried = [i for k, order in orders.items() if depot_of[k] == depot_id for i in order]

            def elsewhere(i: int, depot_id: int = depot_id) -> bool:
                gone = forbidden.get(i, set()) | {depot_id}
                return any(depot_of[k] not in gone for k in allowed[i])

            # Orders another depot may still load go first (moved, not lost); then the lowest priority.
            for i in sorted(carried, key=lambda i: (not elsewhere(i), *_drop_order(day.jobs[i]))):
                if not over:
                    break
                job = day.jobs[i]
                if not any(over.get(t, 0) > 0 for t, n in job.demand.items() if n):
                    continue
                forbidden.setdefault(i, set()).add(depot_id)
                for t, n in job.demand.items():
                    if t in over:
                        over[t] -= n
                over = {t: n for t, n in over.items() if n > 0}
        if round_no == MAX_STOCK_ROUNDS - 2:
            # Last run: each order may stay only at the depot it loaded at
            # (minus the ones just dropped), so no depot can load more.
            on_depot = {i: depot_of[k] for k, order in orders.items() for i in order}
            for i in allowed:
                if i not in on_depot:
                    left_out.add(i)
                else:
                    forbidden.setdefault(i, set()).update(set(depot_of) - {on_depot[i]})

    _check(day, routes, usable)
    served = {s.job_id for r in routes.values() for s in r.stops}
    weight_of = {job.id: job.weight_g for job in day.jobs}
    weights = [sum(weight_of.get(s.job_id, 0) for s in routes[k].stops) for k in range(len(day.trucks))]
    for i in allowed:
        job = day.jobs[i]
        if job.id in served:
            continue
        trucks = usable.get(i) or allowed[i]
        if i not in usable and i not in left_out:
            unassigned[job.id] = Reason.NO_STOCK
        else:
            unassigned[job.id] = _left_out_reason(day, job, trucks, routes, weights)

    kept = tuple(routes[k] for k in range(len(day.trucks)) if routes[k].stops)
    return Solution(
        routes=kept,
        unassigned=dict(sorted(unassigned.items())),
        engine=engine,
        solve_ms=round((time.perf_counter() - t0) * 1000),
    )


def _left_out_reason(day: _Day, job: Job, trucks: set[int], routes: dict[int, Route], weights: list[int]) -> str:
    """CAPACITY when every truck that could take it is nearly full in a
    dimension it needs, or has less room left there than it needs; otherwise
    the fleet's time ran out: WINDOW."""
    needs = [t for t, n in job.demand.items() if n]

    def full(k: int) -> bool:
        truck, route = day.trucks[k], routes[k]
        for t in needs:
            cap, used = truck.capacity.get(t, 0), route.load.get(t, 0)
            if used >= FULL_SHARE * cap or used + job.demand[t] > cap:
                return True
        if job.weight_g <= 0:
            return False
        return weights[k] >= FULL_SHARE * truck.max_weight_g or weights[k] + job.weight_g > truck.max_weight_g

    return Reason.CAPACITY if trucks and all(full(k) for k in trucks) else Reason.WINDOW


# -- the hand-written baseline -------------------------------------------------------------


def sweep(problem: Problem, matrix: DistanceMatrix | None = None) -> Solution:
    """The dispatcher's script: each order to its closest depot, the depot's
    orders by angle around it, cut into its trucks by capacity in that order,
    each truck's stops by nearest neighbour then 2-opt. Windows, shifts, pins
    and stock are not looked at (``violations`` counts what that breaks)."""
    t0 = time.perf_counter()
    day = _day(problem, matrix)
    unassigned: dict[int, str] = {}
    depots: dict[int, list[int]] = {}
    for k, truck in enumerate(day.trucks):
        depots.setdefault(truck.depot_id, []).append(k)
    orders: dict[int, list[int]] = {}
    if not depots:
        return Solution(routes=(), unassigned={j.id: Reason.NO_TRUCK for j in problem.jobs}, engine="sweep")
    home = {d: day.start(ks[0]) for d, ks in depots.items()}
    mine: dict[int, list[int]] = {d: [] for d in depots}
    for i in range(len(day.jobs)):
        depot_id = min(depots, key=lambda d: (day.metres[home[d]][day.node(i)], d))
        mine[depot_id].append(i)
    for depot_id, jobs in mine.items():
        lat0, lng0 = day.trucks[depots[depot_id][0]].start

        def angle(i: int, lat0: float = lat0, lng0: float = lng0) -> tuple[float, int]:
            lat, lng = day.jobs[i].location
            return (math.atan2(lat - lat0, (lng - lng0) * math.cos(math.radians(lat0))), day.jobs[i].id)

        trucks = list(depots[depot_id])
        biggest = [max(c) for c in zip(*(day.capacity(day.trucks[k]) for k in trucks), strict=True)]
        room = day.capacity(day.trucks[trucks[0]])
        current: list[int] = []
        for i in sorted(jobs, key=angle):
            need = day.demand(day.jobs[i])
            if not _fits(need, biggest):
                unassigned[day.jobs[i].id] = Reason.CAPACITY
                continue
            while trucks and not _fits(need, room):
                orders[trucks.pop(0)] = current
                current = []
                room = day.capacity(day.trucks[trucks[0]]) if trucks else []
            if not trucks:
                unassigned[day.jobs[i].id] = Reason.CAPACITY
                continue
            current.append(i)
            room = [r - n for r, n in zip(room, need, strict=True)]
        if trucks:
            orders[trucks[0]] = current
    routes = []
    for k in range(len(day.trucks)):
        order = _two_opt(day, k, _nearest_neighbour(day, k, orders.get(k, [])))
        route = _route(day, k, order)
        if route.stops:
            routes.append(route)
    return Solution(
        routes=tuple(routes),
        unassigned=dict(sorted(unassigned.items())),
        engine="sweep",
        solve_ms=round((time.perf_counter() - t0) * 1000),
    )


def _nearest_neighbour(day: _Day, k: int, jobs: list[int]) -> list[int]:
    remaining = sorted(jobs, key=lambda i: day.jobs[i].id)
    path, here = [], day.start(k)
    while remaining:
        best = min(remaining, key=lambda i: (day.metres[here][day.node(i)], day.jobs[i].id))
        remaining.remove(best)
        path.append(best)
        here = day.node(best)
    return path


def _two_opt(day: _Day, k: int, order: list[int], max_passes: int = 50) -> list[int]:
    """Reverse any stretch of start -> stops -> end that makes it shorter
    (first improvement in scan order; symmetric distances assumed)."""
    m = day.metres
    order = list(order)
    n = len(order)
    for _ in range(max_passes):
        nodes = [day.start(k)] + [day.node(i) for i in order] + [day.end(k)]
        improved = False
        for i in range(1, n):
            for j in range(i + 1, n + 1):
                a, b, c, d = nodes[i - 1], nodes[i], nodes[j], nodes[j + 1]
                if m[a][c] + m[b][d] < m[a][b] + m[c][d]:
                    nodes[i : j + 1] = reversed(nodes[i : j + 1])
                    order[i - 1 : j] = reversed(order[i - 1 : j])
                    improved = True
        if not improved:
            break
    return order


def violations(problem: Problem, solution: Solution, matrix: DistanceMatrix | None = None) -> dict[str, int]:
    """What a plan breaks, recomputed from its routes' order and start times:
    stops served outside their window, trucks over capacity (any type or
    weight), trucks out of their shift, depots loading beyond their stock,
    orders on no route and in no reason or on two routes."""
    day = _day(problem, matrix)
    jobs = {job.id: (i, job) for i, job in enumerate(day.jobs)}
    trucks = {t.id: (k, t) for k, t in enumerate(day.trucks)}
    counts = {"windows_missed": 0, "over_capacity": 0, "over_shift": 0, "stock_over": 0, "jobs_lost": 0}
    placed: dict[int, int] = {}
    routes: dict[int, Route] = {}
    for route in solution.routes:
        k, truck = trucks[route.truck_id]
        routes[k] = route
        fixed_ids = {f.job_id for f in truck.fixed}
        here, clock = day.start(k), route.start_s
        load = dict.fromkeys(day.types, 0)
        weight = 0
        for stop in route.stops:
            if stop.job_id in fixed_ids:
                continue
            i, job = jobs[stop.job_id]
            placed[job.id] = placed.get(job.id, 0) + 1
            clock += day.seconds[here][day.node(i)]
            if job.window is not None:
                clock = max(clock, job.window[0])
                if clock > job.window[1]:
                    counts["windows_missed"] += 1
            clock += job.service_s
            here = day.node(i)
            for t, n in job.demand.items():
                load[t] = load.get(t, 0) + n
            weight += job.weight_g
        clock += day.seconds[here][day.end(k)]
        if weight > truck.max_weight_g or any(n > truck.capacity.get(t, 0) for t, n in load.items()):
            counts["over_capacity"] += 1
        if route.start_s < truck.shift[0] or clock > truck.shift[1]:
            counts["over_shift"] += 1
    counts["stock_over"] = len(_stock_excess(day, routes))
    for job in day.jobs:
        n = placed.get(job.id, 0) + (1 if job.id in solution.unassigned else 0)
        if n != 1:
            counts["jobs_lost"] += 1
    counts["unassigned"] = len(solution.unassigned)
    return counts
