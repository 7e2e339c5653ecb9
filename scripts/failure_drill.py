"""Failure drill on the production topology (issue 26; docs/operations.md "Failure drill").

`scripts/prod-up.sh` on free ports under a work directory (own MariaDB primary
and replica, own Redis: PROD_OWN_REDIS=1, never the machine's), then one part
after the other fails while the restore drill's load generator writes through
nginx (HTTPS, 127.0.0.1 only; bounded in time and count):

  a. one gunicorn killed (its process group, SIGKILL); brought back by prod-up;
  b. Redis (the stack's own) stopped for --redis-outage seconds;
  c. the MariaDB primary stopped for --primary-outage seconds;
  d. the replica stopped while finance reads a report every 0.5 s;
  e. the Celery worker killed (SIGKILL, its whole process group) while it
     renders invoice PDFs and sends invoice e-mails (finance e-mails every
     invoice of the load); brought back by prod-up;
  f. the media disk full (MEDIA_ROOT on its own tmpfs, filled to the last
     byte) while drivers upload signatures; then space freed.

The clients behave like the phone's outbox: a write that did not get its 201
(5xx, a refused connection) is kept and sent again with the same
Idempotency-Key every 0.5 s until it is accepted; every 201 goes to the
scenario's acks.jsonl. After each scenario: verify_audit_chain,
verify_numbering, reconcile_inventory, every acknowledged write present, and
exactly one document per acknowledged key (documents added = keys
acknowledged). Figures per scenario: requests, failed (by answer), how long
writes failed, time from the part's return to the first accepted write, writes
lost, duplicates. After e and f also the work a lost task or a full disk left
undone, waited for (bounded): every acknowledged invoice has its PDF (one file,
a whole PDF), every e-mail queued is SENT and was sent exactly once (counted in
the worker's console mail log), every upload stored. Prints them, writes
figures.json, exits 1 on any failed check.

    .venv/bin/python scripts/failure_drill.py [--only a,b,c,d,e,f] [--seconds 20] [--clients 3]
"""

import argparse
import errno
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from restore_drill import CHECK_SCRIPT, PY, ROOT, SIGNATURE, SIGNATURE_SHA, Drill, binary, free_port  # noqa: E402

DB_NAME = "lpg"


