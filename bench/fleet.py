"""Fleet simulation: the evening sync burst on the production topology (issue 25).

N phones, each a driver with a truck, its own registered device key and a
day's signed offline events, all syncing in one burst (every phone starts at
a random moment within --spread seconds) over HTTPS through nginx:

  1. the stack: scripts/prod-up.sh on free ports under --work (own MariaDB
     primary + replica, own Redis; failure_drill.Stack), or with --stack-var
     and --https-port the stack `make prod-up` already runs (left running);
  2. setup, ONE `manage.py shell` step on the stack's database, not N*HTTP
     admin calls: the shared test world (build_world: depots with stock,
     cylinder types, an admin), then per phone a truck, a driver (unusable
     password: the phone holds a token minted here, JWT_ACCESS_MINUTES=240)
     and --customers-per-phone customers, all in one transaction; the
     devices are registered through the sync app's own service
     (apps.sync.services.device_register, what POST /api/devices/ calls:
     same checks, same audit row) because N sign-ins + registrations over
     HTTP would measure the login throttle, not the sync;
  3. before the burst, every event is built and signed (ECDSA P-256 with
     PhoneKey, apps/sync/tests/signing.py): per phone, in this order, a load
     at the depot (distribution.create, COLLECTION), M-3 deliveries
     (delivery.create, payment CASH / PAYNOW / CHEQUE in turn: cash and
     PayNow are paid at the door in the same transaction; each with a proof
     declaration, a drawn signature's SHA-256, recipient and GPS), then the
     returns at the depot (distribution.create, EMPTY_RETURN of the empties,
     FULL_RETURN of the unsold fulls); --events-per-phone M counts these
     signed events. The day-end count is not a sync event type on this
     server (docs/sync.md: distribution.create and delivery.create only), so
     the phone POSTs it online (POST /api/day-end/counts/, Idempotency-Key)
     once its events are in; its lines are what the truck holds by the
     phone's own arithmetic, so a MATCHED count proves the ledger agrees;
  4. the burst: a bounded pool of threads (one per phone up to --threads),
     each phone starting at its offset, one HTTPS keep-alive connection to
     127.0.0.1 (certificate not verified: prod-up's self-signed one):
     POST /api/sync/ in batches of --batch (default the server's
     SYNC_MAX_EVENTS), a batch resent with the same events on a 5xx, a
     connection error or a 429 (the server dedupes by event id), and an
     event answered `internal_error` resent, until every event has a final
     answer (applied / duplicate / refused); then each signature's bytes
     (PUT /api/deliveries/<id>/attachments/<sha256>/, resent until 200/201),
     then the day-end count. Every loop is bounded in count (--max-attempts)
     and in time (--deadline); nothing waits forever;
  5. with --replay (default) every phone sends its whole outbox once more
     after the burst (a phone that never saw the answers): every event must
     answer `duplicate`. Not part of the burst's timings;
  6. figures: time from the first POST /api/sync/ to the last event applied
     (the phone's clock, cross-checked with the server's IdempotencyRecord
     times), from the burst's start to the last upload and count, POST
     /api/sync/ p50 / p99 (whole requests: a batch of 40 events is one
     request), per-event time, events/s, and the server's CPU per applied
     event (utime+stime, children included, of every process in the session
     prod-up started: gunicorn masters + workers, Celery worker + beat,
     mariadbd primary + replica, nginx, Redis; from /proc before and after);
  7. once the gunicorns are idle (a batch nginx gave up on, 504, may still be
     queued there and be applied), exactly-once: verify_numbering, reconcile_inventory, verify_audit_chain
     clean; every event id has one IdempotencyRecord of its driver; the
     documents the fleet's drivers made are exactly the ones those records
     name (a delivery or distribution not named by an event = applied twice;
     an event without its document = lost); one invoice per delivery event,
     no invoice shared; every signature uploaded; one MATCHED day-end count
     per truck; no rejected event.

The generator talks only to 127.0.0.1. Prints the figures, writes
figures.json under --work, appends a section to BENCHMARKS.md (--no-record:
not), exits 1 when a check fails or an event was not applied.

    .venv/bin/python bench/fleet.py --phones 10 --spread 20          # make bench
    .venv/bin/python bench/fleet.py --phones 50 --spread 30
    .venv/bin/python bench/fleet.py --phones 500 --spread 300        # full size
    .venv/bin/python bench/fleet.py --stack-var var --https-port 8443   # against `make prod-up`
"""

import argparse
import http.client
import json
import os
import platform
import random
import resource
import shutil
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from failure_drill import Stack  # noqa: E402
from restore_drill import PY, SIGNATURE, SIGNATURE_SHA  # noqa: E402

from apps.sync.tests.signing import PhoneKey  # noqa: E402  (no Django set-up needed: occurred_at is given)

TICK = os.sysconf("SC_CLK_TCK")
PROCESSES = {  # prod-up's pid files -> the figure they count in
    "web1": "app", "web2": "app", "web3": "app", "worker": "celery", "beat": "celery",
    "mariadb-primary": "db", "mariadb-replica": "db_replica", "nginx": "nginx", "redis": "redis",
}  # fmt: skip
FINAL = ("applied", "duplicate", "rejected")
RETRYABLE_CODES = {"internal_error"}


def say(message: str) -> None:
    print(f"fleet [{time.strftime('%H:%M:%S')}]: {message}", flush=True)


# --- the stack's side: setup and checks, each one `manage.py shell` ---------------

