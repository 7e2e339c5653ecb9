"""Peak memory of the streamed invoice ZIP (issue 11): N invoices (default
1,000) issued through the services, none with a stored PDF, then the whole
GET /api/exports/invoices.zip response consumed as a client would, so every
PDF is rendered, stored and zipped on the way. Appends one block to
BENCHMARKS.md.

    .venv/bin/python bench/finance_zip.py [N]          # SQLite
    DATABASE_URL=mysql://root@127.0.0.1/lpg_x .venv/bin/python bench/finance_zip.py
"""

import os
import platform
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TEST_SQLITE_NAME", str(ROOT / "var" / "bench-finance.sqlite3"))
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int) -> None:
    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from datetime import date, timedelta

        from apps.billing.tests.helpers import deliver, load_vehicle, sgt
        from apps.core.testing.world import api_client_for, build_world

        world = build_world(stock=n + 10)
        load_vehicle(world, quantity=n, types=[world.types[2]])
        start_day = date(2026, 3, 1)
        t0 = time.perf_counter()
        for i in range(n):
            day = start_day + timedelta(days=i % 28)
            deliver(world, customer=world.customers[i % 3], occurred_at=sgt(day.year, day.month, day.day, 9, 0),
                    lines=[{"cylinder_type": world.types[2], "delivered_full": 1, "returned_empty": 0}],
                    actor=world.users["admin"])  # fmt: skip
        issue_s = time.perf_counter() - t0
        from apps.billing.models import Invoice

        Invoice.objects.update(pdf="", pdf_rendered_at=None)  # nothing stored: every PDF rendered on the way
        client = api_client_for(world.users["finance"])
        rss_before = rss_mib()
        trace = os.environ.get("BENCH_TRACEMALLOC") == "1"  # exact, but several times slower
        if trace:
            tracemalloc.start()
        t0 = time.perf_counter()
        response = client.get("/api/exports/invoices.zip", {"from": "2026-03-01", "to": "2026-03-31"})
        size = files = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            files += 1
        stream_s = time.perf_counter() - t0
        traced_peak = tracemalloc.get_traced_memory()[1] if trace else None
        tracemalloc.stop()
        rss_after = rss_mib()
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    rows = [
        ("invoices issued through the services", f"{n} in {issue_s:.0f} s"),
        ("ZIP streamed (every PDF rendered on the way)", f"{size / 2**20:.1f} MiB in {stream_s:.0f} s, {files} chunks"),
        *(
            [("peak Python allocations while streaming (tracemalloc)", f"{traced_peak / 2**20:.1f} MiB")]
            if traced_peak is not None
            else []
        ),
        ("process peak RSS before the ZIP", f"{rss_before:.0f} MiB"),
        ("process peak RSS after the ZIP (limit: 300 MB)", f"{rss_after:.0f} MiB"),
    ]
    block = [
        "",
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — invoice ZIP, {connection.vendor}",
        f"Machine: {platform.node() or 'vm'}, {os.cpu_count()} cores, CPython {platform.python_version()}, "
        f"{platform.system()} {platform.release()} (bench/finance_zip.py)",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
    ]
    with (ROOT / "BENCHMARKS.md").open("a") as fh:
        fh.write("\n".join(block) + "\n")
    print("\n".join(block))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
