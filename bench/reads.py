"""Reads at size: the list endpoints and reconciliation over a large ledger.

Loads BENCH_MOVES ledger rows (default 1,000,000) and BENCH_CUSTOMERS
customers (default 2,000) into a throw-away database for DATABASE_URL, then
times GET /api/stock/, /api/stock/moves/ (first page; filtered by location;
filtered by date), /api/my-day/ and /api/invoices/ through the full Django
stack (middleware, JWT, DRF), counting queries per request; the same
requests are measured first on the small world, so the query counts show
whether they depend on size. Then `reconcile_inventory` over all rows.
Appends a table to BENCHMARKS.md.

    .venv/bin/python bench/reads.py
    BENCH_MOVES=100000 DATABASE_URL=mysql://root@127.0.0.1/lpg .venv/bin/python bench/reads.py
"""

import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TEST_SQLITE_NAME", str(ROOT / "var" / "bench-reads.sqlite3"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

MOVES = int(os.environ.get("BENCH_MOVES", 1_000_000))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 2_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 100))
BATCH = 10_000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load(world) -> None:
    """Cycles of three moves (plant -> depot -> truck -> customer), spread
    over a year; balances set to what the ledger sums to, so reconciliation
    must come out clean."""
    from apps.core.tests.factories import CustomerFactory
    from apps.customers.models import Customer
    from apps.inventory.enums import CylinderState, LocationKind
    from apps.inventory.locations import (
        location_for_customer,
        location_for_depot,
        location_for_vehicle,
        virtual_location,
    )
    from apps.inventory.models import StockMove

    template = CustomerFactory.build()
    fields = {f.attname: getattr(template, f.attname) for f in Customer._meta.concrete_fields if not f.primary_key}
    existing = Customer.objects.count()
    batch = []
    for i in range(existing, CUSTOMERS):
        values = dict(fields)
        for name in ("name", "email", "code"):
            if name in values and values[name]:
                values[name] = f"{values[name]}-{i}" if name != "email" else f"bench{i}@example.com"
        batch.append(Customer(**values))
    Customer.objects.bulk_create(batch, batch_size=500)
    customers = list(Customer.objects.all())
    customer_locations = [location_for_customer(c).pk for c in customers[:500]]
    plant = virtual_location(LocationKind.PLANT).pk
    depot = location_for_depot(world.depot).pk
    trucks = [location_for_vehicle(world.vehicle).pk, location_for_vehicle(world.vehicle2).pk]
    types = [t.pk for t in world.types]
    user = world.users["admin"].pk
    field = StockMove._meta.get_field("recorded_at")
    field.auto_now_add = False  # the loader writes a year of history at once
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=365)
    rows, made = [], 0
    while made < MOVES:
        when = start + timedelta(seconds=made * 365 * 86400 // MOVES)
        ct, truck, qty = rng.choice(types), rng.choice(trucks), rng.randint(1, 9)
        customer = rng.choice(customer_locations)
        doc = made // 3 + 1
        for mtype, state, src, dst in (
            ("RECEIPT", CylinderState.FULL, plant, depot),
            ("COLLECTION", CylinderState.FULL, depot, truck),
            ("DELIVERY", CylinderState.FULL, truck, customer),
        ):
            rows.append(
                StockMove(
                    movement_type=mtype,
                    cylinder_type_id=ct,
                    state=state,
                    quantity=qty,
                    from_location_id=src,
                    to_location_id=dst,
                    document_type="bench.load",
                    document_id=doc,
                    created_by_id=user,
                    occurred_at=when,
                    recorded_at=when,
                )  # fmt: skip
            )
            made += 1
        if len(rows) >= BATCH:
            StockMove.objects.bulk_create(rows, batch_size=2_000)
            rows = []
    if rows:
        StockMove.objects.bulk_create(rows, batch_size=2_000)
    field.auto_now_add = True
    rebuild_balances()


def rebuild_balances() -> None:
    """Balances = sum of the ledger, as the posting service keeps them."""
    from collections import defaultdict

    from django.db.models import Sum

    from apps.inventory.models import Location, StockBalance, StockMove

    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for direction, sign in (("to_location_id", 1), ("from_location_id", -1)):
        for row in StockMove.objects.values(direction, "cylinder_type_id", "state").annotate(q=Sum("quantity")):
            slot = 0 if row["state"] == "FULL" else 1
            totals[(row[direction], row["cylinder_type_id"])][slot] += sign * row["q"]
    virtual = set(Location.objects.filter(is_virtual=True).values_list("pk", flat=True))
    existing = {(b.location_id, b.cylinder_type_id): b for b in StockBalance.objects.all()}
    new, changed = [], []
    for (location, ct), (full, empty) in totals.items():
        balance = existing.get((location, ct))
        if balance is None:
            new.append(StockBalance(location_id=location, cylinder_type_id=ct, full_qty=full, empty_qty=empty,
                                    location_is_virtual=location in virtual))  # fmt: skip
        else:
            balance.full_qty, balance.empty_qty = full, empty
            changed.append(balance)
    StockBalance.objects.bulk_create(new, batch_size=1_000)
    StockBalance.objects.bulk_update(changed, ["full_qty", "empty_qty"], batch_size=1_000)


def measure(world, label: str) -> list[tuple]:
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    from apps.inventory.locations import location_for_depot

    depot = location_for_depot(world.depot).pk
    since = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    paths = [
        ("admin", "/api/stock/"),
        ("admin", "/api/stock/moves/"),
        ("admin", f"/api/stock/moves/?location={depot}"),
        ("admin", f"/api/stock/moves/?recorded_from={since}"),
        ("driver", "/api/my-day/"),
        ("finance", "/api/invoices/"),
    ]
    results = []
    for role, path in paths:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(world.users[role]).access_token}")
        assert client.get(path).status_code == 200, path
        times, queries = [], 0
        for _ in range(REQUESTS):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries = max(queries, len(ctx.captured_queries))
        results.append((label, path, percentile(times, 50), percentile(times, 99), queries))
        print(f"{label:8} {path:60} p50 {results[-1][2]:7.1f} ms  p99 {results[-1][3]:7.1f} ms  {queries} queries")
    return results


