"""Peak memory of the streamed invoice ZIP (issue 11): N invoices (default
1,000) issued through the services, none with a stored PDF, then the whole
GET /api/exports/invoices.zip response consumed as a client would, so every
PDF is rendered (in the recycled child process, apps/finance/pdf_child.py),
stored and zipped on the way; then the same ZIP again, every PDF now read
from storage. Each ZIP is served by a fresh Python process (as a web worker
would be), whose own peak RSS is the figure against the 300 MB limit; the
render children's peak is reported beside it. Appends one block to
BENCHMARKS.md.

    .venv/bin/python bench/finance_zip.py [N]          # SQLite
    DATABASE_URL=mysql://root@127.0.0.1/lpg_x .venv/bin/python bench/finance_zip.py
"""

import json
import os
import platform
import resource
import subprocess
import sys
import time
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

PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


def mib(kib: int) -> float:
    return kib / 1024


def serve() -> None:
    """Child mode: consume the ZIP as a client, print the measures as JSON."""
    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    connection.settings_dict["NAME"] = connection.creation._get_test_db_name()  # the bench's database, as built
    from apps.accounts.models import User
    from conftest import api_client_for

    client = api_client_for(User.objects.get(role="finance"))
    rss_start = mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    t0 = time.perf_counter()
    response = client.get("/api/exports/invoices.zip", PERIOD)
    assert response.status_code == 200, response.content[:300]
    size = chunks = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        chunks += 1
    response.close()
    print(json.dumps({
        "seconds": time.perf_counter() - t0, "bytes": size, "chunks": chunks, "rss_start": rss_start,
        "rss_peak": mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "children_peak": mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
    }))  # fmt: skip


def zip_in_fresh_process() -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--serve"], check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=os.environ
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(n: int) -> None:
    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from datetime import date, timedelta

        from apps.billing import services as billing_services
        from apps.billing import tasks
        from apps.billing.models import Invoice
        from apps.billing.tests.helpers import deliver, load_vehicle, sgt
        from apps.core.testing.world import build_world

        # The bench wants every PDF missing: the after-commit render task is
        # skipped while issuing (the rest of the issuing path is the service's).
        tasks.invoice_render_pdf.delay = lambda *args, **kwargs: None
        world = build_world(stock=n + 10)
        load_vehicle(world, quantity=n, types=[world.types[2]])
        start_day = date(2026, 3, 1)
        t0 = time.perf_counter()
        for i in range(n):
            day = start_day + timedelta(days=i % 28)
            billing_services.server_today = lambda day=day: day  # issued on the delivery's day
            deliver(world, customer=world.customers[i % 3], occurred_at=sgt(day.year, day.month, day.day, 9, 0),
                    lines=[{"cylinder_type": world.types[2], "delivered_full": 1, "returned_empty": 0}],
                    actor=world.users["admin"])  # fmt: skip
        issue_s = time.perf_counter() - t0
        assert not Invoice.objects.exclude(pdf="").exists()
        assert Invoice.objects.filter(issue_date__range=(PERIOD["from"], PERIOD["to"])).count() == n
        connection.close()
        rendered = zip_in_fresh_process()
        assert Invoice.objects.filter(pdf="").count() == 0  # every PDF was stored on the way
        stored = zip_in_fresh_process()
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    rows = [
        ("invoices issued through the services", f"{n} in {issue_s:.0f} s"),
        ("ZIP, every PDF rendered on the way (child processes)",
         f"{rendered['bytes'] / 2**20:.1f} MiB in {rendered['seconds']:.0f} s, {rendered['chunks']} chunks"),
        ("serving process: RSS at start / peak (limit: 300 MB)",
         f"{rendered['rss_start']:.0f} / {rendered['rss_peak']:.0f} MiB"),
        ("render child process peak RSS", f"{rendered['children_peak']:.0f} MiB"),
        ("ZIP again, every PDF read from storage",
         f"{stored['bytes'] / 2**20:.1f} MiB in {stored['seconds']:.0f} s"),
        ("serving process: RSS at start / peak (stored PDFs)",
         f"{stored['rss_start']:.0f} / {stored['rss_peak']:.0f} MiB"),
    ]  # fmt: skip
    block = [
        "",
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — invoice ZIP, {connection.vendor}",
        f"Machine: {platform.node() or 'vm'}, {os.cpu_count()} cores, CPython {platform.python_version()}, "
        f"{platform.system()} {platform.release()} (bench/finance_zip.py, "
        f"{getattr(settings, 'FINANCE_PDF_RENDERS_PER_CHILD', 100)} renders per child)",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
    ]
    with (ROOT / "BENCHMARKS.md").open("a") as fh:
        fh.write("\n".join(block) + "\n")
    print("\n".join(block))


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
