"""Restore drill, MariaDB (issue 26; docs/operations.md "Restore drill").

On own mariadbd instances under a work directory (free ports, 127.0.0.1 only):

1. a primary (deploy/mariadb/primary.cnf: binlog ROW, GTID, sync_binlog=1) and a
   GTID replica (replica.cnf); migrate; a small world; gunicorn on the primary;
2. a load generator POSTs distributions and deliveries (each with its own
   Idempotency-Key; every other delivery with a signature, PUT after the 201)
   for a bounded time and count, and logs every acknowledged write (201: time,
   key, document and invoice numbers; uploads: 200/201) to acks.jsonl;
3. during the load: the audit head published (`audit_head`), a consistent dump
   from the replica (`mariadb-dump --single-transaction --gtid --master-data=2`),
   the head published again, then the damage at T_damage, as the database owner
   (variant A: drop the append-only triggers, delete invoices and audit rows;
   variant B: DROP TABLE of the stock ledger), the primary's binlogs copied aside;
   media copied aside after the dump and again after the damage (new names only);
4. restore into a fresh mariadbd: the dump, then `mariadb-binlog` from the dump's
   GTID up to the GTID just before the first damaging statement (found by
   reading the binlog, cross-checked with the damaging session's @@last_gtid);
5. checks on the restored database: verify_audit_chain --expect-head (the last
   head published before the damage), verify_numbering, reconcile_inventory,
   check_media on the restored media, every append-only trigger in place, and
   every write acknowledged before T_damage present (RPO, must be 0); then
   gunicorn on it answering an authenticated request (RTO, from "start restore").

Prints a summary, writes figures.json, exits 1 when any check fails.
    .venv/bin/python scripts/restore_drill.py [--variant A|B|both] [--seconds 30] [--clients 4]
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "lpg"
PY = sys.executable


def _signature() -> tuple[bytes, str]:
    """A small drawn signature (PNG), as the phone's canvas sends it."""
    import hashlib
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (317, 113), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(7, 90), (60, 20), (130, 95), (210, 15), (300, 80)], fill=(17, 17, 17, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), hashlib.sha256(out.getvalue()).hexdigest()


SIGNATURE, SIGNATURE_SHA = _signature()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(name: str) -> str:
    found = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if not found:
        raise SystemExit(f"restore-drill: {name} is missing (scripts/system-deps.sh prod)")
    return found


def say(message: str) -> None:
    print(f"restore-drill [{time.strftime('%H:%M:%S')}]: {message}", flush=True)


