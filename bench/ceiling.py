"""`make bench`: the write path next to the database's own ceiling, measured
side by side in one run, rounds interleaved.

For each reachable database (DATABASE_URL), for distributions and deliveries,
at 1, 4 and 16 clients, each round runs in turn:

(a) raw: the statements of a 2-line document with the bare driver (MySQLdb,
    psycopg, sqlite3) on bench-owned tables: lock the 4 balance rows in id
    order, update them, insert 2 moves, lock and bump the sequence row,
    insert the document and its audit row, commit. The database's ceiling.
(b) service: the document service in this process, one thread per client.
(c) api: POST to gunicorn (4 sync workers) from a load generator in its own
    process (bench/load.py), one keep-alive connection per client.

The audit chain is sealed as in production: AUDIT_SEAL_ON_COMMIT off and a
`manage.py seal_audit --loop` process beside the server. After each round:
numbers gapless (verify_numbering), ledger without drift (balance_drift),
audit chain sealed and verified. Prints one table and appends it to
BENCHMARKS.md under "raw ceiling".

    make bench
    BENCH_SECONDS=3 BENCH_ROUNDS=1 BENCH_CLIENTS=1,4 .venv/bin/python bench/ceiling.py
"""

import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
os.environ.setdefault("TEST_SQLITE_NAME", str(ROOT / "var" / "bench.sqlite3"))
os.environ["AUDIT_SEAL_ON_COMMIT"] = "false"  # sealed by the loop process, as under beat

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