LOST_WORK_SCRIPT = """
import json, os
from collections import Counter
from apps.billing.models import Invoice
from apps.finance.models import EmailLog
numbers, logs = json.loads(os.environ["INVOICES"]), json.loads(os.environ["LOGS"])
rows = list(Invoice.objects.filter(number__in=numbers).values_list("number", "pdf", "pdf_rendered_at"))
print("LOST " + json.dumps({
    "invoices": len(rows), "without_pdf": sorted(n for n, pdf, at in rows if not pdf or not at),
    "pdf": {n: pdf for n, pdf, at in rows if pdf},
    "emails": dict(Counter(EmailLog.objects.filter(pk__in=logs).values_list("status", flat=True))),
}))
"""
BACKLOG_SCRIPT = """
from apps.billing.models import Invoice
print("BACKLOG", Invoice.objects.filter(pdf_rendered_at__isnull=True).count())
"""
TASK_LINE = re.compile(r"Task (apps\.[\w.]+)\[([0-9a-f-]+)\] (received|succeeded|failed|retry)")
# an e-mail in the worker's console mail log: the invoice in its subject and its Message-ID
MAIL_SENT = re.compile(r"Subject: Tax invoice (\S+)[^\n]*\n(?:[^\n]*\n){0,6}?Message-ID:\s+(<[^>\s]+>)")


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
            # the sweeps that redo what a lost task left (e): every 5 s, for work 20 s old
            INVOICE_PDF_SWEEP_SECONDS="5", INVOICE_PDF_SWEEP_GRACE="20", FINANCE_EMAIL_SWEEP_SECONDS="5",
            FINANCE_EMAIL_SWEEP_GRACE="20", FINANCE_EMAIL_CLAIM_SECONDS="40", SWEEP_REQUEUE_SECONDS="60",
        )  # fmt: skip
        self.media = var / "media"
        self.media_mounted = False

    def mount_media(self, megabytes: int) -> None:
        """MEDIA_ROOT on its own tmpfs (f: a disk that can fill up without filling the machine's)."""
        self.media.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0755", "tmpfs", str(self.media)],
                       check=True, capture_output=True, timeout=30)  # fmt: skip
        self.media_mounted = True

    def unmount_media(self) -> None:
        if self.media_mounted:
            subprocess.run(["umount", str(self.media)], capture_output=True, timeout=60)
            self.media_mounted = False

    def fill_media(self) -> int:
        """Write a filler file until the filesystem says ENOSPC, down to its last block."""
        fd = os.open(self.media / ".filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        written = 0
        try:
            for size in (1 << 20, 1 << 12, 1):
                chunk = b"\0" * size
                for _ in range(1 << 16):  # bounded: 64 GiB at 1 MiB, far past any tmpfs here
                    try:
                        n = os.write(fd, chunk)  # unbuffered: a short write is what fitted
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
                    written += n
                    if n < size:
                        break
        finally:
            os.close(fd)
        return written

    def free_media(self) -> None:
        (self.media / ".filler").unlink(missing_ok=True)

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
        self.follow: set[str] = set()  # "email": finance e-mails each invoice; "upload": the signature PUT
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
        self.refused: list = []  # 4xx answers: shown to the driver, never resent; none expected
        self.acks_path = self.work / f"{name}-acks.jsonl"
        self.acks_path.write_text("")

    def send(self, kind: str, path: str, body, key: str):
        """A document (POST as the driver), an invoice e-mail (POST as finance) or a
        signature upload (PUT of the PNG as the driver): (status, data, accepted)."""
        if kind == "attachment":
            conn = self.connection(self.port)
            try:
                conn.request("PUT", path, SIGNATURE, {"Authorization": f"Bearer {self.token}",
                             "Content-Type": "image/png", "X-Forwarded-Proto": "https"})  # fmt: skip
                response = conn.getresponse()
                raw = response.read()
            finally:
                conn.close()
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
            return response.status, data, response.status in (200, 201)
        if kind == "email":
            status, data = self.call(self.port, "POST", path, body, key, token=self.world["finance_token"])
            return status, data, status == 202
        status, data = self.call(self.port, "POST", path, body, key)
        return status, data, status == 201

    def followups(self, kind: str, body, data: dict) -> list:
        if kind != "delivery":
            return []
        then = []
        if "email" in self.follow and data.get("invoice"):
            then.append(
                [
                    "email",
                    f"/api/invoices/{data['invoice']['id']}/email/",
                    {"to": f"accounts+{data['invoice']['number'].lower()}@drill.example"},
                    str(uuid.uuid4()),
                    0,
                ]
            )
        if "upload" in self.follow and body.get("proof"):
            then.append(
                [
                    "attachment",
                    f"/api/deliveries/{data['id']}/attachments/{SIGNATURE_SHA}/",
                    None,
                    f"attachment-{data['id']}",
                    0,
                ]
            )
        return then

    def load(self, stop: threading.Event) -> None:
        """Each client: one write at a time; a write without its 201 is sent again (same
        key) every 0.5 s until accepted, as the phone's outbox does; after a delivery,
        its follow-ups (self.follow) the same way. Bounded: new writes until stop, at
        most max_docs; retries until self.seconds * 3."""
        deadline = time.monotonic() + self.seconds * 3
        counter = iter(range(10**9))
        out = open(self.acks_path, "a")  # noqa: SIM115

        def client() -> None:
            pending, queue = None, []
            while time.monotonic() < deadline:
                if pending is None and queue:
                    pending = queue.pop(0)
                if pending is None:
                    with self.lock:
                        n = next(counter)
                    if stop.is_set() or n >= self.max_docs:
                        return
                    pending = [*self.bodies(n), str(uuid.uuid4()), 0]
                kind, path, body, key, attempts = pending
                try:
                    status, data, accepted = self.send(kind, path, body, key)
                except (OSError, http.client.HTTPException) as exc:
                    status, data, accepted = type(exc).__name__, None, False
                code = data.get("code") if isinstance(data, dict) else None
                answer = f"{kind} {status} {code}" if code else f"{kind} {status}"
                with self.lock:
                    self.events.append((time.time(), 201 if accepted else status, answer, attempts))
                    if accepted:
                        invoice = data.get("invoice") if isinstance(data, dict) else None
                        ack = {"t": time.time(), "kind": kind, "key": key,
                               "number": data.get("number") if isinstance(data, dict) else None,
                               "invoice": invoice.get("number") if isinstance(invoice, dict) else None,
                               "id": data.get("id") if isinstance(data, dict) else None,
                               "attempts": attempts + 1}  # fmt: skip
                        if kind == "attachment":
                            ack.update(id=int(path.split("/")[3]), number=None, invoice=None)
                        elif kind == "email":
                            ack.update(number=None, invoice=data.get("invoice_number"))
                        self.acks.append(ack)
                        out.write(json.dumps(ack) + "\n")
                        out.flush()
                        queue += self.followups(kind, body, data)
                        pending = None
                        continue
                    self.errors[answer] = self.errors.get(answer, 0) + 1
                if isinstance(status, int) and 400 <= status < 500 and status not in (408, 429):
                    self.refused.append(answer)
                    pending = None  # refused for good: the phone shows it; counted, not resent
                else:
                    pending[4] += 1
                    time.sleep(0.5)
            for left in ([pending] if pending is not None else []) + queue:
                with self.lock:
                    self.unsent.append(left[3])

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
    def __init__(
        self,
        work: Path,
        seconds: float,
        clients: int,
        redis_outage: float,
        primary_outage: float,
        disk_outage: float = 30.0,
        media_mb: int = 256,
    ):
        self.work, self.seconds = work, seconds
        self.disk_outage, self.media_mb = disk_outage, media_mb
        self.redis_outage, self.primary_outage = redis_outage, primary_outage
        self.stack = Stack(work / "stack")
        self.load = FailureLoad(self.stack, work, seconds, clients, max_docs=5000)
        self.results: list[dict] = []
        self.failures: list[str] = []

    def scenario(
        self,
        name: str,
        what: str,
        fault,
        back,
        outage: float,
        reader: bool = False,
        follow: frozenset = frozenset(),
        settle=None,
    ) -> dict:
        """Load for --seconds around the fault: the fault at 25 %, the part back after
        ``outage`` seconds, the load on until at least 10 s after that."""
        say(f"scenario {name}: {what}")
        self.load.reset(name)
        self.load.follow = set(follow)
        self.load.seconds = max(self.seconds, outage + 40)  # the load's own bound: 3x this
        before = self.load.checks()["counts"]
        self.worker_offset = self.worker_log().stat().st_size if self.worker_log().exists() else 0
        self.in_flight = None
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
        checks.pop("media_files")
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
            "never_accepted": len(self.load.unsent), "refused_for_good": len(self.load.refused), "lost": len(lost),
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
        if self.load.refused:
            problems.append(f"{len(self.load.refused)} write(s) refused for good: {dict(Counter(self.load.refused))}")
        if settle is not None:  # the work left behind, waited for and counted
            extra, more = settle(acks)
            figures.update(extra)
            problems += more
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

    def probe_auth(self, after: float) -> None:
        """``after`` s from now (Redis away): the driver signs in (its password) and
        refreshes its token, through nginx; the answers go to self.auth_probe."""
        w, self.auth_probe = self.load.world, {}

        def probe() -> None:
            time.sleep(after)
            for name, path, body in (
                ("sign_in", "/api/auth/token/", {"email": w["driver_email"], "password": "pass-12345"}),
                ("refresh", "/api/auth/token/refresh/", {"refresh": w["refresh"]}),
            ):
                try:
                    status, data = self.load.call(self.stack.https_port, "POST", path, body)
                    code = data.get("code", "") if isinstance(data, dict) else "non-JSON"
                    self.auth_probe[name] = f"{status} {code}".strip()
                except (OSError, http.client.HTTPException) as exc:
                    self.auth_probe[name] = type(exc).__name__

        self.probe_thread = threading.Thread(target=probe, daemon=True)
        self.probe_thread.start()

    def auth_probed(self, acks: list) -> tuple[dict, list]:
        """Sign-in waits for its guard (503 throttle_unavailable); a refresh goes on (200)."""
        self.probe_thread.join(timeout=60)
        got, problems = dict(self.auth_probe), []
        if got.get("sign_in") != "503 throttle_unavailable":
            problems.append(f"sign-in with Redis away: {got.get('sign_in')} (503 throttle_unavailable expected)")
        if got.get("refresh") != "200":
            problems.append(f"token refresh with Redis away: {got.get('refresh')} (200 expected)")
        return {"auth_during_outage": got}, problems

    def worker_log(self) -> Path:
        return self.stack.var / "log" / "worker.log"

    def kill_worker_mid_task(self) -> None:
        """SIGKILL the Celery worker's process group once it holds a render or an
        e-mail it has not finished (from its own log, at most 20 s of looking)."""
        log, start = self.worker_log(), self.worker_offset
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with open(log, errors="replace") as fh:
                fh.seek(start)
                state: dict = {}
                for task, task_id, what in TASK_LINE.findall(fh.read()):
                    state[task_id] = (task, what)
            busy = [t for t, what in state.values() if what == "received" and t.endswith(("pdf", "email_send"))]
            if busy:
                break
            time.sleep(0.05)
        self.in_flight = dict(Counter(busy))
        self.stack.stop("worker", signal.SIGKILL)

    def drain(self, limit: float = 600.0) -> float:
        """Wait (at most ``limit`` s) until the worker has rendered every invoice
        PDF the earlier scenarios queued, so that e and f measure their own work
        (the load writes invoices faster than one worker renders them)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            done = subprocess.run([PY, "manage.py", "shell", "-c", BACKLOG_SCRIPT], cwd=ROOT,
                                  env=self.stack.app_env(), capture_output=True, text=True, timeout=300)  # fmt: skip
            if "BACKLOG " not in done.stdout:
                raise RuntimeError("backlog check failed to run: " + done.stderr[-2000:])
            left = int(done.stdout.split("BACKLOG ", 1)[1])
            if not left:
                break
            say(f"waiting for the worker: {left} invoice PDF(s) of earlier scenarios not rendered yet")
            time.sleep(10)
        return round(time.monotonic() - t0, 1)

    def lost_work(self, acks: list, *, one_file: bool) -> tuple[dict, list]:
        """Wait (at most 600 s) until every acknowledged invoice has its PDF and every
        e-mail queued is SENT; then count PDF files per invoice and e-mails sent per
        invoice in the worker's console mail log."""
        numbers = sorted({a["invoice"] for a in acks if a["kind"] == "delivery" and a["invoice"]})
        logs = [a["id"] for a in acks if a["kind"] == "email"]
        env = {**self.stack.app_env(), "INVOICES": json.dumps(numbers), "LOGS": json.dumps(logs)}
        t0, state = time.monotonic(), {}
        while time.monotonic() - t0 < 600:
            done = subprocess.run([PY, "manage.py", "shell", "-c", LOST_WORK_SCRIPT], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)  # fmt: skip
            if "LOST " not in done.stdout:
                raise RuntimeError("lost-work check failed to run: " + done.stderr[-2000:])
            state = json.loads(done.stdout.split("LOST ", 1)[1])
            if not state["without_pdf"] and set(state["emails"]) <= {"SENT"}:
                break
            time.sleep(5)
        waited = time.monotonic() - t0
        files: Counter = Counter()
        for path in (self.stack.media / "invoices").rglob("*.pdf"):
            files[re.sub(r"(_[A-Za-z0-9]{7})?\.pdf$", "", path.name)] += 1
        broken = [n for n, name in state["pdf"].items()
                  if not (lambda b: b[:5] == b"%PDF-" and b.rstrip().endswith(b"%%EOF"))(
                      (self.stack.media / name).read_bytes())]  # fmt: skip
        sent: Counter = Counter()
        message_ids: dict[str, set] = {}
        with open(self.worker_log(), errors="replace") as fh:
            fh.seek(self.worker_offset)
            for number, message_id in MAIL_SENT.findall(fh.read()):
                if number in set(numbers):
                    sent[number] += 1
                    message_ids.setdefault(number, set()).add(message_id)
        emailed = {a["invoice"] for a in acks if a["kind"] == "email"}
        # SMTP's one window: a send whose worker died after the server took it and
        # before SENT was recorded goes again, with the same Message-ID; only the
        # sends in flight at the kill can be in it
        twice = sum(1 for n in emailed if sent[n] > 1)
        sends_in_flight = (getattr(self, "in_flight", None) or {}).get("apps.finance.tasks.email_send", 0)
        figures = {
            "in_flight_at_kill": getattr(self, "in_flight", None), "lost_work_done_after_s": round(waited, 1),
            "invoices": len(numbers), "invoices_without_pdf": len(state["without_pdf"]),
            "pdf_files_per_invoice": dict(Counter(files[n] for n in numbers)), "pdfs_not_whole": len(broken),
            "emails_queued": len(logs), "email_logs": state["emails"],
            "emails_sent_per_invoice": dict(Counter(sent[n] for n in emailed)),
            "message_ids_per_invoice": dict(Counter(len(message_ids.get(n, ())) for n in emailed)),
            "emails_handed_over_twice": twice,
        }  # fmt: skip
        problems = []
        if state["without_pdf"]:
            problems.append(f"{len(state['without_pdf'])} invoice(s) without a PDF after {waited:.0f} s")
        if broken:
            problems.append(f"{len(broken)} PDF(s) not whole, e.g. {broken[:3]}")
        if one_file and any(files[n] != 1 for n in numbers):
            problems.append(f"PDF files per invoice: {figures['pdf_files_per_invoice']} (one each expected)")
        if set(state["emails"]) - {"SENT"}:
            problems.append(f"e-mails not sent: {state['emails']}")
        if any(not sent[n] for n in emailed):
            problems.append(f"e-mails sent per invoice: {figures['emails_sent_per_invoice']} (none never sent)")
        if any(len(message_ids.get(n, ())) > 1 for n in emailed):
            problems.append(f"Message-IDs per invoice: {figures['message_ids_per_invoice']} (one message each)")
        if twice > sends_in_flight:
            problems.append(f"{twice} e-mail(s) handed over twice, more than the {sends_in_flight} sends in flight")
        return figures, problems

    def replica_caught_up(self) -> bool:
        pos = self.stack.sql("primary", "SELECT @@gtid_binlog_pos")
        return self.stack.sql("replica", f"SELECT MASTER_GTID_WAIT('{pos}', 60)") == "0"

    def run(self, only: set[str]) -> dict:
        figures: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "scenarios": self.results}
        try:
            if "f" in only:  # before prod-up: MEDIA_ROOT is that filesystem from the start
                self.stack.mount_media(self.media_mb)
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
                    "b", f"the stack's own Redis (broker + cache) stopped for {self.redis_outage:g} s;"
                    " a sign-in and a token refresh 5 s into it",
                    lambda: (stack.stop("redis"), self.probe_auth(after=5)), stack.up, outage=self.redis_outage,
                    settle=self.auth_probed,
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
            if "e" in only:
                drained = self.drain()
                self.results.append(self.scenario(
                    "e", "the Celery worker killed (SIGKILL, whole process group) mid-render; finance e-mails"
                    " every invoice; prod-up starts it again after 15 s",
                    self.kill_worker_mid_task, stack.up, outage=15, follow=frozenset({"email"}),
                    settle=lambda acks: self.lost_work(acks, one_file=True),
                ))  # fmt: skip
                self.results[-1]["earlier_backlog_drained_s"] = drained
            if "f" in only:
                filled, drained = {}, self.drain()
                self.results.append(self.scenario(
                    "f", f"the media disk (its own tmpfs) full for {self.disk_outage:g} s while drivers upload"
                    " signatures; then space freed",
                    lambda: filled.update(bytes=stack.fill_media()), lambda: stack.free_media(),
                    outage=self.disk_outage, follow=frozenset({"upload"}),
                    settle=lambda acks: self.lost_work(acks, one_file=False),
                ))  # fmt: skip
                self.results[-1].update(filler_bytes=filled.get("bytes"), earlier_backlog_drained_s=drained)
        except Exception as exc:  # noqa: BLE001 - a failed step is a failed drill, reported
            traceback.print_exc()
            self.failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            self.stack.down()
            self.stack.unmount_media()
        figures["failures"] = self.failures
        return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="a,b,c,d,e,f", help="scenarios, e.g. a,c")
    parser.add_argument("--seconds", type=float, default=40.0, help="load per scenario (at least outage + 10 s)")
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--redis-outage", type=float, default=60.0)
    parser.add_argument("--primary-outage", type=float, default=30.0)
    parser.add_argument("--disk-outage", type=float, default=30.0)
    parser.add_argument("--media-mb", type=int, default=256, help="f: the size of the media tmpfs")
    parser.add_argument("--work", default=str(ROOT / "var" / "failure-drill"), help="emptied first")
    args = parser.parse_args()
    work = Path(args.work).resolve()
    if work.exists():
        subprocess.run(["umount", str(work / "stack" / "media")], capture_output=True, timeout=60)  # a crashed run's
        subprocess.run(["scripts/prod-down.sh"], cwd=ROOT, env={**os.environ, "PROD_VAR": str(work / "stack")},
                       capture_output=True, timeout=300)  # fmt: skip
        subprocess.run(["rm", "-rf", str(work)], check=True)
    work.mkdir(parents=True)
    figures = FailureDrill(
        work, args.seconds, args.clients, args.redis_outage, args.primary_outage, args.disk_outage, args.media_mb
    ).run(set(args.only.split(",")))
    (work / "figures.json").write_text(json.dumps(figures, indent=2, default=str))
    for failure in figures["failures"]:
        say(f"FAILED: {failure}")
    say(f"{'PASS' if not figures['failures'] else 'FAIL'}: figures in {work / 'figures.json'}")
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