class MariaDB:
    """One own mariadbd: datadir, socket and log under the work directory."""

    def __init__(self, work: Path, name: str, cnf: str):
        self.name, self.cnf = name, cnf
        self.dir = work / f"mariadb-{name}"
        self.sock = self.dir / "mysqld.sock"
        self.log = work / f"mariadb-{name}.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.user = ["--user=root"] if os.geteuid() == 0 else []

    def install(self) -> subprocess.Popen:
        self.dir.mkdir(parents=True)
        tmp = self.dir.with_suffix(".tmp")
        tmp.mkdir()
        return subprocess.Popen(
            [binary("mariadb-install-db"), "--no-defaults", f"--datadir={self.dir}", *self.user,
             "--auth-root-authentication-method=socket", "--skip-test-db", f"--tmpdir={tmp}"],
            stdout=open(self.log.with_suffix(".install.log"), "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )  # fmt: skip

    def start(self, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [binary("mariadbd"), f"--defaults-file={ROOT / 'deploy/mariadb' / self.cnf}", *self.user,
             f"--datadir={self.dir}", f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.sock}",
             f"--pid-file={self.dir / 'mariadbd.pid'}", f"--log-error={self.log}", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mariadbd {self.name} exited ({self.log})")
            if self.sock.exists() and self.query("SELECT 1", check=False) == "1":
                return
            time.sleep(0.2)
        raise RuntimeError(f"mariadbd {self.name} did not come up in 60 s ({self.log})")

    def client(self, *args: str) -> list[str]:
        return [binary("mariadb"), "--no-defaults", "-uroot", f"--socket={self.sock}", *args]

    def query(self, statement: str, db: str = "", check: bool = True) -> str:
        done = subprocess.run(
            self.client("-N", "-B", *([db] if db else []), "-e", statement), capture_output=True, text=True, timeout=120
        )
        if check and done.returncode:
            raise RuntimeError(f"{self.name}: {statement[:80]}: {done.stderr.strip()}")
        return done.stdout.strip()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class Drill:
    """The MariaDB drill; PostgresDrill (scripts/restore_drill_pg.py) swaps the
    database steps (bring_up, backup, copy_logs, damage, restore_database)."""

    server_name = "mariadbd"

    def __init__(self, work: Path, variant: str, seconds: float, clients: int, max_docs: int):
        self.work, self.variant, self.seconds, self.clients, self.max_docs = work, variant, seconds, clients, max_docs
        self.secrets = {"SECRET_KEY": secrets.token_urlsafe(50), "AUDIT_HMAC_KEY": secrets.token_urlsafe(48)}
        self.password = secrets.token_urlsafe(18)
        self.make_servers()
        self.procs: list[subprocess.Popen] = []
        self.figures: dict = {"variant": variant, "date": datetime.now(UTC).isoformat(timespec="seconds")}
        self.failures: list[str] = []
        self.acks_path = work / "acks.jsonl"
        self.acks: list[dict] = []
        self.errors: dict[str, int] = {}
        self.lock = threading.Lock()

    def make_servers(self) -> None:
        self.primary = MariaDB(self.work, "primary", "primary.cnf")
        self.replica = MariaDB(self.work, "replica", "replica.cnf")
        self.restored = MariaDB(self.work, "restored", "primary.cnf")

    # --- the application -------------------------------------------------------
    def db_url(self, db) -> str:
        return f"mysql://lpg:{self.password}@127.0.0.1:{db.port}/{DB}"

    def env(self, db, media: str = "media") -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
        env.update(
            self.secrets,
            DJANGO_SETTINGS_MODULE="config.settings.production",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.db_url(db),
            CACHE_URL="locmemcache://",
            # tasks run in the request after commit: each invoice PDF is rendered into the
            # media (and so into its backup) as the worker would, without a worker to run
            CELERY_BROKER_URL="memory://",
            CELERY_TASK_ALWAYS_EAGER="true",
            AUDIT_SEAL_ON_COMMIT="true",
            SECURE_SSL_REDIRECT="false",
            MEDIA_ROOT=str(self.work / media),
            EMAIL_URL="consolemail://",
        )
        return env

    def manage(self, db, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env(db), capture_output=True, text=True, timeout=timeout
        )

    def gunicorn(self, db, name: str, media: str = "media") -> int:
        port = free_port()
        env = {**self.env(db, media), "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
        proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(self.work / f"{name}.log", "w"),  # noqa: SIM115
            start_new_session=True,
        )  # fmt: skip
        self.procs.append(proc)
        return port

    def connection(self, port: int) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, port: int, method: str, path: str, body=None, key: str | None = None, token: str | None = None):
        headers = {"Authorization": f"Bearer {token or self.token}", "Content-Type": "application/json",
                   "X-Forwarded-Proto": "https"}  # fmt: skip
        if key:
            headers["Idempotency-Key"] = key
        conn = self.connection(port)
        try:
            conn.request(method, path, None if body is None else json.dumps(body), headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, data[:200]

    def wait_api(self, port: int, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.call(port, "GET", "/api/me/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the API on :{port} did not answer in {seconds:g} s")

    # --- steps -----------------------------------------------------------------
    def bring_up(self) -> None:
        say(f"variant {self.variant}: MariaDB primary and replica under {self.work}")
        for p in [self.primary.install(), self.replica.install()]:
            if p.wait(timeout=120):
                raise RuntimeError("mariadb-install-db failed")
        self.primary.start()
        self.replica.start()
        repl = secrets.token_urlsafe(18)
        self.primary.query(
            f"CREATE DATABASE {DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
            f"CREATE USER 'lpg'@'127.0.0.1' IDENTIFIED BY '{self.password}';"
            f"GRANT ALL PRIVILEGES ON {DB}.* TO 'lpg'@'127.0.0.1';"
            f"CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '{repl}';"
            "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'127.0.0.1';"
        )
        self.replica.query(
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.primary.port}, MASTER_USER='repl', "
            f"MASTER_PASSWORD='{repl}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE;"
        )
        self.migrate_and_serve()

    def migrate_and_serve(self) -> None:
        """migrate, a small world, gunicorn on the primary."""
        t0 = time.monotonic()
        done = self.manage(self.primary, "migrate", "--noinput", "-v0", timeout=600)
        if done.returncode:
            raise RuntimeError("migrate failed: " + done.stderr[-2000:])
        self.figures["migrate_s"] = round(time.monotonic() - t0, 1)
        self.make_world(self.primary)
        self.port = self.gunicorn(self.primary, "gunicorn-primary")
        self.wait_api(self.port)

    def make_world(self, db) -> None:
        """Two depots, customers, a loaded truck; self.world and a driver's token."""
        world = """
import json
from rest_framework_simplejwt.tokens import RefreshToken
from apps.core.testing.world import build_world
from apps.distribution.services import distribution_create
from apps.inventory.enums import MovementType
w = build_world(stock=10**9)
distribution_create(actor=w.users["admin"], vehicle=w.vehicle, items=[{"depot": w.depot, "cylinder_type": t,
    "quantity": 10**8, "movement_type": MovementType.COLLECTION} for t in w.types[:2]])
print("WORLD " + json.dumps({"token": str(RefreshToken.for_user(w.users["driver"]).access_token),
    "refresh": str(RefreshToken.for_user(w.users["driver"])), "driver_email": w.users["driver"].email,
    "finance_token": str(RefreshToken.for_user(w.users["finance"]).access_token),
    "depot": w.depot.pk, "vehicle": w.vehicle.pk, "types": [t.pk for t in w.types],
    "customers": [c.pk for c in w.customers]}))
"""
        done = self.manage(db, "shell", "-c", world)
        if done.returncode:
            raise RuntimeError("world failed: " + done.stderr[-2000:])
        self.world = json.loads(done.stdout.split("WORLD ", 1)[1])
        self.token = self.world["token"]

    def bodies(self, n: int):
        w = self.world
        if n % 2:
            return "distribution", "/api/distributions/", {
                "vehicle": w["vehicle"],
                "items": [{"depot": w["depot"], "cylinder_type": w["types"][0], "quantity": 2,
                           "movement_type": "COLLECTION"}],
            }  # fmt: skip
        body = {
            "customer": w["customers"][n % len(w["customers"])], "vehicle": w["vehicle"], "order": None,
            "payment_method": "CHEQUE", "acknowledged_warnings": ["household_hours"],
            "lines": [{"cylinder_type": w["types"][0], "delivered_full": 1, "returned_empty": 1},
                      {"cylinder_type": w["types"][1], "delivered_full": 1, "returned_empty": 0}],
        }  # fmt: skip
        if n % 4 == 0:  # every other delivery with a signed proof, its image uploaded after the 201
            body["proof"] = {"recipient_name": "Tan Ah Kow", "signature_sha256": SIGNATURE_SHA, "photo_sha256": [],
                             "latitude": "1.3520831", "longitude": "103.8198361", "accuracy_m": "12.7"}  # fmt: skip
        return "delivery", "/api/deliveries/", body

    def load(self, stop: threading.Event) -> None:
        """Bounded: until stop, self.seconds * 3 at the most, self.max_docs documents at the most."""
        deadline = time.monotonic() + self.seconds * 3
        counter = iter(range(10**9))
        out = open(self.acks_path, "a")  # noqa: SIM115

        def client() -> None:
            while not stop.is_set() and time.monotonic() < deadline:
                with self.lock:
                    n = next(counter)
                if n >= self.max_docs:
                    return
                kind, path, body = self.bodies(n)
                key = str(uuid.uuid4())
                try:
                    status, data = self.call(self.port, "POST", path, body, key)
                except OSError as exc:
                    status, data = type(exc).__name__, None
                now = time.time()
                self.record(now, kind, path, body, key, status, data)
                with self.lock:
                    if status == 201:
                        ack = {"t": now, "kind": kind, "key": key, "number": data.get("number"),
                               "invoice": (data.get("invoice") or {}).get("number"), "id": data.get("id")}  # fmt: skip
                        self.acks.append(ack)
                        out.write(json.dumps(ack) + "\n")
                        out.flush()
                    else:
                        self.errors[str(status)] = self.errors.get(str(status), 0) + 1
                if status != 201 and (stop.is_set() or self.variant != "A"):
                    time.sleep(0.05)
                if status == 201 and "proof" in body:
                    self.upload(data["id"], out)

        threads = [threading.Thread(target=client) for _ in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out.close()

    def record(self, t: float, kind: str, path: str, body: dict, key: str, status, data) -> None:
        """Every answer of the load (the failure drill keeps them; the restore drill counts errors only)."""

    def upload(self, delivery: int, out) -> None:
        """PUT the signature image; a 201/200 is an acknowledged upload (the file is stored)."""
        conn = self.connection(self.port)
        try:
            conn.request("PUT", f"/api/deliveries/{delivery}/attachments/{SIGNATURE_SHA}/", SIGNATURE,
                         {"Authorization": f"Bearer {self.token}", "Content-Type": "image/png",
                          "X-Forwarded-Proto": "https"})  # fmt: skip
            status = conn.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
        finally:
            conn.close()
        with self.lock:
            if status in (200, 201):
                ack = {"t": time.time(), "kind": "attachment", "key": f"attachment-{delivery}", "id": delivery,
                       "number": None, "invoice": None}  # fmt: skip
                self.acks.append(ack)
                out.write(json.dumps(ack) + "\n")
                out.flush()
            else:
                self.errors[f"upload {status}"] = self.errors.get(f"upload {status}", 0) + 1

    def copy_media(self) -> int:
        """As `rsync -a --ignore-existing media/ backup/`: names are written once, never changed."""
        copied = 0
        source, backup = self.work / "media", self.work / "media-backup"
        for f in sorted(source.rglob("*")) if source.exists() else []:
            target = backup / f.relative_to(source)
            if f.is_file() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, target)
                copied += 1
        return copied

    def publish_head(self) -> str:
        done = self.manage(self.primary, "audit_head")
        if done.returncode:
            raise RuntimeError("audit_head failed: " + done.stderr)
        head = re.search(r"expect-head: (\S+)", done.stdout).group(1)
        with open(self.work / "published-heads.log", "a") as f:
            f.write(f"{time.time():.3f} {head}\n")
        return head

    def backup(self) -> None:
        t0 = time.monotonic()
        dump = self.work / "dump.sql"
        with open(dump, "w") as f:
            done = subprocess.run(
                [binary("mariadb-dump"), "--no-defaults", "-uroot", f"--socket={self.replica.sock}",
                 "--single-transaction", "--gtid", "--master-data=2", "--routines", "--triggers", "--events",
                 "--databases", DB],
                stdout=f, stderr=subprocess.PIPE, text=True, timeout=600,
            )  # fmt: skip
        if done.returncode:
            raise RuntimeError("mariadb-dump failed: " + done.stderr)
        with open(dump, "rb") as f:  # the GTID comes last in the file
            f.seek(max(0, dump.stat().st_size - 65536))
            tail = f.read().decode(errors="replace")
        self.dump_gtid = re.findall(r"gtid_slave_pos='([^']*)'", tail)[-1]
        self.figures.update(dump_s=round(time.monotonic() - t0, 2), dump_gtid=self.dump_gtid,
                            dump_bytes=dump.stat().st_size)  # fmt: skip
        self.copy_logs()
        self.figures["media_copied_with_dump"] = self.copy_media()

    def copy_logs(self) -> None:
        """FLUSH BINARY LOGS closes the current file; all of them are copied aside."""
        self.primary.query("FLUSH BINARY LOGS")
        aside = self.work / "binlogs"
        aside.mkdir(exist_ok=True)
        for f in sorted(self.primary.dir.glob("lpg-binlog.[0-9]*")):
            shutil.copy2(f, aside / f.name)

    def damage(self) -> None:
        """As the database owner (the application's user, over TCP): one session."""
        owner = [binary("mariadb"), "--no-defaults", "-h127.0.0.1", f"-P{self.primary.port}", "-ulpg",
                 f"-p{self.password}", "-N", "-B", DB]  # fmt: skip
        triggers = self.primary.query(
            f"SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema='{DB}'"
        ).split()
        if self.variant == "A":
            first = f"DROP TRIGGER `{triggers[0]}`;"
            rest = "".join(f"DROP TRIGGER `{t}`;" for t in triggers[1:]) + (
                "DELETE FROM billing_invoice ORDER BY id LIMIT 3; DELETE FROM audit_auditlog ORDER BY id DESC LIMIT 5;"
            )
        else:
            first, rest = "DROP TABLE inventory_stockmove;", ""
        self.figures["t_damage"] = time.time()
        done = subprocess.run(
            [*owner, "-e", f"SET SESSION foreign_key_checks=0; {first} SELECT @@last_gtid; {rest}"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError("damage failed: " + done.stderr)
        self.figures["damage_session_gtid"] = done.stdout.split()[0]
        self.figures["damage"] = first + (
            f" + {len(triggers) - 1} more triggers, 3 invoices, 5 audit rows" if rest else ""
        )

    def find_damage(self) -> str:
        """The GTID of the first DROP TRIGGER / DROP TABLE after the dump, read from the binlogs."""
        files = sorted(str(f) for f in (self.work / "binlogs").glob("lpg-binlog.[0-9]*"))
        text = subprocess.run(
            [binary("mariadb-binlog"), "--no-defaults", f"--start-position={self.dump_gtid}", *files],
            capture_output=True, text=True, timeout=300,
        ).stdout  # fmt: skip
        gtid = None
        for line in text.splitlines():
            m = re.search(r"\bGTID (\d+-\d+-\d+)", line)
            if m and line.startswith("#"):
                gtid = m.group(1)
            elif re.match(r"\s*DROP\s+(TRIGGER|TABLE)\b", line, re.I):
                return gtid
        raise RuntimeError("no damaging statement in the binlogs")

    def restore(self) -> None:
        """Start restore: the database back to just before the damage, the media copy
        in place; then the checks and the API (RTO from here)."""
        t0 = time.monotonic()
        self.figures["t_restore_start"] = time.time()
        shutil.copytree(self.work / "media-backup", self.work / "media-restored", dirs_exist_ok=True)
        self.restore_database(t0)
        self.check_and_open(t0)

    def restore_database(self, t0: float) -> None:
        damage_gtid = self.find_damage()
        if damage_gtid != self.figures["damage_session_gtid"]:
            self.failures.append(f"damage GTID {damage_gtid} in the binlog, {self.figures['damage_session_gtid']} "
                                 "by the damaging session")  # fmt: skip
        domain, server, seq = damage_gtid.split("-")
        stop = f"{domain}-{server}-{int(seq) - 1}"
        self.figures.update(damage_gtid=damage_gtid, restore_to_gtid=stop)
        say(f"restore: dump at {self.dump_gtid}, binlogs up to {stop} (damage at {damage_gtid})")
        # A fresh server: no binlog while the backup is loaded (it is the new primary's
        # starting point; `SET GLOBAL gtid_slave_pos` from the dump before replicas attach).
        self.restored.install().wait(timeout=120)
        self.restored.start("--skip-log-bin")
        self.restored.query(
            f"CREATE USER 'lpg'@'127.0.0.1' IDENTIFIED BY '{self.password}';"
            f"GRANT ALL PRIVILEGES ON {DB}.* TO 'lpg'@'127.0.0.1';"
        )
        with open(self.work / "dump.sql") as f:
            done = subprocess.run(self.restored.client("--binary-mode"), stdin=f, capture_output=True, text=True,
                                  timeout=900)  # fmt: skip
        if done.returncode:
            raise RuntimeError("loading the dump failed: " + done.stderr[-2000:])
        self.figures["load_dump_s"] = round(time.monotonic() - t0, 2)
        files = sorted(str(f) for f in (self.work / "binlogs").glob("lpg-binlog.[0-9]*"))
        replay = self.work / "replay.sql"
        with open(replay, "w") as f:
            subprocess.run(
                [binary("mariadb-binlog"), "--no-defaults", f"--start-position={self.dump_gtid}",
                 f"--stop-position={stop}", *files],
                stdout=f, check=True, timeout=300,
            )  # fmt: skip
        if re.search(r"^\s*DROP\s+(TRIGGER|TABLE)\b", replay.read_text(), re.I | re.M):
            self.failures.append("the replay holds the damaging statement")
        with open(replay) as f:
            done = subprocess.run(self.restored.client("--binary-mode"), stdin=f, capture_output=True, text=True,
                                  timeout=900)  # fmt: skip
        if done.returncode:
            raise RuntimeError("binlog replay failed: " + done.stderr[-2000:])
        self.figures["replay_s"] = round(time.monotonic() - t0, 2)

    def check_and_open(self, t0: float) -> None:
        """Checks before the API opens (one Django start-up), then gunicorn on the
        restored database: RTO when an authenticated request answers 200."""
        check = CHECK_SCRIPT
        env = {**self.env(self.restored, "media-restored"), "EXPECT_HEAD": self.head_before_damage,
               "ACKS": str(self.acks_path)}  # fmt: skip
        done = subprocess.run([PY, "manage.py", "shell", "-c", check], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=600)  # fmt: skip
        if "CHECKS " not in done.stdout:
            raise RuntimeError("checks failed to run: " + done.stderr[-3000:])
        self.checks = json.loads(done.stdout.split("CHECKS ", 1)[1])
        (self.work / "checks.log").write_text(done.stdout + done.stderr)
        self.figures["checks_s"] = round(time.monotonic() - t0, 2)
        port = self.gunicorn(self.restored, "gunicorn-restored", "media-restored")
        self.wait_api(port)
        self.figures["rto_s"] = round(time.monotonic() - t0, 2)
        # The restored system takes a write again.
        status, data = self.call(port, "POST", *self.bodies(1)[1:], key=str(uuid.uuid4()))
        self.figures["write_after_restore"] = status
        if status != 201:
            self.failures.append(f"a write on the restored system answered {status}: {data}")

    def evaluate(self) -> None:
        t_damage = self.figures["t_damage"]
        present = set(self.checks.pop("present"))
        self.checks.pop("counts", None)
        media = self.figures["restored_media"] = self.checks.pop("media_files")
        before = [a for a in self.acks if a["t"] < t_damage]
        after = [a for a in self.acks if a["t"] >= t_damage]
        lost = [a for a in before if a["key"] not in present]
        self.figures.update(
            acked_total=len(self.acks), acked_before_damage=len(before), acked_after_damage=len(after),
            acked_after_damage_restored=sum(a["key"] in present for a in after), rpo_lost=len(lost),
            load_errors=self.errors, checks=self.checks, head_before_damage=self.head_before_damage,
        )  # fmt: skip
        if lost:
            self.failures.append(f"RPO: {len(lost)} acknowledged write(s) before the damage lost, e.g. {lost[:3]}")
        if not before:
            self.failures.append("no write was acknowledged before the damage")
        if not media["invoice_pdfs"] or not media["images"]:  # check_media must have had files to check
            self.failures.append(f"the restored media holds no invoice PDF or no image: {media}")
        for name, result in self.checks.items():
            if result != "clean":
                self.failures.append(f"{name}: {result}")

    def run(self) -> dict:
        try:
            self.bring_up()
            self.head_before_damage = self.publish_head()
            stop = threading.Event()
            loader = threading.Thread(target=self.load, args=(stop,))
            t_load = time.monotonic()
            loader.start()
            time.sleep(self.seconds * 0.3)
            say("backup while the load runs")
            self.backup()
            time.sleep(max(0.0, t_load + self.seconds * 0.7 - time.monotonic()))
            self.head_before_damage = self.publish_head()
            time.sleep(1)
            say(f"damage, variant {self.variant}")
            self.damage()
            time.sleep(max(1.0, t_load + self.seconds - time.monotonic()))
            stop.set()
            loader.join(timeout=120)
            self.figures["load_s"] = round(time.monotonic() - t_load, 1)
            self.copy_logs()
            self.figures["media_copied_after_damage"] = self.copy_media()
            # The damaged primary and its gunicorn stop; the restore starts.
            for proc in self.procs:
                proc.terminate()
            say(f"restore into a fresh {self.server_name}")
            self.restore()
            self.evaluate()
        except Exception as exc:  # noqa: BLE001 - a failed step is a failed drill, reported
            self.failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            self.shutdown()
        self.figures["failures"] = self.failures
        return self.figures

    def shutdown(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        for db in self.databases():
            db.stop()

    def databases(self) -> list:
        return [self.restored, self.replica, self.primary]


# The checks on a database (one Django start-up): the project's three commands,
# the append-only triggers, the media, which acknowledged writes (ACKS, a
# jsonl file) are present, and how many documents there are.
CHECK_SCRIPT = """
import json, os
from django.core.management import call_command
from django.core.management.base import CommandError
from apps.billing.models import Invoice
from apps.core.models import IdempotencyRecord
from apps.distribution.models import DistributionHeader
from apps.deliveries.models import Delivery
out = {}
head = ["--expect-head", os.environ["EXPECT_HEAD"]] if os.environ.get("EXPECT_HEAD") else []
for name, args in (("verify_audit_chain", head), ("verify_numbering", []),
                   ("reconcile_inventory", [])):
    try:
        call_command(name, *args)
        out[name] = "clean"
    except CommandError as e:
        out[name] = f"FAILED: {e}"
from django.db import connection
from apps.audit.triggers import guard_problems
problems = list(guard_problems(connection))
out["append_only_triggers"] = "clean" if not problems else f"FAILED: {problems}"
try:
    call_command("check_media")
    out["check_media"] = "clean"
except CommandError as e:
    out["check_media"] = f"FAILED: {e}"
from apps.deliveries.models import DeliveryAttachment
acks = [json.loads(line) for line in open(os.environ["ACKS"])]
def found(model, field, values):
    return {str(v) for v in model.objects.filter(**{f"{field}__in": values}).values_list(field, flat=True)}
keys = found(IdempotencyRecord, "key", [a["key"] for a in acks if a["kind"] != "attachment"])
dists = found(DistributionHeader, "number", [a["number"] for a in acks if a["number"]])
invs = found(Invoice, "number", [a["invoice"] for a in acks if a["invoice"]])
dels = {int(pk) for pk in found(Delivery, "pk", [a["id"] for a in acks if a["kind"] == "delivery"])}
uploaded = set(DeliveryAttachment.objects.filter(
    uploaded_at__isnull=False, delivery_id__in=[a["id"] for a in acks if a["kind"] == "attachment"]
).values_list("delivery_id", flat=True))
from apps.finance.models import EmailLog
logs = {int(pk) for pk in found(EmailLog, "pk", [a["id"] for a in acks if a["kind"] == "email"])}
def present(a):
    if a["kind"] == "attachment":
        return a["id"] in uploaded
    if a["kind"] == "email":  # the failure drill's invoice e-mails: the log row queued
        return a["key"] in keys and a["id"] in logs
    return a["key"] in keys and (a["kind"] == "delivery" and a["invoice"] in invs and a["id"] in dels
                                 or a["kind"] == "distribution" and a["number"] in dists)
out["present"] = [a["key"] for a in acks if present(a)]
out["counts"] = {"distribution": DistributionHeader.objects.count(), "delivery": Delivery.objects.count()}
out["media_files"] = {"invoice_pdfs": Invoice.objects.exclude(pdf="").count(),
                      "images": DeliveryAttachment.objects.filter(uploaded_at__isnull=False).count()}
print("CHECKS " + json.dumps(out))
"""


# --- PostgreSQL ------------------------------------------------------------------
def pg_bindir() -> Path | None:
    """PG_BINDIR, else the newest /usr/lib/postgresql/*/bin with initdb (Debian's layout)."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def pg_binary(name: str) -> str:
    bindir = pg_bindir()
    if not bindir or not (bindir / name).exists():
        raise SystemExit(f"restore-drill: PostgreSQL's {name} is missing (apt-get install postgresql)")
    return str(bindir / name)


def pg_as_user() -> dict:
    """initdb and postgres refuse to run as root: as root they run as the `postgres` account."""
    return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}


class Postgres:
    """One own PostgreSQL cluster: its data dir, log and socket under ``root`` (owned
    by the account it runs as), 127.0.0.1 only."""

    def __init__(self, root: Path, name: str):
        self.root, self.name = root, name
        self.dir = root / name
        self.log = root / f"{name}.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def run(self, *args: str, timeout: int = 300, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=self.root, capture_output=True, text=True, timeout=timeout, **pg_as_user(),
                              **kwargs)  # fmt: skip

    def initdb(self) -> None:
        done = self.run(pg_binary("initdb"), "-D", str(self.dir), "-U", "postgres", "-E", "UTF8", "--locale=C",
                        "--auth-local=trust", "--auth-host=scram-sha-256")  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")

    def start(self, *settings: str) -> None:
        conf = [f"port={self.port}", "listen_addresses=127.0.0.1", f"unix_socket_directories={self.root}", *settings]
        self.proc = subprocess.Popen(
            [pg_binary("postgres"), "-D", str(self.dir), *(a for c in conf for a in ("-c", c))], cwd=self.root,
            stdout=open(self.log, "a"), stderr=subprocess.STDOUT, start_new_session=True, **pg_as_user(),  # noqa: SIM115
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres {self.name} exited ({self.log})")
            if self.query("SELECT 1", check=False) == "1":
                return
            time.sleep(0.2)
        raise RuntimeError(f"postgres {self.name} did not come up in 300 s ({self.log})")

    def psql(self, *args: str, db: str = "postgres") -> list[str]:
        return [pg_binary("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.root), "-p",
                str(self.port), "-U", "postgres", "-d", db, *args]  # fmt: skip

    def query(self, statement: str, db: str = "postgres", check: bool = True) -> str:
        done = subprocess.run(self.psql("-c", statement, db=db), capture_output=True, text=True, timeout=120)
        if check and done.returncode:
            raise RuntimeError(f"{self.name}: {statement[:80]}: {done.stderr.strip()}")
        return done.stdout.strip()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class PostgresDrill(Drill):
    """The same drill on PostgreSQL: a base backup (pg_basebackup) during the load
    plus the WAL archive (archive_mode=on), damage, then the base backup recovered
    from the archive up to just before the damaging transaction
    (recovery_target_xid, not inclusive; the transaction found by reading the WAL
    with pg_waldump: the first one deleting from pg_trigger, which both DROP
    TRIGGER and DROP TABLE of a guarded table do)."""

    server_name = "PostgreSQL cluster from the base backup + WAL archive"

    def make_servers(self) -> None:
        self.pg_root = self.work / "pg"
        self.pg_root.mkdir()
        self.archive = self.pg_root / "wal-archive"
        self.archive.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.pg_root, "postgres", "postgres")
            shutil.chown(self.archive, "postgres", "postgres")
        self.primary = Postgres(self.pg_root, "primary")
        self.restored = Postgres(self.pg_root, "restored")

    def databases(self) -> list:
        return [self.restored, self.primary]

    def db_url(self, db) -> str:
        return f"postgres://lpg:{self.password}@127.0.0.1:{db.port}/{DB}"

    def bring_up(self) -> None:
        say(f"variant {self.variant}: PostgreSQL ({pg_bindir()}) with WAL archiving under {self.pg_root}")
        self.primary.initdb()
        self.primary.start(
            "wal_level=replica", "archive_mode=on", "max_wal_senders=4",
            f"archive_command=test ! -f {self.archive}/%f && cp %p {self.archive}/%f",
        )  # fmt: skip
        self.primary.query(f"CREATE ROLE lpg LOGIN PASSWORD '{self.password}'")
        self.primary.query(f"CREATE DATABASE {DB} OWNER lpg ENCODING 'UTF8' TEMPLATE template0")
        self.migrate_and_serve()
        self.db_oid = self.primary.query(f"SELECT oid FROM pg_database WHERE datname = '{DB}'")
        self.trigger_filenode = self.primary.query("SELECT pg_relation_filenode('pg_trigger')", db=DB)

    def backup(self) -> None:
        t0 = time.monotonic()
        base = self.pg_root / "base"
        done = self.primary.run(pg_binary("pg_basebackup"), "-h", str(self.pg_root), "-p", str(self.primary.port),
                                "-U", "postgres", "-D", str(base), "-Fp", "-X", "stream", "-c", "fast")  # fmt: skip
        if done.returncode:
            raise RuntimeError("pg_basebackup failed: " + done.stderr[-2000:])
        label = (base / "backup_label").read_text()
        self.base_lsn = re.search(r"START WAL LOCATION: (\S+)", label).group(1)
        size = sum(f.stat().st_size for f in base.rglob("*") if f.is_file())
        self.figures.update(basebackup_s=round(time.monotonic() - t0, 2), basebackup_lsn=self.base_lsn,
                            basebackup_bytes=size)  # fmt: skip
        self.copy_logs()
        self.figures["media_copied_with_dump"] = self.copy_media()

    def copy_logs(self) -> None:
        """The archive is continuous; the segment being written is switched and
        waited for, as an operator does before a restore (pg_switch_wal)."""
        segment = self.primary.query("SELECT pg_walfile_name(pg_switch_wal())")
        deadline = time.monotonic() + 60
        while not (self.archive / segment).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"WAL segment {segment} not archived in 60 s")
            time.sleep(0.1)
        self.figures["wal_archived_segments"] = len(list(self.archive.glob("0*")))

    def damage(self) -> None:
        """A: the superuser drops every append-only trigger and deletes invoices and
        audit rows (foreign keys off: session_replication_role); B: the owner drops
        the ledger. The first damaging statement in its own transaction, which
        reports its id (the cross-check of the one found in the WAL)."""
        triggers = self.primary.query(
            "SELECT format('%I ON %I', t.tgname, c.relname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = 'public' "
            "ORDER BY 1", db=DB,
        ).splitlines()  # fmt: skip
        if self.variant == "A":
            first = f"DROP TRIGGER {triggers[0]};"
            rest = "".join(f"DROP TRIGGER {t};\n" for t in triggers[1:]) + (
                "DELETE FROM billing_invoice WHERE id IN (SELECT id FROM billing_invoice ORDER BY id LIMIT 3);\n"
                "DELETE FROM audit_auditlog WHERE id IN (SELECT id FROM audit_auditlog ORDER BY id DESC LIMIT 5);\n"
            )
            command = self.primary.psql("-f", "-", db=DB)  # as the superuser, over the socket
            env = None
            script = "SET session_replication_role = replica;\n"
        else:
            first, rest, script = "DROP TABLE inventory_stockmove CASCADE;", "", ""
            command = [pg_binary("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                       str(self.primary.port), "-U", "lpg", "-d", DB, "-f", "-"]  # fmt: skip
            env = {**os.environ, "PGPASSWORD": self.password}
        script += f"BEGIN;\n{first}\nSELECT txid_current();\nCOMMIT;\n{rest}"
        for attempt in range(1, 6):
            # DROP TABLE's lock on the ledger and its neighbours can deadlock with a write in
            # flight; PostgreSQL then cancels the DROP (nothing happened): it is run again.
            self.figures["t_damage"] = time.time()
            done = subprocess.run(command, input=script, capture_output=True, text=True, timeout=120, env=env)
            if done.returncode == 0 or "deadlock detected" not in done.stderr or attempt == 5:
                break
            say(f"damage: deadlock with the load, attempt {attempt}: again")
        if done.returncode:
            raise RuntimeError("damage failed: " + done.stderr)
        self.figures["damage_session_xid"] = next(w for w in done.stdout.split() if w.isdigit())
        self.figures["damage"] = first + (
            f" + {len(triggers) - 1} more triggers, 3 invoices, 5 audit rows" if rest else ""
        )

    def find_damage(self) -> str:
        """The first transaction after the base backup that deletes rows of pg_trigger
        in the database, read from the archived WAL."""
        done = self.primary.run(pg_binary("pg_waldump"), "-p", str(self.archive), "-s", self.base_lsn, "-t", "1")
        rel = f"rel 1663/{self.db_oid}/{self.trigger_filenode} "
        for line in done.stdout.splitlines():
            if "desc: DELETE" in line and rel in line:
                return re.search(r"\btx:\s+(\d+)", line).group(1)
        raise RuntimeError("no damaging transaction in the WAL archive: " + done.stderr[-500:])

    def restore_database(self, t0: float) -> None:
        xid = self.find_damage()
        if xid != self.figures["damage_session_xid"]:
            self.failures.append(f"damage xid {xid} in the WAL, {self.figures['damage_session_xid']} "
                                 "by the damaging session")  # fmt: skip
        self.figures["damage_xid"] = xid
        say(f"restore: base backup at {self.base_lsn}, WAL replayed up to transaction {xid} (not included)")
        done = self.restored.run("cp", "-a", str(self.pg_root / "base"), str(self.restored.dir))
        if done.returncode:
            raise RuntimeError("copying the base backup failed: " + done.stderr)
        self.restored.run("touch", str(self.restored.dir / "recovery.signal"), check=True)
        self.figures["load_dump_s"] = round(time.monotonic() - t0, 2)  # the base backup in place
        self.restored.start(
            f"restore_command=cp {self.archive}/%f %p", f"recovery_target_xid={xid}",
            "recovery_target_inclusive=off", "recovery_target_action=promote", "archive_mode=off",
        )  # fmt: skip
        deadline = time.monotonic() + 600
        while self.restored.query("SELECT pg_is_in_recovery()") != "f":
            if time.monotonic() > deadline:
                raise RuntimeError(f"recovery did not finish in 600 s ({self.restored.log})")
            time.sleep(0.2)
        self.figures["replay_s"] = round(time.monotonic() - t0, 2)
        stopped = re.findall(r"recovery stopping [^\n]*", self.restored.log.read_text())
        self.figures["recovery_stopped"] = stopped[-1] if stopped else None
        if not stopped or f"transaction {xid}" not in stopped[-1]:
            self.failures.append(f"recovery did not stop at transaction {xid}: {stopped}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["mariadb", "postgres", "both"], default="mariadb")
    parser.add_argument("--variant", choices=["A", "B", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=30.0, help="load duration per variant")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-docs", type=int, default=5000, help="documents at the most per variant")
    parser.add_argument("--work", default=str(ROOT / "var" / "restore-drill"), help="emptied first")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (datadirs, dump, binlogs)")
    args = parser.parse_args()
    work = Path(args.work).resolve()
    results = []
    dbs = ("mariadb", "postgres") if args.db == "both" else (args.db,)
    runs = [(db, v) for db in dbs for v in (("A", "B") if args.variant == "both" else (args.variant,))]
    for db, variant in runs:
        vwork = work / (f"variant-{variant}" if db == "mariadb" else f"{db}-variant-{variant}")
        shutil.rmtree(vwork, ignore_errors=True)
        vwork.mkdir(parents=True)
        if db == "postgres" and os.geteuid() == 0:
            vwork.chmod(0o755)  # the postgres account reaches its own directory inside
        kind = PostgresDrill if db == "postgres" else Drill
        figures = {"db": db, **kind(vwork, variant, args.seconds, args.clients, args.max_docs).run()}
        results.append(figures)
        (vwork / "figures.json").write_text(json.dumps(figures, indent=2, default=str))
        ok = "PASS" if not figures["failures"] else "FAIL"
        g = figures.get
        say(f"{db} variant {variant}: {ok}: acknowledged {g('acked_total')} ({g('acked_before_damage')} before "
            f"the damage), "
            f"RPO lost {g('rpo_lost')}, RTO {g('rto_s')} s (backup in place {g('load_dump_s')} s, logs replayed "
            f"{g('replay_s')} s, checks {g('checks_s')} s), checks {g('checks')}")  # fmt: skip
        for failure in figures["failures"]:
            say(f"  FAILED: {failure}")
        if not args.keep and not figures["failures"]:
            for d in [*vwork.glob("mariadb-*"), vwork / "pg" / "primary", vwork / "pg" / "restored"]:
                shutil.rmtree(d, ignore_errors=True)
    (work / "figures.json").write_text(json.dumps(results, indent=2, default=str))
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