SETUP_SCRIPT = """
import json, os
from datetime import timedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken
from apps.accounts.models import User
from apps.core.testing.world import build_world
from apps.customers.models import Customer
from apps.depots.models import Vehicle
from apps.sync.services import device_register
spec = json.load(open(os.environ["FLEET_IN"]))
tag = spec["tag"]
with transaction.atomic():
    w = build_world(stock=spec["stock"])
    depots = [w.depot, w.depot2]
    vehicles = Vehicle.objects.bulk_create([Vehicle(plate_number=f"F{tag}{i:04d}", home_depot=depots[i % 2])
                                            for i in range(len(spec["jwks"]))])
    customers = Customer.objects.bulk_create([
        Customer(code=f"F{tag}{i:04d}{j:03d}"[:16], name=f"Fleet {i} customer {j} Pte Ltd",
                 site_address=f"Blk {j} Bedok North Street {i}", postal_code="460085", uen=f"20{i:04d}{j:03d}K",
                 latitude="1.332520", longitude="103.938590")
        for i in range(len(spec["jwks"])) for j in range(spec["customers_per_phone"])])
    drivers = []
    for i, v in enumerate(vehicles):
        u = User(email=f"fleet{tag}-{i}@example.com", name=f"Fleet driver {i}", role="driver", vehicle=v,
                 depot=depots[i % 2])
        u.set_unusable_password()
        drivers.append(u)
    drivers = User.objects.bulk_create(drivers)
    phones = []
    k = spec["customers_per_phone"]
    for i, (u, jwk) in enumerate(zip(drivers, spec["jwks"])):
        device = device_register(actor=u, name=f"Fleet phone {i}", public_key_jwk=jwk)
        phones.append({"user": u.pk, "vehicle": u.vehicle_id, "depot": u.depot_id, "device": str(device.pk),
                       "token": str(RefreshToken.for_user(u).access_token),
                       "customers": [c.pk for c in customers[i * k:(i + 1) * k]]})
out = {"phones": phones, "types": [t.pk for t in w.types], "sync_max_events": settings.SYNC_MAX_EVENTS,
       "sync_max_bytes": settings.SYNC_MAX_BYTES, "server_now": timezone.now().isoformat(),
       "local_midnight": timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0).isoformat()}
json.dump(out, open(os.environ["FLEET_OUT"], "w"))
print("SETUP done")
"""

CHECK_SCRIPT = """
import json, os
from collections import Counter
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min
from apps.billing.models import Invoice
from apps.core.models import IdempotencyRecord
from apps.deliveries.models import Delivery, DeliveryAttachment
from apps.distribution.models import DistributionHeader
from apps.orders.models import DayEndCount
from apps.sync.models import RejectedEvent
fleet = json.load(open(os.environ["FLEET_EVENTS"]))
users = fleet["users"]
events = fleet["events"]  # [event id, type, user id, answered applied/duplicate to the phone]
out = {}
for name in ("verify_audit_chain", "verify_numbering", "reconcile_inventory"):
    try:
        call_command(name)
        out[name] = "clean"
    except CommandError as e:
        out[name] = f"FAILED: {e}"
records = {}
ids = [e[0] for e in events]
for start in range(0, len(ids), 2000):
    for key, user, status, body, created in IdempotencyRecord.objects.filter(key__in=ids[start:start + 2000]
            ).values_list("key", "user_id", "status_code", "response_body", "created_at"):
        records[str(key)] = (user, status, body, created)
# lost: the phone was told applied (or duplicate) and the server has no record of it; an event the
# phone never saw answered (the run's deadline) and the server does not hold is still in its outbox
lost = [e[0] for e in events if e[3] and e[0] not in records]
out["not_acknowledged"] = sum(1 for e in events if not e[3])
out["applied_but_not_acknowledged"] = sum(1 for e in events if not e[3] and e[0] in records)
wrong_owner = [e[0] for e in events if e[0] in records and records[e[0]][0] != e[2]]
named = {"delivery.create": [], "distribution.create": []}
for eid, kind, _user, _acked in events:
    if eid in records:
        named[kind].append(records[eid][2].get("id"))
deliveries = list(Delivery.objects.filter(created_by__in=users).values_list("pk", "invoice_id"))
dists = list(DistributionHeader.objects.filter(created_by__in=users).values_list("pk", flat=True))
dpk = Counter(named["delivery.create"])
# the events the server holds: each must have exactly its one document
out["delivery_events"] = sum(1 for e in events if e[1] == "delivery.create" and e[0] in records)
out["distribution_events"] = sum(1 for e in events if e[1] == "distribution.create" and e[0] in records)
out["deliveries"] = len(deliveries)
out["distributions"] = len(dists)
out["events_with_record"] = len(records)
out["lost"] = len(lost) + sum(1 for pk in dpk if pk not in {d for d, _ in deliveries})
out["lost_examples"] = lost[:5]
out["owner_mismatch"] = len(wrong_owner)
# applied twice: a document of the fleet no event names, or one event id naming two documents (impossible:
# the record's key is its primary key), or one document named by two events
out["deliveries_not_named_by_an_event"] = len({d for d, _ in deliveries} - set(dpk))
out["distributions_not_named_by_an_event"] = len(set(dists) - set(named["distribution.create"]))
out["documents_named_twice"] = sum(1 for kind in named for c in Counter(named[kind]).values() if c > 1)
invoices = [inv for _, inv in deliveries]
out["deliveries_without_invoice"] = sum(1 for inv in invoices if inv is None)
out["invoices_shared"] = sum(1 for c in Counter(i for i in invoices if i).values() if c > 1)
out["invoices_of_fleet_customers"] = Invoice.objects.filter(customer__in=fleet["customers"]).count()
att = DeliveryAttachment.objects.filter(delivery__created_by__in=users)
out["attachments"] = att.count()
out["attachments_missing_upload"] = att.filter(uploaded_at__isnull=True).count()
counts = DayEndCount.objects.filter(driver__in=users)
out["day_end_counts"] = counts.count()
out["day_end_counts_by_status"] = dict(Counter(counts.values_list("status", flat=True)))
out["trucks_counted_twice"] = counts.values("vehicle").annotate(n=Count("id")).filter(n__gt=1).count()
rej = RejectedEvent.objects.filter(user__in=users)
out["rejected_events"] = rej.count()
out["rejected_open"] = rej.filter(resolved_at__isnull=True).count()
out["rejected_by_code"] = dict(Counter(rej.values_list("code", flat=True)))
times = [r[3] for r in records.values()]
if times:
    out["server_first_applied"] = min(times).timestamp()
    out["server_last_applied"] = max(times).timestamp()
print("CHECKS " + json.dumps(out, default=str))
"""


