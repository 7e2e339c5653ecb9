"""Failure drill on the production topology (issue 26; docs/operations.md "Failure drill").

`scripts/prod-up.sh` on free ports under a work directory (own MariaDB primary
and replica, own Redis: PROD_OWN_REDIS=1, never the machine's), then one part
after the other fails while the restore drill's load generator writes through
nginx (HTTPS, 127.0.0.1 only; bounded in time and count):

  a. one gunicorn killed (its process group, SIGKILL); brought back by prod-up;
  b. Redis (the stack's own) stopped for --redis-outage seconds;
  c. the MariaDB primary stopped for --primary-outage seconds;
  d. the replica stopped while finance reads a report every 0.5 s.

The clients behave like the phone's outbox: a write that did not get its 201
(5xx, a refused connection) is kept and sent again with the same
Idempotency-Key every 0.5 s until it is accepted; every 201 goes to the
scenario's acks.jsonl. After each scenario: verify_audit_chain,
verify_numbering, reconcile_inventory, every acknowledged write present, and
exactly one document per acknowledged key (documents added = keys
acknowledged). Figures per scenario: requests, failed (by answer), how long
writes failed, time from the part's return to the first accepted write, writes
lost, duplicates. Prints them, writes figures.json, exits 1 on any failed check.

    .venv/bin/python scripts/failure_drill.py [--only a,b,c,d] [--seconds 20] [--clients 3]
"""

import argparse
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from restore_drill import CHECK_SCRIPT, PY, ROOT, Drill, binary, free_port  # noqa: E402

DB_NAME = "lpg"


def say(message: str) -> None:
    print(f"failure-drill [{time.strftime('%H:%M:%S')}]: {message}", flush=True)


class Stack:
    """scripts/prod-up.sh under ``var``, every port free, its own Redis."""

    def __init__(self, var: Path):
        self.var = var
        self.https_port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
        self.env.update(
            PROD_VAR=str(var), PROD_HTTPS_PORT=str(self.https_port), PROD_HTTP_PORT=str(free_port()),
            PROD_WEB_PORTS=f"{free_port()} {free_port()}", PROD_DB_PORT=str(free_port()),
            PROD_REPLICA_PORT=str(free_port()), PROD_DB_NAME=DB_NAME, PROD_OWN_REDIS="1",
            PROD_REDIS_PORT=str(free_port()), PROD_SEED="0", PROD_COLLECTSTATIC="0", PY=PY,
        )  # fmt: skip

    def up(self) -> float:
        """prod-up (again: it starts what is not running and leaves the rest alone)."""
        t0 = time.monotonic()
        done = subprocess.run(["scripts/prod-up.sh"], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=900)  # fmt: skip
        (self.var / "prod-up-output.log").open("a").write(done.stdout + done.stderr)
        if done.returncode:
            raise RuntimeError("prod-up failed: " + (done.stdout + done.stderr)[-3000:])
        return time.monotonic() - t0

    def down(self) -> None:
        subprocess.run(["scripts/prod-down.sh"], cwd=ROOT, env=self.env, capture_output=True, timeout=300)

    def pid(self, name: str) -> int:
        return int((self.var / "run" / f"{name}.pid").read_text())

    def stop(self, name: str, sig: int = signal.SIGTERM, seconds: float = 60) -> None:
        """Signal the process group prod-up started (setsid: group id = pid) and wait for it."""
        pid = self.pid(name)
        os.killpg(pid, sig)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} (pid {pid}) did not stop in {seconds:g} s")

    def app_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        for line in (self.var / "app.env").read_text().splitlines():
            name, _, value = line.partition("=")
            env[name] = value
        return env

    def sql(self, instance: str, statement: str) -> str:
        done = subprocess.run(
            [binary("mariadb"), "--no-defaults", "-uroot", f"--socket={self.var}/mariadb-{instance}/mysqld.sock",
             "-N", "-B", "-e", statement], capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"{instance}: {statement[:60]}: {done.stderr}")
        return done.stdout.strip()


