"""The route solver on a synthetic Singapore day, next to the sweep baseline.

300 orders around 25 district centres (seeded), two depots (Tuas, Senoko),
10 trucks of two sizes, households / restaurants / industry with their
windows and cylinders. Sweep, VROOM and OR-Tools get the same straight-line
matrix; for each: km, stops outside their window, trucks used and over
capacity, orders unassigned, wall time. Then a 60-order re-plan (4 trucks
already out, with stops done). Prints one table and appends it to
BENCHMARKS.md under "dispatch solver".

    .venv/bin/python bench/dispatch.py
    BENCH_RUNS=3 BENCH_SEED=7 BENCH_TIME_LIMIT=8 BENCH_REPLAN_LIMIT=1.5 .venv/bin/python bench/dispatch.py
"""

import os
import platform
import random
import statistics
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.dispatch.distance import StraightLine  # noqa: E402
from apps.dispatch.problem import FixedStop, Job, Problem, Truck  # noqa: E402
from apps.dispatch.solver import solve, sweep, violations  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 3))
SEED = int(os.environ.get("BENCH_SEED", 20261203))
TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT", 8))  # the 300-order day (target: 10 s)
REPLAN_LIMIT = float(os.environ.get("BENCH_REPLAN_LIMIT", 1.5))  # the 60-order re-plan (target: 2 s)
ENGINES = os.environ.get("BENCH_ENGINES", "vroom,ortools").split(",")

DISTRICTS = {
    "Tampines": (1.3530, 103.9450), "Jurong West": (1.3404, 103.7090), "Woodlands": (1.4360, 103.7860),
    "Ang Mo Kio": (1.3691, 103.8454), "Bedok": (1.3236, 103.9273), "Toa Payoh": (1.3343, 103.8563),
    "Clementi": (1.3162, 103.7649), "Yishun": (1.4304, 103.8354), "Punggol": (1.4043, 103.9021),
    "Bukit Batok": (1.3590, 103.7637), "Geylang": (1.3181, 103.8870), "Queenstown": (1.2942, 103.7861),
    "Sengkang": (1.3868, 103.8914), "Hougang": (1.3612, 103.8863), "Pasir Ris": (1.3721, 103.9474),
    "Choa Chu Kang": (1.3840, 103.7470), "Bukit Panjang": (1.3774, 103.7719), "Serangoon": (1.3554, 103.8679),
    "Bishan": (1.3526, 103.8352), "Bukit Merah": (1.2819, 103.8239), "Kallang": (1.3100, 103.8651),
    "Marine Parade": (1.3020, 103.9070), "Sembawang": (1.4491, 103.8185), "Jurong East": (1.3329, 103.7436),
    "Tuas industrial": (1.3200, 103.6600),
}  # fmt: skip
DEPOTS = {1: (1.3162, 103.6486), 2: (1.4644, 103.7990)}  # Tuas, Senoko
T127, T14, T50 = 1, 2, 3
GROSS_G = {T127: 27_000, T14: 30_000, T50: 95_000}  # cylinder and gas
HOUR = 3600


def job(rng: random.Random, jid: int) -> Job:
    centre = rng.choice(list(DISTRICTS.values()))
    lat = min(1.45, max(1.27, centre[0] + rng.gauss(0, 0.008)))
    lng = min(104.0, max(103.62, centre[1] + rng.gauss(0, 0.008)))
    kind = rng.random()
    if kind < 0.55:  # household
        demand, window = {rng.choice([T127, T14]): rng.randint(1, 2)}, (7 * HOUR, 21 * HOUR)
    elif kind < 0.80:  # restaurant: before the lunch service
        demand = {T50: rng.randint(2, 6)} if rng.random() < 0.5 else {T14: rng.randint(2, 6)}
        window = (7 * HOUR, 10 * HOUR)
    else:  # industrial
        demand, window = {T50: rng.randint(4, 12)}, (8 * HOUR, 17 * HOUR)
    cylinders = sum(demand.values())
    return Job(
        id=jid,
        location=(lat, lng),
        demand=demand,
        weight_g=sum(GROSS_G[t] * n for t, n in demand.items()),
        service_s=240 + 60 * cylinders,
        window=window,
        urgent=rng.random() < 0.05,
    )


def truck(tid: int, depot_id: int, large: bool, start: tuple | None = None, shift0: int = 7 * HOUR,
          fixed: tuple = ()) -> Truck:  # fmt: skip
    n, kg = (160, 12_000) if large else (80, 6_000)
    return Truck(
        id=tid,
        depot_id=depot_id,
        start=start or DEPOTS[depot_id],
        end=DEPOTS[depot_id],
        capacity={T127: n, T14: n, T50: n},
        max_weight_g=kg * 1000,
        shift=(shift0, 19 * HOUR),
        fixed=fixed,
    )