def main() -> None:
    from apps.core.testing.world import build_world
    from apps.inventory.models import StockMove

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        world = build_world(stock=1_000)
        small = measure(world, "small")
        t0 = time.perf_counter()
        load(world)
        load_s = time.perf_counter() - t0
        connection.close()  # the server's requests come on new connections (SQLite: statistics refreshed on open)
        moves = StockMove.objects.count()
        large = measure(world, "large")
        t0 = time.perf_counter()
        call_command("reconcile_inventory", verbosity=0)
        reconcile_s = time.perf_counter() - t0
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    report(small, large, moves, load_s, reconcile_s)


def report(small: list, large: list, moves: int, load_s: float, reconcile_s: float) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {stamp} — reads at {moves:,} ledger rows, {CUSTOMERS:,} customers — {connection.vendor}",
        f"Machine: {platform.node() or 'vm'}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.1f}. {REQUESTS} sequential requests each through the Django test "
        f"client (middleware, JWT, DRF); loading took {load_s:.0f} s.",
        "",
        "| request | small p50 ms | small p99 ms | queries (small) | large p50 ms | large p99 ms | queries (large) |",
        "|---|---|---|---|---|---|---|",
    ]
    for s, g in zip(small, large, strict=True):
        lines.append(f"| `{s[1]}` | {s[2]:.1f} | {s[3]:.1f} | {s[4]} | {g[2]:.1f} | {g[3]:.1f} | {g[4]} |")
    lines += ["", f"`reconcile_inventory` over {moves:,} moves: {reconcile_s:.1f} s.", ""]
    text = "\n".join(lines)
    print(text)
    with open(ROOT / "BENCHMARKS.md", "a") as fh:
        fh.write("\n" + text)


if __name__ == "__main__":
    main()
