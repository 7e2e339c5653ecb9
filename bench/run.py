"""Ledger benchmarks: posting latency, concurrent throughput, reconcile time.

Runs against a throw-away database made like the test database for the
DATABASE_URL in the environment (default: a SQLite file), then appends one
result block to BENCHMARKS.md.

    make bench                                   # SQLite
    DATABASE_URL=mysql://root@127.0.0.1/lpg make bench
"""

import os
import platform
import resource
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TEST_SQLITE_NAME", str(ROOT / "var" / "bench.sqlite3"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

SEQUENTIAL = int(os.environ.get("BENCH_SEQUENTIAL", 300))
THREADS = int(os.environ.get("BENCH_THREADS", 8))
PER_THREAD = int(os.environ.get("BENCH_PER_THREAD", 40))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    from apps.core.testing.world import build_world

    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from apps.core.db import retry_on_conflict
        from apps.distribution.services import distribution_create
        from apps.inventory.models import StockMove
        from apps.inventory.selectors import balance_drift

        world = build_world(stock=1_000_000)
        driver = world.users["driver"]
        items = [
            {"depot": world.depot, "cylinder_type": world.types[0], "quantity": 3, "movement_type": "COLLECTION"},
            {"depot": world.depot, "cylinder_type": world.types[1], "quantity": 2, "movement_type": "COLLECTION"},
        ]
        create = retry_on_conflict(distribution_create)

        latencies = []
        for _ in range(SEQUENTIAL):
            t0 = time.perf_counter()
            create(actor=driver, vehicle=world.vehicle, items=items)
            latencies.append((time.perf_counter() - t0) * 1000)

        errors: list[Exception] = []

        def worker() -> None:
            try:
                for _ in range(PER_THREAD):
                    create(actor=driver, vehicle=world.vehicle, items=items)
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        throughput = THREADS * PER_THREAD / elapsed

        moves = StockMove.objects.count()
        t0 = time.perf_counter()
        drift = balance_drift()
        reconcile_ms = (time.perf_counter() - t0) * 1000
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        vendor = connection.vendor
        block = [
            f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {vendor}",
            f"Machine: {platform.node()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}",
            "",
            "| measure | value |",
            "|---|---|",
            f"| distribution (2 lines) sequential, p50 | {statistics.median(latencies):.1f} ms |",
            f"| distribution sequential, p95 | {percentile(latencies, 95):.1f} ms |",
            f"| {THREADS} threads x {PER_THREAD} distributions, same rows "
            f"| {throughput:.0f} documents/s ({elapsed:.1f} s) |",
            f"| errors surfaced under contention | {len(errors)} |",
            f"| reconcile {moves} moves | {reconcile_ms:.0f} ms, drift rows: {len(drift)} |",
            f"| peak RSS of the benchmark process | {peak_mb:.0f} MiB |",
            "",
        ]
        print("\n".join(block))
        out = ROOT / "BENCHMARKS.md"
        if not out.exists():
            out.write_text("# Benchmarks\n\nWritten by `make bench` (bench/run.py). Newest last.\n\n")
        with out.open("a") as fh:
            fh.write("\n".join(block) + "\n")
        if errors or drift:
            sys.exit(1)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


if __name__ == "__main__":
    main()