def full_day(seed: int, n: int = 300) -> Problem:
    rng = random.Random(seed)
    jobs = tuple(job(rng, 1000 + i) for i in range(n))
    trucks = tuple(truck(i + 1, 1 if i % 2 == 0 else 2, large=i >= 6) for i in range(10))
    stock = {1: {T127: 400, T14: 400, T50: 700}, 2: {T127: 400, T14: 400, T50: 700}}
    return Problem(jobs=jobs, trucks=trucks, stock=stock)


def replan(seed: int, n: int = 60) -> Problem:
    """At 11:00: four trucks out, each with two stops done; 60 orders to (re)place."""
    rng = random.Random(seed + 1)
    jobs = []
    for i in range(n):
        j = job(rng, 5000 + i)
        begin, end = j.window or (0, 0)  # the morning's restaurant windows become 11:00-13:00
        jobs.append(replace(j, window=(max(begin, 11 * HOUR), max(end, 13 * HOUR))))
    trucks = []
    for t in range(4):
        here = rng.choice(list(DISTRICTS.values()))
        done = (FixedStop(9000 + 2 * t, here), FixedStop(9001 + 2 * t, here))
        trucks.append(truck(t + 1, 1 + t % 2, large=t >= 2, start=here, shift0=11 * HOUR, fixed=done))
    return Problem(jobs=tuple(jobs), trucks=tuple(trucks), stock=None)


def measure(problem: Problem, how: str, matrix: StraightLine, limit: float) -> dict:
    solution = sweep(problem, matrix) if how == "sweep" else solve(problem, matrix, engine=how, time_limit_s=limit)
    broken = violations(problem, solution, matrix)
    return {
        "km": solution.distance_m / 1000,
        "windows": broken["windows_missed"],
        "used": len(solution.routes),
        "over_cap": broken["over_capacity"],
        "over_shift": broken["over_shift"],
        "unassigned": len(solution.unassigned),
        "km_per_order": solution.distance_m / 1000 / max(1, len(problem.jobs) - len(solution.unassigned)),
        "s": solution.solve_ms / 1000,
        "lost": broken["jobs_lost"],
    }


def main() -> None:
    matrix = StraightLine()
    rows = []
    cases = (("300 orders, 10 trucks", full_day, TIME_LIMIT), ("re-plan: 60 orders, 4 trucks", replan, REPLAN_LIMIT))
    for case, make, limit in cases:
        for how in ["sweep", *ENGINES]:
            runs = [measure(make(SEED + r), how, matrix, limit) for r in range(RUNS)]
            row = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            row["s_max"] = max(run["s"] for run in runs)
            row["worst"] = {k: max(run[k] for run in runs) for k in ("windows", "over_cap", "over_shift", "lost")}
            rows.append((case, how, row))
            print(case, how, row, flush=True)
    write_report(rows)


def write_report(rows: list) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    base = {case: row["km"] for case, how, row in rows if how == "sweep"}
    per = {case: row["km_per_order"] for case, how, row in rows if how == "sweep"}
    lines = [
        f"### {stamp} — dispatch solver: sweep vs VROOM vs OR-Tools",
        f"Machine: {platform.node() or 'vm'}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average at the end {load:.1f}. "
        f"Straight-line matrix (road factor 1.35, 28 km/h); {RUNS} seeded days from {SEED} (medians; "
        f"time also max); engine time limit {TIME_LIMIT:g} s (300 orders), {REPLAN_LIMIT:g} s (re-plan).",
        "",
        "| case | method | km | vs sweep | km per order served | vs sweep | stops outside window | trucks used "
        "| over capacity | over shift | unassigned | solve s (median / max) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case, how, row in rows:
        worst = row["worst"]
        more = row["km"] / base[case] - 1 if base[case] else 0.0
        more_per = row["km_per_order"] / per[case] - 1 if per[case] else 0.0
        lines.append(
            f"| {case} | {how} | {row['km']:.1f} | {more:+.1%} | {row['km_per_order']:.2f} | {more_per:+.1%} "
            f"| {row['windows']:g} (max {worst['windows']}) "
            f"| {row['used']:g} | {row['over_cap']:g} | {row['over_shift']:g} (max {worst['over_shift']}) "
            f"| {row['unassigned']:g} | {row['s']:.2f} / {row['s_max']:.2f} |"
        )
    lost = max(row["worst"]["lost"] for _, _, row in rows)
    lines += ["", f"Orders neither routed once nor given a reason, any run: {lost}.", ""]
    text = "\n".join(lines)
    print(text)
    if os.environ.get("BENCH_NO_WRITE"):
        return
    with open(ROOT / "BENCHMARKS.md", "a") as fh:
        fh.write("\n" + text)


if __name__ == "__main__":
    main()