def shell(stack_env: dict, script: str, extra: dict, timeout: int) -> str:
    done = subprocess.run([PY, "manage.py", "shell", "-c", script], cwd=ROOT, env={**stack_env, **extra},
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip
    if done.returncode:
        raise RuntimeError("manage.py shell failed: " + done.stderr[-3000:])
    return done.stdout


class RunningStack:
    """A stack `make prod-up` already runs (PROD_VAR ``var``): used as it is, never stopped."""

    def __init__(self, var: Path, https_port: int):
        self.var, self.https_port = var, https_port

    def up(self) -> float:
        if not (self.var / "app.env").exists():
            raise RuntimeError(f"no {self.var / 'app.env'}: run make prod-up first")
        return 0.0

    def down(self) -> None:
        pass

    app_env = Stack.app_env


# --- server CPU from /proc --------------------------------------------------------


def cpu_seconds(var: Path) -> dict[str, float]:
    """CPU seconds (utime+stime+cutime+cstime) of every process in each session prod-up
    started (setsid: session id = the recorded pid), summed by figure."""
    sessions = {}
    for name, figure in PROCESSES.items():
        try:
            sessions[int((var / "run" / f"{name}.pid").read_text())] = figure
        except (OSError, ValueError):
            continue
    totals = dict.fromkeys(set(PROCESSES.values()), 0.0)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()  # noqa: SIM115
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        session = int(fields[3])  # field 6 of stat; fields[0] is field 3 (state)
        if session in sessions:
            utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
            totals[sessions[session]] += (utime + stime + cutime + cstime) / TICK
    return totals


# --- the phones ---------------------------------------------------------------------


class Phone:
    """One phone: its key, its signed outbox, its uploads and its day-end count."""

    def __init__(self, n: int, info: dict, key: PhoneKey, offset: float):
        self.n, self.info, self.key, self.offset = n, info, key, offset
        self.events: list[dict] = []
        self.kinds: dict[str, str] = {}
        self.proof: set[str] = set()  # delivery events that declare the signature
        self.count_lines: list[dict] = []
        self.answers: dict[str, dict] = {}
        self.uploaded: set[int] = set()
        self.count_status: int | str | None = None
        self.started = self.first_post = self.all_final = self.done = None
        self.errors: Counter = Counter()
        self.replay: Counter = Counter()

    def build(self, types: list[int], m: int, start: datetime, end: datetime, rng: random.Random) -> None:
        """The day's events, signed: load, m-3 deliveries, the two returns; the count's lines."""
        info, gas, gas2 = self.info, types[0], types[1]
        deliveries = max(1, m - 3)
        plan = []
        for i in range(deliveries):
            q = 1 + rng.randrange(3)
            extra = 1 if i % 4 == 0 else 0  # a 14 kg cylinder too, kept (no return): a deposit line
            plan.append((q, extra))
        spare = 4
        load = {gas: sum(q for q, _ in plan) + spare, gas2: sum(e for _, e in plan) + spare}
        step = (end - start) / (deliveries + 3)
        when = [start + step * i for i in range(deliveries + 3)]
        depot, vehicle = info["depot"], info["vehicle"]

        def add(kind: str, payload: dict, at: datetime) -> dict:
            event = self.key.event(kind, payload, event_id=str(uuid.uuid4()), occurred_at=at)
            self.events.append(event)
            self.kinds[event["id"]] = kind
            return event

        add("distribution.create", {"vehicle": vehicle, "items": [
            {"depot": depot, "cylinder_type": t, "quantity": q, "movement_type": "COLLECTION"}
            for t, q in load.items()]}, when[0])  # fmt: skip
        methods = ("CASH", "PAYNOW", "CHEQUE")
        customers = info["customers"]
        for i, (q, extra) in enumerate(plan):
            lines = [{"cylinder_type": gas, "delivered_full": q, "returned_empty": q}]
            if extra:
                lines.append({"cylinder_type": gas2, "delivered_full": extra, "returned_empty": 0})
            body = {
                "customer": customers[i % len(customers)], "vehicle": vehicle, "order": None,
                "payment_method": methods[i % 3], "acknowledged_warnings": ["household_hours"], "lines": lines,
                "proof": {"recipient_name": f"Recipient {self.n}-{i}", "signature_sha256": SIGNATURE_SHA,
                          "photo_sha256": [], "latitude": "1.352083", "longitude": "103.819836",
                          "accuracy_m": "12.7"},
            }  # fmt: skip
            if methods[i % 3] == "PAYNOW":
                body["payment_reference"] = f"PN{self.n:04d}{i:03d}"
            self.proof.add(add("delivery.create", body, when[i + 1])["id"])
        empties = sum(q for q, _ in plan)
        add("distribution.create", {"vehicle": vehicle, "items": [
            {"depot": depot, "cylinder_type": gas, "quantity": empties, "movement_type": "EMPTY_RETURN"}]},
            when[-2])  # fmt: skip
        add("distribution.create", {"vehicle": vehicle, "items": [
            {"depot": depot, "cylinder_type": gas, "quantity": 2, "movement_type": "FULL_RETURN"}]},
            when[-1])  # fmt: skip
        # what is left on the truck: fulls of both types, no empties
        self.count_lines = [{"cylinder_type": gas, "full_qty": spare - 2, "empty_qty": 0},
                            {"cylinder_type": gas2, "full_qty": spare, "empty_qty": 0}]  # fmt: skip
        self.count_key = str(uuid.uuid4())


class Fleet:
    def __init__(self, args, stack, work: Path):
        self.args, self.stack, self.work = args, stack, work
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE  # prod-up's self-signed certificate
        self.lock = threading.Lock()
        self.posts: list[tuple] = []  # (t_start, seconds, status, events in the batch, applied in the answer)
        self.puts: list[tuple] = []
        self.counts: list[tuple] = []
        self.failures: list[str] = []
        self.deadline = 0.0

    # -- HTTP ---------------------------------------------------------------------
    def connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.stack.https_port, timeout=self.args.timeout,
                                           context=self.tls)  # fmt: skip

    def request(self, phone: Phone, conn_box: list, method: str, path: str, body: bytes, headers: dict):
        """One request on the phone's keep-alive connection (a new one after any error):
        (status or the exception's name, parsed JSON or None, seconds, when it started)."""
        headers = {"Authorization": f"Bearer {phone.info['token']}", **headers}
        t0 = time.time()
        try:
            if conn_box[0] is None:
                conn_box[0] = self.connect()
            conn_box[0].request(method, path, body, headers)
            response = conn_box[0].getresponse()
            data = response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn_box[0].close()
                conn_box[0] = None
        except (OSError, http.client.HTTPException) as exc:
            if conn_box[0] is not None:
                conn_box[0].close()
            conn_box[0] = None
            return type(exc).__name__, None, time.time() - t0, t0
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return status, parsed, time.time() - t0, t0

    def left(self) -> bool:
        return time.time() < self.deadline

    # -- one phone's evening ----------------------------------------------------------
    def sync(self, phone: Phone, conn_box: list, events: list[dict], record: bool) -> dict[str, dict]:
        """POST in batches until every event has a final answer; bounded by --max-attempts per batch
        and the deadline. Returns the last answer per event id."""
        answers: dict[str, dict] = {}
        batch_size = self.args.batch or self.sync_max_events
        pending = list(events)
        attempts = 0
        while pending and attempts < self.args.max_attempts * max(1, len(events) // batch_size + 1) and self.left():
            batch = pending[:batch_size]
            attempts += 1
            body = json.dumps({"device": phone.info["device"], "events": batch}).encode()
            if record and phone.first_post is None:
                phone.first_post = time.time()
            status, data, seconds, t0 = self.request(phone, conn_box, "POST", "/api/sync/", body,
                                                     {"Content-Type": "application/json"})  # fmt: skip
            if status == 200 and isinstance(data, dict) and isinstance(data.get("results"), list):
                results = {r.get("id"): r for r in data["results"] if isinstance(r, dict)}
                applied = 0
                retry = []
                for event in batch:
                    r = results.get(event["id"])
                    if r is None or r.get("status") not in FINAL or r.get("code") in RETRYABLE_CODES:
                        retry.append(event)
                        phone.errors[f"event {r.get('code') if r else 'missing'}"] += 1
                    else:
                        answers[event["id"]] = r
                        applied += r.get("status") == "applied"
                if record:
                    with self.lock:
                        self.posts.append((t0, seconds, status, len(batch), applied))
                pending = retry + pending[len(batch) :]
                continue
            if record:
                with self.lock:
                    self.posts.append((t0, seconds, status, len(batch), 0))
            phone.errors[f"POST {status}"] += 1
            if refused_for_good(status):
                break  # refused for good (would be shown to the driver): counted, not resent
            backoff(attempts)
        return answers

    def upload(self, phone: Phone, conn_box: list, delivery_id: int) -> None:
        for attempt in range(self.args.max_attempts):
            if not self.left():
                return
            status, _data, seconds, t0 = self.request(
                phone, conn_box, "PUT", f"/api/deliveries/{delivery_id}/attachments/{SIGNATURE_SHA}/", SIGNATURE,
                {"Content-Type": "image/png"},
            )  # fmt: skip
            with self.lock:
                self.puts.append((t0, seconds, status))
            if status in (200, 201):
                phone.uploaded.add(delivery_id)
                return
            phone.errors[f"PUT {status}"] += 1
            if refused_for_good(status):
                return
            backoff(attempt + 1)

    def day_end(self, phone: Phone, conn_box: list) -> None:
        body = json.dumps({"lines": phone.count_lines, "note": "fleet simulation"}).encode()
        for attempt in range(self.args.max_attempts):
            if not self.left():
                return
            status, data, seconds, t0 = self.request(
                phone, conn_box, "POST", "/api/day-end/counts/", body,
                {"Content-Type": "application/json", "Idempotency-Key": phone.count_key},
            )  # fmt: skip
            with self.lock:
                self.counts.append((t0, seconds, status))
            phone.count_status = status
            if status in (200, 201):
                phone.count_result = (data or {}).get("status")
                return
            phone.errors[f"count {status} {(data or {}).get('code', '')}"] += 1
            if refused_for_good(status):
                return
            backoff(attempt + 1)

    def evening(self, phone: Phone, t_burst: float) -> None:
        wait = t_burst + phone.offset - time.time()
        if wait > 0:
            time.sleep(wait)
        phone.started = time.time()
        conn_box: list = [None]
        try:
            phone.answers = self.sync(phone, conn_box, phone.events, record=True)
            phone.all_final = time.time() if len(phone.answers) == len(phone.events) else None
            for eid in sorted(phone.proof):
                answer = phone.answers.get(eid)
                if answer and answer.get("status") in ("applied", "duplicate"):
                    self.upload(phone, conn_box, answer["result"]["id"])
            self.day_end(phone, conn_box)
            phone.done = time.time()
        finally:
            if conn_box[0] is not None:
                conn_box[0].close()

    def run_phones(self, phones: list[Phone], work, t_burst: float) -> None:
        """A bounded pool: --threads workers take the phones in start order."""
        queue = sorted(phones, key=lambda p: p.offset)
        lock = threading.Lock()

        def worker() -> None:
            while self.left():
                with lock:
                    if not queue:
                        return
                    phone = queue.pop(0)
                try:
                    work(phone, t_burst)
                except Exception as exc:  # noqa: BLE001 - one phone's bug is a failure, reported
                    phone.errors[f"exception {type(exc).__name__}: {exc}"] += 1

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(min(self.args.threads, len(phones)))]
        for t in threads:
            t.start()
        until = max(self.deadline, time.time()) + self.args.timeout + 5  # a request in flight ends by then
        for t in threads:
            t.join(timeout=max(0.1, until - time.time()))

    def replay(self, phone: Phone, _t: float) -> None:
        conn_box: list = [None]
        try:
            answers = self.sync(phone, conn_box, phone.events, record=False)
            phone.replay = Counter(a.get("status") for a in answers.values())
            phone.replay["no final answer"] = len(phone.events) - len(answers)
        finally:
            if conn_box[0] is not None:
                conn_box[0].close()

    # -- the whole run ----------------------------------------------------------------
    def run(self) -> dict:
        a = self.args
        fig: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "phones": a.phones,
                     "events_per_phone": a.events_per_phone, "spread_s": a.spread, "seed": a.seed}  # fmt: skip
        self.fig = fig
        say(f"prod-up under {self.stack.var}")
        fig["prod_up_s"] = round(self.stack.up(), 1)
        env = self.stack.app_env()
        rng = random.Random(a.seed)
        keys = [PhoneKey() for _ in range(a.phones)]
        t0 = time.monotonic()
        spec = {"tag": uuid.uuid4().hex[:4].upper(), "stock": 10**7, "customers_per_phone": a.customers_per_phone,
                "jwks": [k.jwk for k in keys]}  # fmt: skip
        (self.work / "fleet-in.json").write_text(json.dumps(spec))
        shell(env, SETUP_SCRIPT, {"FLEET_IN": str(self.work / "fleet-in.json"),
              "FLEET_OUT": str(self.work / "fleet-out.json"), "JWT_ACCESS_MINUTES": "240"}, 1800)  # fmt: skip
        world = json.loads((self.work / "fleet-out.json").read_text())
        fig["setup_s"] = round(time.monotonic() - t0, 1)
        self.sync_max_events = world["sync_max_events"]
        say(f"setup: {a.phones} drivers, trucks, devices, {a.phones * a.customers_per_phone} customers in "
            f"{fig['setup_s']} s; SYNC_MAX_EVENTS {self.sync_max_events}")  # fmt: skip

        # the day: from 07:00 local (or 10 h ago, the later) to a minute ago; all signed now
        now = datetime.fromisoformat(world["server_now"])
        start = max(datetime.fromisoformat(world["local_midnight"]) + timedelta(hours=7), now - timedelta(hours=10))
        start = min(start, now - timedelta(minutes=30))
        end = now - timedelta(minutes=1)
        t0 = time.monotonic()
        phones = [Phone(i, info, keys[i], rng.uniform(0, a.spread)) for i, info in enumerate(world["phones"])]
        for p in phones:
            p.build(world["types"], a.events_per_phone, start, end, rng)
        fig["sign_s"] = round(time.monotonic() - t0, 1)
        total = sum(len(p.events) for p in phones)
        fig["events"] = total
        say(f"{total} events built and signed in {fig['sign_s']} s (before the burst)")

        time.sleep(2)  # let the setup's audit rows be sealed before the CPU window opens
        cpu0, self_cpu0 = cpu_seconds(self.stack.var), resource.getrusage(resource.RUSAGE_SELF)
        t_burst = time.time()
        self.deadline = t_burst + a.spread + a.deadline
        say(f"burst: {a.phones} phones within {a.spread:g} s (deadline {a.spread + a.deadline:g} s)")
        self.run_phones(phones, self.evening, t_burst)
        t_end = time.time()
        cpu1, self_cpu1 = cpu_seconds(self.stack.var), resource.getrusage(resource.RUSAGE_SELF)

        if a.replay:
            self.deadline = time.time() + a.deadline
            t0 = time.monotonic()
            say("replay: every phone sends its outbox again")
            self.run_phones(phones, self.replay, time.time())
            fig["replay_s"] = round(time.monotonic() - t0, 1)
            fig["replay_answers"] = dict(sum((p.replay for p in phones), Counter()))

        # figures
        applied_at = []
        for t_start, seconds, _status, _n, applied in self.posts:
            if applied:
                applied_at.append(t_start + seconds)
        first_post = min((p.first_post for p in phones if p.first_post), default=None)
        statuses = Counter(a_.get("status") for p in phones for a_ in p.answers.values())
        codes = Counter(a_.get("code") for p in phones for a_ in p.answers.values() if a_.get("code"))
        ok_posts = sorted(s for _t, s, st, _n, _a in self.posts if st == 200)
        per_event = sorted(s / n for _t, s, st, n, _a in self.posts if st == 200 and n)
        puts = sorted(s for _t, s, st in self.puts if st in (200, 201))
        last_applied = max(applied_at, default=None)
        fig.update(
            applied=statuses.get("applied", 0), duplicate_in_burst=statuses.get("duplicate", 0),
            refused=statuses.get("rejected", 0), refused_codes=dict(codes),
            no_final_answer=total - sum(statuses.values()),
            first_post_after_burst_s=round(first_post - t_burst, 2) if first_post else None,
            first_post_to_last_applied_s=round(last_applied - first_post, 1) if last_applied and first_post else None,
            burst_start_to_last_applied_s=round(last_applied - t_burst, 1) if last_applied else None,
            burst_start_to_all_done_s=round(max((p.done or 0) for p in phones) - t_burst, 1),
            last_phone_start_s=round(max(p.started or 0 for p in phones) - t_burst, 1),
            late_starts=sum(1 for p in phones if p.started and p.started - t_burst - p.offset > 2),
            posts=len(self.posts), posts_ok=len(ok_posts),
            post_answers=dict(Counter(str(st) for _t, _s, st, _n, _a in self.posts)),
            post_p50_s=pct(ok_posts, 50), post_p99_s=pct(ok_posts, 99), post_max_s=pct(ok_posts, 100),
            post_per_event_p50_s=pct(per_event, 50), post_per_event_p99_s=pct(per_event, 99),
            puts=len(self.puts), puts_ok=len(puts), put_p50_s=pct(puts, 50), put_p99_s=pct(puts, 99),
            put_answers=dict(Counter(str(st) for _t, _s, st in self.puts)),
            counts_answers=dict(Counter(str(st) for _t, _s, st in self.counts)),
            phone_errors=dict(sum((p.errors for p in phones), Counter())),
            window_s=round(t_end - t_burst, 1),
        )  # fmt: skip
        if last_applied and first_post:
            fig["events_per_s"] = round(fig["applied"] / max(0.001, last_applied - first_post), 1)
        cpu = {k: round(cpu1[k] - cpu0[k], 1) for k in cpu0}
        fig["cpu_s"] = cpu
        applied = max(1, fig["applied"])
        fig["cpu_ms_per_event"] = {k: round(v * 1000 / applied, 1) for k, v in cpu.items()}
        fig["cpu_ms_per_event"]["server_total"] = round(sum(cpu.values()) * 1000 / applied, 1)
        gen = (self_cpu1.ru_utime - self_cpu0.ru_utime) + (self_cpu1.ru_stime - self_cpu0.ru_stime)
        fig["generator_cpu_s"] = round(gen, 1)

        events_file = self.work / "fleet-events.json"
        events_file.write_text(json.dumps({
            "users": [p.info["user"] for p in phones],
            "customers": [c for p in phones for c in p.info["customers"]],
            "events": [[e["id"], e["type"], p.info["user"], e["id"] in p.answers
                        and p.answers[e["id"]].get("status") in ("applied", "duplicate")]
                       for p in phones for e in p.events]}))  # fmt: skip
        fig["server_busy_after_generator_s"] = self.quiesce()
        say("checks: verify_audit_chain, verify_numbering, reconcile_inventory, exactly-once")
        time.sleep(3)  # the beat seals every second
        (self.work / "figures.json").write_text(json.dumps(fig, indent=2, default=str))  # kept if the checks fail
        checks = None
        for attempt in range(3):
            out = shell(env, CHECK_SCRIPT, {"FLEET_EVENTS": str(events_file)}, 1800)
            checks = json.loads(out.split("CHECKS ", 1)[1])
            if checks["verify_audit_chain"] == "clean" or attempt == 2:
                break
            say(f"verify_audit_chain: {checks['verify_audit_chain'][:200]}: again in 10 s (sealing)")
            time.sleep(10)
        fig["checks"] = checks
        if checks.get("server_last_applied") and first_post:
            fig["server_first_post_to_last_applied_s"] = round(checks["server_last_applied"] - first_post, 1)
        self.judge(fig, phones)
        return fig

    def quiesce(self, seconds: float = 600.0) -> float:
        """Wait (bounded) until the gunicorns are idle: requests the generator gave up on (a 504 at
        nginx) may still be queued there and applied. The checks must not run beside them."""
        t0 = time.monotonic()
        idle, last = 0, cpu_seconds(self.stack.var)["app"]
        while time.monotonic() - t0 < seconds and idle < 3:
            time.sleep(2)
            now = cpu_seconds(self.stack.var)["app"]
            idle = idle + 1 if now - last < 0.3 else 0
            last = now
        return round(time.monotonic() - t0 - 6, 1)

    def judge(self, fig: dict, phones: list[Phone]) -> None:
        c, f = fig["checks"], self.failures
        for name in ("verify_audit_chain", "verify_numbering", "reconcile_inventory"):
            if c[name] != "clean":
                f.append(f"{name}: {c[name]}")
        if fig["applied"] != fig["events"]:
            f.append(f"{fig['events'] - fig['applied']} event(s) not applied in the burst (refused "
                     f"{fig['refused']} {fig['refused_codes']}, no final answer {fig['no_final_answer']})")  # fmt: skip
        if c["lost"]:
            f.append(f"{c['lost']} event(s) lost (acknowledged, no record or no document), e.g. {c['lost_examples']}")
        for key in ("owner_mismatch", "deliveries_not_named_by_an_event", "distributions_not_named_by_an_event",
                    "documents_named_twice", "deliveries_without_invoice", "invoices_shared",
                    "attachments_missing_upload", "trucks_counted_twice", "rejected_open"):  # fmt: skip
            if c[key]:
                f.append(f"{key}: {c[key]}")
        if c["deliveries"] != c["delivery_events"] or c["distributions"] != c["distribution_events"]:
            f.append(f"documents != events: {c['deliveries']} deliveries for {c['delivery_events']} events, "
                     f"{c['distributions']} distributions for {c['distribution_events']}")  # fmt: skip
        if c["invoices_of_fleet_customers"] != c["delivery_events"]:
            f.append(f"{c['invoices_of_fleet_customers']} invoices for {c['delivery_events']} delivery events")
        if c["day_end_counts"] != len(phones) or c["day_end_counts_by_status"] != {"MATCHED": len(phones)}:
            f.append(f"day-end counts: {c['day_end_counts']} for {len(phones)} trucks, {c['day_end_counts_by_status']}")
        replay = fig.get("replay_answers")
        if replay is not None and {k for k, v in replay.items() if v} != {"duplicate"}:
            f.append(f"replay: not every event answered duplicate: {replay}")
        fig["failures"] = f