CLIENTS = [int(c) for c in os.environ.get("BENCH_CLIENTS", "1,4,16").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", 5))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 2))
KINDS = os.environ.get("BENCH_KINDS", "distribution,delivery").split(",")
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", 4))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_clients(n: int, seconds: float, make_worker) -> dict:
    """n threads each calling its own ``work()`` until the deadline; latencies in ms."""
    latencies: list[list[float]] = [[] for _ in range(n)]
    errors: list[str] = []
    barrier = threading.Barrier(n + 1)
    deadline = [0.0]

    def loop(i: int) -> None:
        work, close = make_worker(i)
        try:
            barrier.wait()
            while time.perf_counter() < deadline[0]:
                t0 = time.perf_counter()
                try:
                    work()
                except Exception as exc:  # noqa: BLE001 - counted and shown in the table
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                latencies[i].append((time.perf_counter() - t0) * 1000)
        finally:
            close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    flat = [x for per in latencies for x in per]
    return {"count": len(flat), "elapsed": elapsed, "latencies": flat, "errors": errors}


# -- (a) the raw ceiling -----------------------------------------------------------------


class Raw:
    """The same work as a 2-line document with the bare driver."""

    def __init__(self, vendor: str, params: dict):
        self.vendor, self.params = vendor, params
        ph = "?" if vendor == "sqlite" else "%s"
        self.sql = {
            "lock": f"SELECT id, qty FROM bench_balance WHERE id IN ({ph}, {ph}, {ph}, {ph}) ORDER BY id"
            + ("" if vendor == "sqlite" else " FOR UPDATE"),
            "balance": f"UPDATE bench_balance SET qty = qty + {ph} WHERE id = {ph}",
            "move": "INSERT INTO bench_move (doc_ref, type_id, qty, from_id, to_id, at) VALUES "
            f"({ph}, {ph}, {ph}, {ph}, {ph}, {ph})",
            "seq": "SELECT value FROM bench_seq WHERE id = 1" + ("" if vendor == "sqlite" else " FOR UPDATE"),
            "bump": f"UPDATE bench_seq SET value = {ph} WHERE id = 1",
            "doc": f"INSERT INTO bench_doc (number, created_at) VALUES ({ph}, {ph})",
            "audit": f"INSERT INTO bench_audit (action, body, created_at) VALUES ({ph}, {ph}, {ph})",
        }

    def connect(self):
        if self.vendor == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.params["NAME"], timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # as the project's SQLite
            return conn
        if self.vendor == "mysql":
            import MySQLdb

            conn = MySQLdb.connect(
                host=self.params["HOST"] or "127.0.0.1", port=int(self.params["PORT"] or 3306),
                user=self.params["USER"], passwd=self.params["PASSWORD"] or "", db=self.params["NAME"],
            )  # fmt: skip
            conn.cursor().execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            return conn
        import psycopg

        return psycopg.connect(
            host=self.params["HOST"] or "127.0.0.1", port=int(self.params["PORT"] or 5432),
            user=self.params["USER"], password=self.params["PASSWORD"] or "", dbname=self.params["NAME"],
        )  # fmt: skip

    def setup(self) -> None:
        conn = self.connect()
        cur = conn.cursor()
        auto = "INTEGER PRIMARY KEY AUTOINCREMENT" if self.vendor == "sqlite" else (
            "BIGINT AUTO_INCREMENT PRIMARY KEY" if self.vendor == "mysql" else "BIGSERIAL PRIMARY KEY")  # fmt: skip
        text = "LONGTEXT" if self.vendor == "mysql" else "TEXT"
        for table in ("bench_balance", "bench_move", "bench_seq", "bench_doc", "bench_audit"):
            cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute("CREATE TABLE bench_balance (id INTEGER PRIMARY KEY, qty BIGINT NOT NULL, CHECK (qty >= 0))")
        cur.execute(
            f"CREATE TABLE bench_move (id {auto}, doc_ref VARCHAR(40) NOT NULL, type_id INTEGER NOT NULL, "
            "qty INTEGER NOT NULL, from_id INTEGER NOT NULL, to_id INTEGER NOT NULL, at VARCHAR(40) NOT NULL)"
        )
        cur.execute("CREATE INDEX bench_move_doc ON bench_move (doc_ref)")
        cur.execute("CREATE TABLE bench_seq (id INTEGER PRIMARY KEY, value BIGINT NOT NULL)")
        cur.execute(f"CREATE TABLE bench_doc (id {auto}, number VARCHAR(40) NOT NULL UNIQUE, created_at VARCHAR(40))")
        cur.execute(f"CREATE TABLE bench_audit (id {auto}, action VARCHAR(64), body {text}, created_at VARCHAR(40))")
        ph = "?" if self.vendor == "sqlite" else "%s"
        for i in range(1, 5):
            cur.execute(f"INSERT INTO bench_balance (id, qty) VALUES ({ph}, {ph})", (i, 10**12))
        cur.execute("INSERT INTO bench_seq (id, value) VALUES (1, 0)")
        conn.commit()
        conn.close()

    def worker(self, i: int):
        conn = self.connect()
        cur = conn.cursor()
        sql = self.sql

        def work() -> None:
            now = datetime.now(UTC).isoformat()
            ref = uuid.uuid4().hex
            if self.vendor == "sqlite":
                cur.execute("BEGIN IMMEDIATE")
            cur.execute(sql["lock"], (1, 2, 3, 4))
            cur.fetchall()
            for balance, delta in ((1, -3), (2, -2), (3, 3), (4, 2)):
                cur.execute(sql["balance"], (delta, balance))
            cur.execute(sql["move"], (ref, 1, 3, 1, 3, now))
            cur.execute(sql["move"], (ref, 2, 2, 2, 4, now))
            cur.execute(sql["audit"], ("distribution.created", json.dumps({"ref": ref, "lines": 2}), now))
            cur.execute(sql["seq"])
            value = cur.fetchone()[0] + 1
            cur.execute(sql["bump"], (value,))
            cur.execute(sql["doc"], (f"DIST-{value:08d}", now))
            if self.vendor == "sqlite":
                cur.execute("COMMIT")
            else:
                conn.commit()

        return work, conn.close

    def check(self) -> str:
        conn = self.connect()
        cur = conn.cursor()
        cur.execute("SELECT COUNT(*), MAX(value) FROM bench_doc, bench_seq")
        count, top = cur.fetchone()
        conn.close()
        return "gapless" if count == (top or 0) else f"GAP: {count} documents, sequence at {top}"


# -- (b) the service, (c) the API ------------------------------------------------------


def world_for_bench():
    from apps.core.testing.world import build_world
    from apps.distribution.services import distribution_create
    from apps.inventory.enums import MovementType

    world = build_world(stock=10**9)
    # Plenty of fulls on the truck for the deliveries.
    distribution_create(
        actor=world.users["admin"], vehicle=world.vehicle,
        items=[{"depot": world.depot, "cylinder_type": t, "quantity": 10**8, "movement_type": MovementType.COLLECTION}
               for t in world.types[:2]],
    )  # fmt: skip
    return world


def bodies(world) -> dict:
    def item(cylinder_type, quantity: int) -> dict:
        return {"depot": world.depot.pk, "cylinder_type": cylinder_type.pk, "quantity": quantity,
                "movement_type": "COLLECTION"}  # fmt: skip

    return {
        "distribution": (
            "/api/distributions/",
            {"vehicle": world.vehicle.pk, "items": [item(world.types[0], 3), item(world.types[1], 2)]},
        ),
        "delivery": (
            "/api/deliveries/",
            {
                "customer": world.customers[0].pk,
                "vehicle": world.vehicle.pk,
                "order": None,
                "payment_method": "CHEQUE",
                "acknowledged_warnings": ["household_hours"],
                "lines": [
                    {"cylinder_type": world.types[0].pk, "delivered_full": 7, "returned_empty": 0},
                    {"cylinder_type": world.types[1].pk, "delivered_full": 2, "returned_empty": 0},
                ],
            },
        ),  # fmt: skip
    }


def service_worker(world, kind: str):
    """The command path without HTTP (apps/core/commands.py): the role gate,
    validation, idempotency and the service, as the sync endpoint runs each
    event."""
    from django.utils import timezone

    from apps.core.commands import command

    cmd = command(f"{kind}.create")
    _, body = bodies(world)[kind]
    user = world.users["driver"]

    def make(i: int):
        def work() -> None:
            cmd.submit(actor=user, payload=body, occurred_at=timezone.now(), key=uuid.uuid4())

        return work, connection.close

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(params: dict, vendor: str) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    scheme = {"mysql": "mysql", "postgresql": "postgres"}[vendor]
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    return f"{scheme}://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT']}/{params['NAME']}"


class Server:
    """gunicorn and the sealing loop on the benchmark database."""

    def __init__(self, url: str):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.bench",
               "AUDIT_SEAL_ON_COMMIT": "false", "TEST_SQLITE_NAME": os.environ["TEST_SQLITE_NAME"]}  # fmt: skip
        log = open(ROOT / "var" / "bench-server.log", "w")  # noqa: SIM115
        python = sys.executable
        self.procs = [
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "-b",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(WORKERS),
                    "--access-logfile",
                    "-",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            ),  # fmt: skip
            subprocess.Popen(
                [python, "manage.py", "seal_audit", "--loop", str(settings.AUDIT_SEAL_INTERVAL)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            ),  # fmt: skip
        ]
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start (var/bench-server.log)")

    def stop(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def api_round(port: int, token: str, kind: str, world, clients: int) -> dict:
    path, body = bodies(world)[kind]
    spec = {"port": port, "token": token, "path": path, "body": body, "clients": clients, "seconds": SECONDS}
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py")], input=json.dumps(spec), capture_output=True,
        text=True, timeout=SECONDS * 10 + 60, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


# -- checks and report -----------------------------------------------------------------


def guarantees() -> str:
    from apps.audit.chain import verify_chain
    from apps.audit.numbering import verify_numbering
    from apps.audit.sealer import seal_pending
    from apps.inventory.selectors import balance_drift

    seal_pending()
    numbering = verify_numbering()
    drift = list(balance_drift())
    chain = verify_chain()
    problems = []
    if not getattr(numbering, "ok", True):
        problems.append("numbering")
    if drift:
        problems.append(f"drift {len(drift)}")
    if not chain.ok:
        problems.append(f"audit: {chain.first}")
    delay = chain.max_seal_delay_seconds
    return ("ok" if not problems else "; ".join(problems)) + (f" (seal delay max {delay:.2f} s)" if delay else "")


def summarise(result: dict) -> dict:
    lat = result["latencies"]
    return {
        "tps": result["count"] / result["elapsed"] if result["elapsed"] else 0,
        "p50": percentile(lat, 50),
        "p99": percentile(lat, 99),
        "errors": len(result["errors"]),
        "first_error": result["errors"][0] if result["errors"] else "",
    }


def main() -> None:
    from rest_framework_simplejwt.tokens import RefreshToken

    vendor = connection.vendor
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    params = connection.settings_dict
    raw = Raw(vendor, params)
    raw.setup()
    world = world_for_bench()
    token = str(RefreshToken.for_user(world.users["driver"]).access_token)
    server = Server(database_url(params, vendor))
    rows = []
    checks = []
    try:
        for kind in KINDS:
            for clients in CLIENTS:
                cells: dict[str, list[dict]] = {"raw": [], "service": [], "api": []}
                for _ in range(ROUNDS):  # interleaved: a, b, c, a, b, c ...
                    cells["raw"].append(summarise(run_clients(clients, SECONDS, raw.worker)))
                    cells["service"].append(summarise(run_clients(clients, SECONDS, service_worker(world, kind))))
                    cells["api"].append(summarise(api_round(server.port, token, kind, world, clients)))
                checks.append(f"{kind} x {clients}: {guarantees()}; raw {raw.check()}")
                ceiling = statistics.median(c["tps"] for c in cells["raw"])
                for path in ("raw", "service", "api"):
                    runs = cells[path]
                    tps = statistics.median(c["tps"] for c in runs)
                    rows.append(
                        (kind, clients, path, tps, statistics.median(c["p50"] for c in runs),
                         statistics.median(c["p99"] for c in runs), tps / ceiling if ceiling else 0,
                         sum(c["errors"] for c in runs), next((c["first_error"] for c in runs if c["first_error"]), ""))
                    )  # fmt: skip
                    print(
                        f"{vendor} {kind:12} {clients:3} {path:8} {tps:8.1f}/s p50 {rows[-1][4]:7.1f} ms "
                        f"p99 {rows[-1][5]:7.1f} ms  {rows[-1][6]:6.1%} of raw  errors {rows[-1][7]}",
                        flush=True,
                    )
    finally:
        server.stop()
        connection.creation.destroy_test_db(params["NAME"], verbosity=0)
    write_report(vendor, rows, checks)


def write_report(vendor: str, rows: list, checks: list[str]) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    lines = [
        f"### {stamp} — raw ceiling vs service vs API — {vendor}",
        f"Machine: {platform.node() or 'vm'}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average at the end {load:.1f}. "
        f"{ROUNDS} interleaved round(s) of {SECONDS:g} s per cell (medians); gunicorn {WORKERS} sync workers; "
        "audit sealed by `seal_audit --loop` beside the server.",
        "",
        "| document | clients | path | tx/s | p50 ms | p99 ms | of raw ceiling | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, clients, path, tps, p50, p99, ratio, errors, first in rows:
        err = f"{errors} ({first})" if errors else "0"
        lines.append(f"| {kind} | {clients} | {path} | {tps:.1f} | {p50:.1f} | {p99:.1f} | {ratio:.1%} | {err} |")
    lines += ["", "Checks after each cell: " + "; ".join(checks), ""]
    text = "\n".join(lines)
    print(text)
    with open(ROOT / "BENCHMARKS.md", "a") as fh:
        fh.write("\n" + text)


if __name__ == "__main__":
    main()
