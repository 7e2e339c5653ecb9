"""The production topology on one machine (issue 12): `scripts/prod-up.sh`
starts nginx, two gunicorn instances, a MariaDB primary and a binlog-fed
MariaDB replica (own mariadbd instances in a temp dir), Redis, a Celery worker
and beat; writes go through nginx to both gunicorns, then the project's own
commands check the numbers, the stock and the audit chain, and a finance
report is read from the replica. `scripts/prod-down.sh` stops it all.

Marked ``topology``: `make test` runs it once (in the SQLite pass; the stack
brings its own MariaDB) wherever mariadbd is installed, which .ci/run ensures.
"""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[3]
DB_NAME = "lpg_prodtest"
PASSWORD = "demo1234"  # apps/core/demo_data.py, loaded by prod-up's seed_demo

pytestmark = pytest.mark.topology


def need(binary: str) -> None:
    if not (shutil.which(binary) or os.path.exists(f"/usr/sbin/{binary}")):
        pytest.fail(f"{binary} is not installed: run `scripts/system-deps.sh prod` as root")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Topology:
    def __init__(self, var: Path):
        self.var = var
        self.https_port = free_port()
        self.web_ports = [free_port(), free_port()]
        self.db_port, self.replica_port = free_port(), free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
        self.env.update(
            PROD_VAR=str(var), PROD_HTTPS_PORT=str(self.https_port), PROD_HTTP_PORT=str(free_port()),
            PROD_WEB_PORTS=" ".join(map(str, self.web_ports)), PROD_DB_PORT=str(self.db_port),
            PROD_REPLICA_PORT=str(self.replica_port), PROD_DB_NAME=DB_NAME, PROD_OWN_REDIS="1",
            PROD_REDIS_PORT=str(free_port()), PROD_COLLECTSTATIC="0", PY=sys.executable, GUNICORN_WORKERS="1",
        )  # fmt: skip
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE

    def app_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        for line in (self.var / "app.env").read_text().splitlines():
            name, _, value = line.partition("=")
            env[name] = value
        return env

    def manage(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.app_env(), capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip

    def sql(self, instance: str, statement: str) -> str:
        done = subprocess.run(
            ["mariadb", "--no-defaults", "-uroot", f"--socket={self.var}/mariadb-{instance}/mysqld.sock", "-N", "-B",
             DB_NAME, "-e", statement],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def call(self, method: str, path: str, body=None, token=None, key=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["Idempotency-Key"] = key
        conn = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.tls, timeout=60)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        parsed = json.loads(data) if response.getheader("Content-Type", "").startswith("application/json") else data
        return response, parsed

    def login(self, email: str) -> str:
        response, data = self.call("POST", "/api/auth/token/", {"email": email, "password": PASSWORD})
        assert response.status == 200, data
        return data["access"]


def _logs(var: Path) -> str:
    out = []
    for log in sorted((var / "log").glob("*.log")):
        out.append(f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
    return "\n".join(out)


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    for binary in ("mariadbd", "mariadb-install-db", "nginx", "redis-server", "openssl"):
        need(binary)
    top = Topology(tmp_path_factory.mktemp("prod"))
    try:
        up = subprocess.run(
            ["bash", "scripts/prod-up.sh"], cwd=ROOT, env=top.env, capture_output=True, text=True, timeout=600
        )
        assert up.returncode == 0, up.stdout + up.stderr + _logs(top.var)
        yield top
    finally:
        down = subprocess.run(
            ["bash", "scripts/prod-down.sh"], cwd=ROOT, env=top.env, capture_output=True, text=True, timeout=300
        )
        assert down.returncode == 0, down.stdout + down.stderr
        assert not list((top.var / "run").glob("*.pid")), "prod-down left pid files"


def _results(data):
    return data["results"] if isinstance(data, dict) and "results" in data else data


def test_writes_through_both_gunicorns_stay_consistent_and_reports_read_the_replica(topology):
    top = topology
    # --- every process prod-up started is running
    status = subprocess.run(["bash", "scripts/prod-down.sh", "status"], cwd=ROOT, env=top.env, capture_output=True,
                            text=True)  # fmt: skip
    assert status.returncode == 0, status.stdout
    for name in ("nginx", "web1", "web2", "worker", "beat", "redis", "mariadb-primary", "mariadb-replica"):
        assert f"{name}: running" in status.stdout, status.stdout
    assert "Slave_SQL_Running: Yes" in status.stdout and "Slave_IO_Running: Yes" in status.stdout

    drivers = {email: top.login(email) for email in ("driver1@example.com", "driver2@example.com")}
    finance = top.login("finance@example.com")
    me = {email: top.call("GET", "/api/me/", token=token)[1] for email, token in drivers.items()}
    _, types = top.call("GET", "/api/cylinder-types/", token=finance)
    gas = _results(types)[0]["id"]
    _, customers = top.call("GET", "/api/customers/?page_size=100", token=finance)
    credit = [c for c in _results(customers) if c["payment_terms"] == "CREDIT"]
    assert credit, customers

    # --- distributions (depot -> vehicle) from both drivers, concurrently
    def distribute(n: int):
        email = list(drivers)[n % 2]
        body = {
            "vehicle": me[email]["vehicle"],
            "items": [
                {"depot": me[email]["depot"], "cylinder_type": gas, "quantity": 3, "movement_type": "COLLECTION"}
            ],
        }
        key = str(uuid.uuid4())
        response, data = top.call("POST", "/api/distributions/", body, drivers[email], key)
        assert response.status == 201, data
        return email, body, key, data

    with ThreadPoolExecutor(6) as pool:
        made = list(pool.map(distribute, range(16)))
    # The same key and body again: the same document, nothing new.
    for email, body, key, first in made[:4]:
        response, again = top.call("POST", "/api/distributions/", body, drivers[email], key)
        assert response.status == 201 and again["number"] == first["number"], again

    # --- deliveries (vehicle -> customer) on account, with invoices
    def deliver(n: int):
        email = list(drivers)[n % 2]
        body = {
            "customer": credit[n % len(credit)]["id"],
            "vehicle": me[email]["vehicle"],
            "order": None,
            "payment_method": "CREDIT",
            "lines": [{"cylinder_type": gas, "delivered_full": 1, "returned_empty": 1}],
        }
        response, data = top.call("POST", "/api/deliveries/", body, drivers[email], str(uuid.uuid4()))
        assert response.status == 201, data
        return data

    with ThreadPoolExecutor(6) as pool:
        deliveries = list(pool.map(deliver, range(12)))

    # --- both gunicorn instances took writes (nginx round-robin)
    for n in (1, 2):
        access = (top.var / "log" / f"web{n}-access.log").read_text()
        assert re.search(r'"POST /api/(distributions|deliveries)/ HTTP/1\.1" 201', access), f"web{n} took no writes"

    # --- numbers gapless, per series and day
    numbers = sorted(d["number"] for _, _, _, d in made)
    assert len(set(numbers)) == 16
    seq = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seq == list(range(seq[0], seq[0] + 16)), numbers
    invoices = sorted(d["invoice"]["number"] for d in deliveries)
    iseq = [int(n.rsplit("-", 1)[1]) for n in invoices]
    assert iseq == list(range(iseq[0], iseq[0] + 12)), invoices

    # --- the project's own checks on the primary (one process: three Django start-ups cost seconds)
    checks = "verify_numbering", "reconcile_inventory", "verify_audit_chain"
    script = f"from django.core.management import call_command\nfor c in {checks!r}: call_command(c)"
    done = top.manage("shell", "-c", script)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No drift" in done.stdout and "Audit chain intact" in done.stdout, done.stdout

    # --- the replica has caught up with everything the primary committed
    position = top.sql("primary", "SELECT @@gtid_binlog_pos")
    assert top.sql("replica", f"SELECT MASTER_GTID_WAIT('{position}', 30)") == "0"
    count = "SELECT COUNT(*) FROM billing_invoice"
    assert top.sql("replica", count) == top.sql("primary", count) != "0"
    # The replica refuses the application's writes.
    assert top.sql("replica", "SELECT @@read_only") == "1"

    # --- a finance report is read from the replica: a marker written only there
    # (not binlogged) shows up in the report, while the primary never had it.
    target = credit[0]["id"]
    top.sql("replica", f"SET SESSION sql_log_bin=0; UPDATE customers_customer SET name=CONCAT(name, ' [replica]') "
                       f"WHERE id={target}")  # fmt: skip
    assert "[replica]" not in top.sql("primary", f"SELECT name FROM customers_customer WHERE id={target}")
    today = timezone.localdate().isoformat()
    response, report = top.call("GET", f"/api/reports/ageing/?as_of={today}", token=finance)
    assert response.status == 200, report
    assert response.getheader("X-Read-From") == "replica"
    assert f"{credit[0]['name']} [replica]" in json.dumps(report), report
    # Everything else reads the primary: the customer itself, and the report's audit row was written there.
    _, customer = top.call("GET", f"/api/customers/{target}/", token=finance)
    assert customer["name"] == credit[0]["name"]
    assert top.sql("primary", "SELECT COUNT(*) FROM audit_auditlog WHERE action LIKE '%report%'") != "0"

    # --- one gunicorn down: nginx sends everything to the other; both down: JSON 502
    def stop_web(n: int) -> None:
        pid = int((top.var / "run" / f"web{n}.pid").read_text())
        os.kill(pid, 15)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        raise AssertionError(f"web{n} did not stop")

    stop_web(1)
    for _ in range(4):
        response, data = top.call("GET", "/api/me/", token=finance)
        assert response.status == 200, data
    assert distribute(99)[3]["number"].startswith("DIST-")
    stop_web(2)
    response, data = top.call("GET", "/api/me/", token=finance)
    assert response.status == 502 and data["code"] == "upstream_unavailable", data

    # The replica still replicates after the report (no conflict from the marker).
    time.sleep(0.5)
    assert (
        "Slave_SQL_Running: Yes"
        in subprocess.run(
            ["bash", "scripts/prod-down.sh", "status"], cwd=ROOT, env=top.env, capture_output=True, text=True
        ).stdout
    )