def refused_for_good(status) -> bool:
    """A 4xx other than a timeout (408) or a throttle (429): sending it again changes nothing."""
    return isinstance(status, int) and 400 <= status < 500 and status not in (408, 429)


def backoff(attempt: int) -> None:
    """The outbox's pause before sending again: 0.5 s more per attempt up to 5 s, with jitter
    (a whole fleet retrying in step would hammer a server that is coming back)."""
    time.sleep(min(5.0, 0.5 * attempt) * random.uniform(0.5, 1.5))


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))], 3)


def record(fig: dict, args) -> None:
    c = fig["checks"]
    cpu = fig["cpu_ms_per_event"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ok = lambda v: "0" if not v else f"**{v}**"  # noqa: E731
    lines = [
        f"### {stamp} — fleet sync burst: {fig['phones']} phones x {fig['events'] // fig['phones']} events "
        f"({fig['events']}), spread {fig['spread_s']:g} s — MariaDB, production topology",
        f"Machine: {platform.node() or 'vm'}, {os.cpu_count()} cores, Python {platform.python_version()}; load "
        f"average {os.getloadavg()[0]:.1f} after the run. `bench/fleet.py --phones {fig['phones']} "
        f"--events-per-phone {args.events_per_phone} --spread {fig['spread_s']:g}`: prod-up's stack (nginx TLS, "
        f"gunicorn 2 x 2 sync workers, MariaDB primary + replica, Redis, Celery worker + beat) and the generator "
        f"on the same machine. Per phone: a load, {args.events_per_phone - 3} deliveries (each with a signature "
        f"declared, uploaded after), two returns, in batches of {args.batch or fig.get('batch')} events; then the "
        f"uploads and the day-end count (online). Code: {code_state()}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| events applied / sent | {fig['applied']} / {fig['events']} (no answer by the deadline: "
        f"{c['not_acknowledged']}) |",
        f"| first POST /api/sync/ -> last event applied | {fig['first_post_to_last_applied_s']} s (server's "
        f"clock: {fig.get('server_first_post_to_last_applied_s')} s) |",
        f"| burst start -> last event applied | {fig['burst_start_to_last_applied_s']} s (last phone started at "
        f"{fig['last_phone_start_s']} s) |",
        f"| burst start -> last upload and day-end count | {fig['burst_start_to_all_done_s']} s |",
        f"| events/s (first POST to last applied) | {fig.get('events_per_s')} |",
        f"| POST /api/sync/ p50 / p99 / max (whole batch) | {fig['post_p50_s']} / {fig['post_p99_s']} / "
        f"{fig['post_max_s']} s ({fig['posts']} requests: {fig['post_answers']}) |",
        f"| per event in a batch p50 / p99 | {ms(fig['post_per_event_p50_s'])} / {ms(fig['post_per_event_p99_s'])} |",
        f"| PUT signature p50 / p99 | {fig['put_p50_s']} / {fig['put_p99_s']} s ({fig['puts']} requests: "
        f"{fig['put_answers']}) |",
        f"| server CPU per applied event, total | {cpu['server_total']} ms |",
        f"| of it: gunicorn (app) / MariaDB primary / replica | {cpu['app']} / {cpu['db']} / {cpu['db_replica']} ms |",
        f"| of it: Celery (invoice PDFs) / nginx / Redis | {cpu['celery']} / {cpu['nginx']} / {cpu['redis']} ms |",
        f"| generator's own CPU (signing before the burst not included) | {fig['generator_cpu_s']} s |",
        f"| checks: verify_audit_chain, verify_numbering, reconcile_inventory | {c['verify_audit_chain']}, "
        f"{c['verify_numbering']}, {c['reconcile_inventory']} |",
        f"| lost / applied twice (documents no event names) | {ok(c['lost'])} / "
        f"{ok(c['deliveries_not_named_by_an_event'] + c['distributions_not_named_by_an_event'])} |",
        f"| deliveries / invoices / without invoice / shared | {c['deliveries']} / "
        f"{c['invoices_of_fleet_customers']} / {ok(c['deliveries_without_invoice'])} / {ok(c['invoices_shared'])} |",
        f"| signatures uploaded / missing | {c['attachments'] - c['attachments_missing_upload']} / "
        f"{ok(c['attachments_missing_upload'])} |",
        f"| day-end counts | {c['day_end_counts_by_status']} |",
        f"| replay of every outbox (all must be duplicate) | {fig.get('replay_answers')} in {fig.get('replay_s')} s |",
        f"| rejected events | {ok(c['rejected_events'])} {c['rejected_by_code'] or ''} |",
        "",
        f"Exactly-once and the checks: {'PASS' if not fig['failures'] else 'FAIL: ' + '; '.join(fig['failures'])}. "
        f"Issue 25's targets: {targets(fig)}.",
        "",
    ]  # fmt: skip
    text = "\n".join(lines)
    print(text)
    bench = ROOT / "BENCHMARKS.md"
    heading = "## Fleet sync burst (bench/fleet.py, production topology)"
    with open(bench, "a") as fh:
        if heading not in bench.read_text():
            fh.write(f"\n{heading}\n")
        fh.write("\n" + text)


def code_state() -> str:
    """The commit the stack ran, and whether the server's code had uncommitted changes."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "apps", "config"], capture_output=True, text=True)
    return f"commit {head or '?'}" + (" plus uncommitted changes under apps/ or config/" if dirty.stdout else "")


def targets(fig: dict) -> str:
    """50 phones x ~40 events applied within 1 minute of the burst's start; 500 x 40 within 10 minutes
    with POST /api/sync/ p99 under 1 s; zero lost, zero applied twice."""
    limit = 60 if fig["phones"] <= 50 else 600
    last = fig.get("burst_start_to_last_applied_s")
    done = fig["applied"] == fig["events"] and last is not None and last <= limit
    said = [f"every event applied within {limit} s of the burst's start: {'met' if done else 'NOT met'} ({last} s)"]
    if fig["phones"] > 50:
        p99 = fig.get("post_p99_s")
        said.append(f"POST p99 under 1 s: {'met' if p99 is not None and p99 < 1 else 'NOT met'} ({p99} s)")
    return "; ".join(said)


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=10)
    parser.add_argument("--events-per-phone", type=int, default=40, help="load, M-3 deliveries, 2 returns")
    parser.add_argument("--spread", type=float, default=None, help="seconds; default 5 min at 100+ phones, else 20")
    parser.add_argument("--customers-per-phone", type=int, default=35)
    parser.add_argument("--batch", type=int, default=0, help="events per POST (default the server's SYNC_MAX_EVENTS)")
    parser.add_argument("--threads", type=int, default=600, help="the generator's pool (one phone per thread)")
    parser.add_argument("--timeout", type=float, default=130.0, help="seconds per request")
    parser.add_argument("--max-attempts", type=int, default=200, help="per batch, upload and count")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds after the last start; then it stops")
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--no-replay", dest="replay", action="store_false")
    parser.add_argument("--no-record", dest="record", action="store_false", help="do not append to BENCHMARKS.md")
    parser.add_argument("--work", default=str(ROOT / "var" / "fleet"), help="emptied first")
    parser.add_argument("--stack-var", help="use the stack make prod-up runs with this PROD_VAR (not stopped)")
    parser.add_argument("--https-port", type=int, default=8443, help="with --stack-var")
    parser.add_argument("--keep", action="store_true", help="leave the own stack running (prod-down.sh to stop)")
    args = parser.parse_args()
    if args.spread is None:
        args.spread = 300.0 if args.phones >= 100 else 20.0
    if args.events_per_phone < 4 or args.phones < 1:
        parser.error("at least one phone and 4 events per phone")
    if not args.stack_var:
        missing = [b for b in ("nginx", "mariadbd", "redis-server") if not (shutil.which(b) or
                   os.path.exists(f"/usr/sbin/{b}"))]  # fmt: skip
        if missing:
            say(f"skipped: {', '.join(missing)} missing (scripts/system-deps.sh prod)")
            return 0
    work = Path(args.work).resolve()
    if args.stack_var:
        stack = RunningStack(Path(args.stack_var).resolve(), args.https_port)
        work.mkdir(parents=True, exist_ok=True)
    else:
        if work.exists():
            subprocess.run(["scripts/prod-down.sh"], cwd=ROOT, env={**os.environ, "PROD_VAR": str(work / "stack")},
                           capture_output=True, timeout=300)  # fmt: skip
            shutil.rmtree(work)
        work.mkdir(parents=True)
        stack = Stack(work / "stack")
    fleet = Fleet(args, stack, work)
    try:
        fig = fleet.run()
    except Exception as exc:  # noqa: BLE001 - reported as a failed run
        fig = {**getattr(fleet, "fig", {}), "failures": [f"{type(exc).__name__}: {exc}"]}  # what was measured
    finally:
        if not args.keep:
            stack.down()
    fig["batch"] = args.batch or getattr(fleet, "sync_max_events", None)
    (work / "figures.json").write_text(json.dumps(fig, indent=2, default=str))
    say(json.dumps({k: v for k, v in fig.items() if k != "checks"}, default=str))
    if "checks" in fig:
        say("checks " + json.dumps(fig["checks"], default=str))
        if args.record:
            record(fig, args)
    for failure in fig["failures"]:
        say(f"FAILED: {failure}")
    say(f"{'PASS' if not fig['failures'] else 'FAIL'}: figures in {work / 'figures.json'}")
    return 1 if fig["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