class FailureLoad(Drill):
    """The restore drill's load generator through nginx, with the phone's outbox."""

    def __init__(self, stack: Stack, work: Path, seconds: float, clients: int, max_docs: int):
        super().__init__(work, "F", seconds, clients, max_docs)
        self.stack = stack
        self.port = stack.https_port
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE  # prod-up's self-signed certificate

    def env(self, db, media: str = "media") -> dict:
        return {**self.stack.app_env(), "JWT_ACCESS_MINUTES": "120"}

    def connection(self, port: int) -> http.client.HTTPConnection:
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=self.tls)

    def reset(self, name: str) -> None:
        self.acks, self.errors, self.events = [], {}, []
        self.unsent: list = []
        self.acks_path = self.work / f"{name}-acks.jsonl"
        self.acks_path.write_text("")

    def load(self, stop: threading.Event) -> None:
        """Each client: one write at a time; a write without its 201 is sent again (same
        key) every 0.5 s until accepted, as the phone's outbox does. Bounded: new writes
        until stop, at most max_docs; retries until self.seconds * 3."""
        deadline = time.monotonic() + self.seconds * 3
        counter = iter(range(10**9))
        out = open(self.acks_path, "a")  # noqa: SIM115

        def client() -> None:
            pending = None
            while time.monotonic() < deadline:
                if pending is None:
                    with self.lock:
                        n = next(counter)
                    if stop.is_set() or n >= self.max_docs:
                        return
                    pending = [*self.bodies(n), str(uuid.uuid4()), 0]
                kind, path, body, key, attempts = pending
                try:
                    status, data = self.call(self.port, "POST", path, body, key)
                except (OSError, http.client.HTTPException) as exc:
                    status, data = type(exc).__name__, None
                code = data.get("code") if isinstance(data, dict) else None
                answer = f"{status} {code}" if code else str(status)
                with self.lock:
                    self.events.append((time.time(), status, answer, attempts))
                    if status == 201:
                        ack = {"t": time.time(), "kind": kind, "key": key, "number": data.get("number"),
                               "invoice": (data.get("invoice") or {}).get("number"), "id": data.get("id"),
                               "attempts": attempts + 1}  # fmt: skip
                        self.acks.append(ack)
                        out.write(json.dumps(ack) + "\n")
                        out.flush()
                        pending = None
                        continue
                    self.errors[answer] = self.errors.get(answer, 0) + 1
                if isinstance(status, int) and 400 <= status < 500 and status not in (408, 429):
                    pending = None  # refused for good: the phone shows it; counted, not resent
                else:
                    pending[4] += 1
                    time.sleep(0.5)
            if pending is not None:
                with self.lock:
                    self.unsent.append(pending[3])

        threads = [threading.Thread(target=client) for _ in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out.close()

    def checks(self) -> dict:
        env = {**self.stack.app_env(), "ACKS": str(self.acks_path)}
        done = subprocess.run([PY, "manage.py", "shell", "-c", CHECK_SCRIPT], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        if "CHECKS " not in done.stdout:
            raise RuntimeError("checks failed to run: " + done.stderr[-3000:])
        return json.loads(done.stdout.split("CHECKS ", 1)[1])


class FailureDrill:
    def __init__(self, work: Path, seconds: float, clients: int, redis_outage: float, primary_outage: float):
        self.work, self.seconds = work, seconds
        self.redis_outage, self.primary_outage = redis_outage, primary_outage
        self.stack = Stack(work / "stack")
        self.load = FailureLoad(self.stack, work, seconds, clients, max_docs=5000)
        self.results: list[dict] = []
        self.failures: list[str] = []

    def scenario(self, name: str, what: str, fault, back, outage: float, reader: bool = False) -> dict:
        """Load for --seconds around the fault: the fault at 25 %, the part back after
        ``outage`` seconds, the load on until at least 10 s after that."""
        say(f"scenario {name}: {what}")
        self.load.reset(name)
        self.load.seconds = max(self.seconds, outage + 40)  # the load's own bound: 3x this
        before = self.load.checks()["counts"]
        stop = threading.Event()
        reads: list = []
        threads = [threading.Thread(target=self.load.load, args=(stop,))]
        if reader:
            threads.append(threading.Thread(target=self.read_reports, args=(stop, reads)))
        t_start = time.time()
        for t in threads:
            t.start()
        time.sleep(self.seconds * 0.25)
        t_fault = time.time()
        fault()
        time.sleep(outage)
        t_back = time.time()
        back_s = back()
        t_up = time.time()
        time.sleep(max(10.0, t_start + self.seconds - time.time()))
        stop.set()
        for t in threads:
            t.join(timeout=self.seconds * 3 + 60)
        checks = self.load.checks()
        present = set(checks.pop("present"))
        after = checks.pop("counts")
        acks = self.load.acks
        lost = [a["key"] for a in acks if a["key"] not in present]
        added = {k: after[k] - before[k] for k in after}
        acked = Counter(a["kind"] for a in acks)
        events = self.load.events
        failed = [e for e in events if e[1] != 201]
        last_failure = max((e[0] for e in failed), default=None)
        recovered = min((e[0] for e in events if e[1] == 201 and e[0] > last_failure), default=None) if failed else None
        figures = {
            "scenario": name, "what": what, "outage_s": round(t_back - t_fault, 1),
            "part_back_s": round(back_s, 1) if back_s is not None else None,
            "requests": len(events), "accepted": len(acks), "failed": len(failed),
            "failed_by_answer": dict(Counter(e[2] for e in failed)),
            "writes_failing_s": round(max(e[0] for e in failed) - min(e[0] for e in failed), 1) if failed else 0,
            # from the fault to the first write accepted after the last failed one
            "writes_disrupted_s": round(recovered - t_fault, 1) if recovered else 0,
            # the same from the part's return (prod-up done); negative: writes flowed before it was back
            "writes_back_after_part_s": round(recovered - t_up, 1) if recovered else None,
            "resent_then_accepted": sum(1 for a in acks if a.get("attempts", 1) > 1),
            "max_attempts": max((a.get("attempts", 1) for a in acks), default=0),
            "never_accepted": len(self.load.unsent), "lost": len(lost),
            "documents_added": added, "keys_acknowledged": dict(acked),
            "duplicates": {k: added.get(k, 0) - acked.get(k, 0) for k in ("distribution", "delivery")},
            "checks": checks,
        }  # fmt: skip
        if reader:
            figures["reports"] = dict(Counter(r[1] for r in reads))
            figures["reports_during_outage"] = dict(Counter(r[1] for r in reads if t_fault <= r[0] < t_back))
            figures["replica_caught_up"] = self.replica_caught_up()
        problems = [f"{k}: {v}" for k, v in checks.items() if v != "clean"]
        if lost:
            problems.append(f"{len(lost)} acknowledged write(s) missing, e.g. {lost[:3]}")
        if self.load.unsent:
            problems.append(f"{len(self.load.unsent)} write(s) never accepted")
        if any(figures["duplicates"].values()):
            problems.append(f"documents added != keys acknowledged: {figures['duplicates']}")
        if not acks:
            problems.append("no write was accepted")
        figures["failures"] = problems
        self.failures += [f"{name}: {p}" for p in problems]
        say(f"scenario {name}: {'PASS' if not problems else 'FAIL'}: {json.dumps(figures, default=str)}")
        return figures

    def read_reports(self, stop: threading.Event, reads: list) -> None:
        """Finance reads the ageing report every 0.5 s: (time, answer and where it read from)."""
        headers = {"Authorization": f"Bearer {self.load.world['finance_token']}"}
        path = f"/api/reports/ageing/?as_of={datetime.now(UTC).date().isoformat()}"
        deadline = time.monotonic() + self.seconds * 3
        while not stop.is_set() and time.monotonic() < deadline:
            conn = self.load.connection(self.stack.https_port)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                data = response.read()
                code = ""
                if response.status != 200:
                    try:
                        code = " " + json.loads(data).get("code", "")
                    except ValueError:
                        code = " non-JSON"
                reads.append((time.time(), f"{response.status}{code} from {response.getheader('X-Read-From')}"))
            except (OSError, http.client.HTTPException) as exc:
                reads.append((time.time(), type(exc).__name__))
            finally:
                conn.close()
            time.sleep(0.5)

    def replica_caught_up(self) -> bool:
        pos = self.stack.sql("primary", "SELECT @@gtid_binlog_pos")
        return self.stack.sql("replica", f"SELECT MASTER_GTID_WAIT('{pos}', 60)") == "0"

    def run(self, only: set[str]) -> dict:
        figures: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "scenarios": self.results}
        try:
            say(f"prod-up under {self.stack.var} (own MariaDB primary + replica, own Redis)")
            figures["prod_up_s"] = round(self.stack.up(), 1)
            self.load.make_world(None)
            stack = self.stack
            if "a" in only:
                self.results.append(self.scenario(
                    "a", "one gunicorn (web1) killed with SIGKILL; nginx serves through web2; prod-up starts it again",
                    lambda: stack.stop("web1", signal.SIGKILL), stack.up, outage=5,
                ))  # fmt: skip
            if "b" in only:
                self.results.append(self.scenario(
                    "b", f"the stack's own Redis (broker + cache) stopped for {self.redis_outage:g} s",
                    lambda: stack.stop("redis"), stack.up, outage=self.redis_outage,
                ))  # fmt: skip
            if "c" in only:
                self.results.append(self.scenario(
                    "c", f"the MariaDB primary stopped (clean shutdown) for {self.primary_outage:g} s",
                    lambda: stack.stop("mariadb-primary", seconds=90), stack.up, outage=self.primary_outage,
                ))  # fmt: skip
            if "d" in only:
                self.results.append(self.scenario(
                    "d", "the MariaDB replica stopped for 20 s while finance reads the ageing report every 0.5 s",
                    lambda: stack.stop("mariadb-replica", seconds=90), stack.up, outage=20, reader=True,
                ))  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - a failed step is a failed drill, reported
            self.failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            self.stack.down()
        figures["failures"] = self.failures
        return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="a,b,c,d", help="scenarios, e.g. a,c")
    parser.add_argument("--seconds", type=float, default=40.0, help="load per scenario (at least outage + 10 s)")
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--redis-outage", type=float, default=60.0)
    parser.add_argument("--primary-outage", type=float, default=30.0)
    parser.add_argument("--work", default=str(ROOT / "var" / "failure-drill"), help="emptied first")
    args = parser.parse_args()
    work = Path(args.work).resolve()
    if work.exists():
        subprocess.run(["scripts/prod-down.sh"], cwd=ROOT, env={**os.environ, "PROD_VAR": str(work / "stack")},
                       capture_output=True, timeout=300)  # fmt: skip
        subprocess.run(["rm", "-rf", str(work)], check=True)
    work.mkdir(parents=True)
    figures = FailureDrill(work, args.seconds, args.clients, args.redis_outage, args.primary_outage).run(
        set(args.only.split(","))
    )
    (work / "figures.json").write_text(json.dumps(figures, indent=2, default=str))
    for failure in figures["failures"]:
        say(f"FAILED: {failure}")
    say(f"{'PASS' if not figures['failures'] else 'FAIL'}: figures in {work / 'figures.json'}")
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
