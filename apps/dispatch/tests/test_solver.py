"""The route solver: its invariants over random small days (both engines),
the reasons for orders left out, depot stock, fixed stops, and the sweep
baseline. Plain data, no database."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.dispatch.distance import StraightLine
from apps.dispatch.problem import FixedStop, Job, Problem, Reason, Solution, Truck
from apps.dispatch.solver import DEFAULT_ENGINE, _exploration, solve, sweep, violations

HOUR = 3600
SHIFT = (7 * HOUR, 19 * HOUR)
DEPOTS = {1: (1.3162, 103.6486), 2: (1.4644, 103.7990)}
CENTRE = (1.3521, 103.8198)
MATRIX = StraightLine()
REASONS = {Reason.NO_STOCK, Reason.CAPACITY, Reason.WINDOW, Reason.NO_TRUCK}


def random_day(seed: int) -> Problem:
    """5-40 orders, 1-4 trucks at 1-2 depots; windows loose, tight and
    impossible; some urgent, some pinned (one to a truck not planned), some
    trucks already out with stops done; stock sometimes short."""
    rng = random.Random(seed)
    depots = [1] if rng.random() < 0.5 else [1, 2]
    trucks = []
    for k in range(rng.randint(1, 4)):
        depot = depots[k % len(depots)]
        out = rng.random() < 0.3
        size = rng.choice([20, 40, 80])
        capacity = {t: size for t in (1, 2, 3) if rng.random() < 0.85} or {1: size}
        shift = (rng.choice([7, 9, 11]) * HOUR, rng.choice([13, 17, 19]) * HOUR)
        fixed = tuple(FixedStop(90_000 + 10 * k + n, _near(rng)) for n in range(rng.randint(1, 3))) if out else ()
        trucks.append(
            Truck(
                id=k + 1,
                depot_id=depot,
                start=fixed[-1].location if fixed else DEPOTS[depot],
                end=DEPOTS[depot],
                capacity=capacity,
                max_weight_g=size * rng.choice([25_000, 60_000]),
                shift=shift,
                fixed=fixed,
            )
        )
    jobs = []
    for i in range(rng.randint(5, 40)):
        demand = {rng.choice([1, 2, 3]): rng.randint(1, 8)}
        if rng.random() < 0.2:
            demand[rng.choice([1, 2, 3])] = rng.randint(1, 4)
        kind = rng.random()
        if kind < 0.3:
            window = None
        elif kind < 0.6:
            window = (7 * HOUR, 21 * HOUR)
        else:  # tight: 15 to 60 minutes somewhere in the day, some before any shift can reach
            begin = rng.randint(7 * HOUR, 18 * HOUR)
            window = (begin, begin + rng.choice([900, 1800, 3600]))
        vehicles = None
        if rng.random() < 0.15:
            vehicles = frozenset(rng.sample([t.id for t in trucks] + [99], k=1))
        jobs.append(
            Job(
                id=100 + i,
                location=_near(rng),
                demand=demand,
                weight_g=sum(n * 27_000 for n in demand.values()),
                service_s=240 + 60 * sum(demand.values()),
                window=window,
                urgent=rng.random() < 0.2,
                vehicles=vehicles,
            )
        )
    stock = None
    if rng.random() < 0.6:
        stock = {d: {t: rng.randint(0, 120) for t in (1, 2, 3)} for d in depots}
    return Problem(jobs=tuple(jobs), trucks=tuple(trucks), stock=stock)


def _near(rng: random.Random) -> tuple[float, float]:
    return (CENTRE[0] + rng.uniform(-0.08, 0.08), CENTRE[1] + rng.uniform(-0.15, 0.15))


def assert_valid(problem: Problem, solution: Solution) -> None:
    broken = violations(problem, solution, MATRIX)
    assert broken == {
        "windows_missed": 0,
        "over_capacity": 0,
        "over_shift": 0,
        "stock_over": 0,
        "jobs_lost": 0,
        "unassigned": len(solution.unassigned),
    }
    assert set(solution.unassigned.values()) <= REASONS
    jobs = {j.id: j for j in problem.jobs}
    trucks = {t.id: t for t in problem.trucks}
    assert len({r.truck_id for r in solution.routes}) == len(solution.routes)
    routed = [s.job_id for r in solution.routes for s in r.stops if s.job_id in jobs]
    assert sorted(routed + list(solution.unassigned)) == sorted(jobs)
    for truck in problem.trucks:
        if truck.fixed:
            assert truck.id in {r.truck_id for r in solution.routes}, "a truck out with stops done has a route"
    for route in solution.routes:
        truck = trucks[route.truck_id]
        n_fixed = len(truck.fixed)
        assert [s.job_id for s in route.stops[:n_fixed]] == [f.job_id for f in truck.fixed]
        assert all(s.arrival_s == truck.shift[0] and s.leg_m == 0 for s in route.stops[:n_fixed])
        assert truck.shift[0] <= route.start_s and route.end_s <= truck.shift[1]
        load: dict[int, int] = {}
        for stop in route.stops[n_fixed:]:
            job = jobs[stop.job_id]
            assert route.start_s <= stop.arrival_s <= stop.start_s
            if job.window is not None:
                assert job.window[0] <= stop.start_s <= job.window[1]
            if job.vehicles is not None:
                assert truck.id in job.vehicles
            for t, n in job.demand.items():
                load[t] = load.get(t, 0) + n
        assert route.load == load
        assert route.distance_m >= sum(s.leg_m for s in route.stops)


# Derandomized: the same examples every run (CI runs the suite three times); no example database.
slow_ok = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True, database=None)


@settings(slow_ok, max_examples=40)
@given(seed=st.integers(0, 10**9))
def test_vroom_plans_keep_every_constraint(seed: int) -> None:
    problem = random_day(seed)
    assert_valid(problem, solve(problem, MATRIX, engine="vroom", time_limit_s=2))


@settings(slow_ok, max_examples=12)
@given(seed=st.integers(0, 10**9))
def test_ortools_plans_keep_every_constraint(seed: int) -> None:
    problem = random_day(seed)
    assert_valid(problem, solve(problem, MATRIX, engine="ortools", time_limit_s=0.3))


@settings(slow_ok, max_examples=25)
@given(seed=st.integers(0, 10**9))
def test_sweep_accounts_for_every_order(seed: int) -> None:
    problem = random_day(seed)
    solution = sweep(problem, MATRIX)
    assert violations(problem, solution, MATRIX)["jobs_lost"] == 0
    assert set(solution.unassigned.values()) <= {Reason.CAPACITY, Reason.NO_TRUCK}


# -- examples -------------------------------------------------------------------------------


def truck(tid: int = 1, *, depot: int = 1, cylinders: int = 60, **kw: object) -> Truck:
    fields = {
        "id": tid,
        "depot_id": depot,
        "start": DEPOTS[depot],
        "end": DEPOTS[depot],
        "capacity": {1: cylinders},
        "max_weight_g": cylinders * 27_000,
        "shift": SHIFT,
    }
    fields.update(kw)
    return Truck(**fields)  # type: ignore[arg-type]


def job(jid: int, n: int = 2, *, at: tuple[float, float] = CENTRE, **kw: object) -> Job:
    fields = {"id": jid, "location": at, "demand": {1: n}, "weight_g": n * 27_000, "service_s": 300}
    fields.update(kw)
    return Job(**fields)  # type: ignore[arg-type]


ENGINES = [("vroom", 2.0), ("ortools", 0.5)]


@pytest.mark.parametrize(("engine", "limit"), ENGINES)
def test_window_closing_before_the_truck_can_arrive_is_window(engine: str, limit: float) -> None:
    # Tuas to the centre is about 25 km of road, most of an hour at 28 km/h.
    problem = Problem(jobs=(job(1, window=(7 * HOUR, 7 * HOUR + 600)), job(2)), trucks=(truck(),))
    solution = solve(problem, MATRIX, engine=engine, time_limit_s=limit)
    assert solution.unassigned == {1: Reason.WINDOW}
    assert [s.job_id for s in solution.routes[0].stops] == [2]


@pytest.mark.parametrize(("engine", "limit"), ENGINES)
def test_order_bigger_than_any_truck_is_capacity(engine: str, limit: float) -> None:
    problem = Problem(jobs=(job(1, 100), job(2, 10)), trucks=(truck(cylinders=60),))
    solution = solve(problem, MATRIX, engine=engine, time_limit_s=limit)
    assert solution.unassigned == {1: Reason.CAPACITY}


@pytest.mark.parametrize(("engine", "limit"), ENGINES)
def test_full_fleet_is_capacity_and_urgent_goes_first(engine: str, limit: float) -> None:
    jobs = (job(1, 40, window=(8 * HOUR, 9 * HOUR)), job(2, 40, urgent=True, window=(10 * HOUR, 11 * HOUR)))
    solution = solve(Problem(jobs=jobs, trucks=(truck(cylinders=60),)), MATRIX, engine=engine, time_limit_s=limit)
    assert solution.unassigned == {1: Reason.CAPACITY}
    assert [s.job_id for s in solution.routes[0].stops] == [2]


@pytest.mark.parametrize(("engine", "limit"), ENGINES)
def test_fleet_out_of_time_is_window(engine: str, limit: float) -> None:
    # Each alone fits in the 2-hour shift (about 20 minutes apart); both do not.
    jobs = (job(1, 1, service_s=3000), job(2, 1, at=(1.38, 103.88), service_s=3000))
    problem = Problem(jobs=jobs, trucks=(truck(start=CENTRE, end=CENTRE, shift=(7 * HOUR, 9 * HOUR)),))
    solution = solve(problem, MATRIX, engine=engine, time_limit_s=limit)
    assert list(solution.unassigned.values()) == [Reason.WINDOW]


@pytest.mark.parametrize(("engine", "limit"), ENGINES)
def test_pin_to_a_truck_not_planned_is_no_truck(engine: str, limit: float) -> None:
    jobs = (job(1, vehicles=frozenset({7})), job(2, vehicles=frozenset({2})))
    problem = Problem(jobs=jobs, trucks=(truck(), truck(2)))
    solution = solve(problem, MATRIX, engine=engine, time_limit_s=limit)
    assert solution.unassigned == {1: Reason.NO_TRUCK}
    assert solution.routes[0].truck_id == 2


@pytest.mark.parametrize(("engine", "limit"), ENGINES)
def test_depot_stock_moves_orders_to_the_other_depot_or_no_stock(engine: str, limit: float) -> None:
    # Six orders of 10 near Tuas; Tuas holds 25, Senoko 20, one truck each: 4 served at most.
    near_tuas = (1.33, 103.70)
    jobs = tuple(job(i, 10, at=near_tuas, urgent=i == 6) for i in range(1, 7))
    trucks = (truck(1, depot=1, cylinders=80), truck(2, depot=2, cylinders=80))
    problem = Problem(jobs=jobs, trucks=trucks, stock={1: {1: 25}, 2: {1: 20}, 3: {1: 1000}})
    solution = solve(problem, MATRIX, engine=engine, time_limit_s=limit)
    assert_valid(problem, solution)
    loads = {r.truck_id: r.load.get(1, 0) for r in solution.routes}
    assert loads == {1: 20, 2: 20}
    assert set(solution.unassigned.values()) == {Reason.NO_STOCK} and len(solution.unassigned) == 2
    assert 6 not in solution.unassigned  # the urgent one is kept


def test_more_than_any_depot_holds_is_no_stock_without_solving() -> None:
    problem = Problem(jobs=(job(1, 30),), trucks=(truck(),), stock={1: {1: 29}})
    assert solve(problem, MATRIX).unassigned == {1: Reason.NO_STOCK}


@pytest.mark.parametrize(("engine", "limit"), ENGINES)
def test_fixed_stops_first_then_new_stops_from_the_last_one(engine: str, limit: float) -> None:
    done = (FixedStop(900, (1.30, 103.85)), FixedStop(901, (1.31, 103.86)))
    out = truck(shift=(11 * HOUR, 19 * HOUR), start=(1.31, 103.86), fixed=done)
    idle = truck(2, fixed=(FixedStop(902, CENTRE),), start=CENTRE, shift=(12 * HOUR, 19 * HOUR))
    problem = Problem(jobs=(job(1, vehicles=frozenset({1})), job(2, vehicles=frozenset({1}))), trucks=(out, idle))
    solution = solve(problem, MATRIX, engine=engine, time_limit_s=limit)
    assert_valid(problem, solution)
    first, second = solution.routes
    assert [s.job_id for s in first.stops[:2]] == [900, 901] and len(first.stops) == 4
    assert [s.job_id for s in second.stops] == [902]  # nothing new: back to the depot


def test_no_trucks_at_all() -> None:
    problem = Problem(jobs=(job(1),), trucks=())
    assert solve(problem, MATRIX).unassigned == {1: Reason.NO_TRUCK}
    assert sweep(problem, MATRIX).unassigned == {1: Reason.NO_TRUCK}


def test_vroom_is_deterministic() -> None:
    problem = random_day(12345)
    first = solve(problem, MATRIX, engine="vroom", time_limit_s=5)
    again = solve(problem, MATRIX, engine="vroom", time_limit_s=5)
    assert first.routes == again.routes and first.unassigned == again.unassigned


def test_vroom_explores_less_on_bigger_days() -> None:
    """The full search on a re-plan; the quick one on a 300-order day (it
    finishes inside the time limit there, so the plan stays deterministic)."""
    levels = [_exploration(n) for n in (1, 60, 100, 101, 150, 200, 201, 300, 5000)]
    assert levels == sorted(levels, reverse=True)
    assert _exploration(60) == 5 and _exploration(300) == 0
    assert DEFAULT_ENGINE == "vroom"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engines_agree_on_feasibility(seed: int) -> None:
    """A day with room to spare: both engines serve every order; a day with
    orders nobody can take: both give the same reasons for those."""
    rng = random.Random(seed)
    jobs = tuple(job(i, rng.randint(1, 5), at=_near(rng), window=(9 * HOUR, 18 * HOUR)) for i in range(20))
    trucks = (truck(1, cylinders=80), truck(2, depot=2, cylinders=80))
    roomy = Problem(jobs=jobs, trucks=trucks)
    impossible = (job(50, 200), job(51, window=(7 * HOUR, 7 * HOUR + 60)), job(52, vehicles=frozenset({9})))
    crowded = Problem(jobs=jobs + impossible, trucks=trucks)
    for engine, limit in ENGINES:
        assert solve(roomy, MATRIX, engine=engine, time_limit_s=limit).unassigned == {}
        assert solve(crowded, MATRIX, engine=engine, time_limit_s=limit).unassigned == {
            50: Reason.CAPACITY,
            51: Reason.WINDOW,
            52: Reason.NO_TRUCK,
        }


def test_routes_report_times_and_legs_from_the_matrix() -> None:
    problem = Problem(jobs=(job(1, window=(10 * HOUR, 11 * HOUR)),), trucks=(truck(),))
    (route,) = solve(problem, MATRIX, engine="vroom").routes
    metres, seconds = MATRIX.matrix([DEPOTS[1], CENTRE])
    (stop,) = route.stops
    assert stop.leg_m == metres[0][1] and route.distance_m == 2 * metres[0][1]
    assert stop.start_s == 10 * HOUR and stop.arrival_s == 10 * HOUR  # leaves so as not to wait
    assert route.start_s == 10 * HOUR - seconds[0][1]
    assert route.end_s == 10 * HOUR + 300 + seconds[1][0]
    assert route.load == {1: 2}


def test_sweep_ignores_windows_and_violations_counts_them() -> None:
    problem = Problem(jobs=(job(1, window=(7 * HOUR, 7 * HOUR + 60)),), trucks=(truck(),))
    solution = sweep(problem, MATRIX)
    assert [s.job_id for s in solution.routes[0].stops] == [1]
    assert violations(problem, solution, MATRIX)["windows_missed"] == 1


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        solve(Problem(jobs=(), trucks=()), MATRIX, engine="magic")
