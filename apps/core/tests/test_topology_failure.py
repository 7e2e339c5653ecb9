"""The failure drill (issue 26, scripts/failure_drill.py) at a small size on
prod-up's topology (own MariaDB primary + replica, own Redis, two gunicorns,
Celery worker and beat, nginx; MEDIA_ROOT on its own tmpfs), with the phone's
outbox behaviour in the load:

  a. one gunicorn killed: nginx serves through the other;
  e. the Celery worker killed mid-render while finance e-mails every invoice:
     every PDF rendered once, every e-mail sent once it is back, as one message
     (a send the kill cut after the mail server took it goes again, with the
     same Message-ID);
  f. the media disk full: uploads answer 507 ``storage_full``, the deliveries
     go on, every upload stored once space is back.

After each: the audit chain, numbering, inventory, triggers and media checks
clean, every acknowledged write present, exactly one document per key.
Marked ``topology``; the tmpfs needs root (CI here runs as root)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.topology

CLEAN = {
    "verify_audit_chain": "clean",
    "verify_numbering": "clean",
    "reconcile_inventory": "clean",
    "append_only_triggers": "clean",
    "check_media": "clean",
}


@pytest.fixture(scope="module")
def drill():
    for binary in ("nginx", "mariadbd", "mariadb-install-db", "redis-server", "mount"):
        if not (shutil.which(binary) or os.path.exists(f"/usr/sbin/{binary}")):
            pytest.fail(f"{binary} is not installed: run `scripts/system-deps.sh prod` as root")
    if os.geteuid() != 0:
        pytest.fail("the failure drill mounts a tmpfs for the media disk: run it as root")
    work = ROOT / "var" / "failure-drill-test"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
    done = subprocess.run(
        [sys.executable, "scripts/failure_drill.py", "--only", "a,e,f", "--seconds", "20", "--clients", "2",
         "--disk-outage", "15", "--media-mb", "128", "--work", str(work)],
        cwd=ROOT, env={**env, "PATH": env.get("PATH", "") + ":/usr/sbin"}, capture_output=True, text=True,
        timeout=1500,
    )  # fmt: skip
    figures = json.loads((work / "figures.json").read_text()) if (work / "figures.json").exists() else {}
    yield done, {s["scenario"]: s for s in figures.get("scenarios", [])}
    if not os.environ.get("KEEP_FAILURE_DRILL"):
        shutil.rmtree(work, ignore_errors=True)


def _exactly_once(f: dict, done) -> None:
    assert f["failures"] == [], done.stdout[-4000:] + done.stderr[-4000:]
    assert f["checks"] == CLEAN
    assert f["lost"] == 0 and f["never_accepted"] == 0 and f["refused_for_good"] == 0
    assert f["duplicates"] == {"distribution": 0, "delivery": 0}
    assert f["documents_added"]["delivery"] == f["keys_acknowledged"]["delivery"] > 0


def test_one_gunicorn_killed_loses_nothing(drill):
    done, scenarios = drill
    assert "a" in scenarios, done.stdout[-4000:] + done.stderr[-4000:]
    f = scenarios["a"]
    _exactly_once(f, done)
    # only what was inside the killed worker failed, as nginx's JSON 502, and was resent
    assert set(f["failed_by_answer"]) <= {"delivery 502 upstream_unavailable", "distribution 502 upstream_unavailable"}


def test_celery_worker_killed_mid_render_renders_and_mails_each_invoice_once(drill):
    done, scenarios = drill
    assert "e" in scenarios, done.stdout[-4000:] + done.stderr[-4000:]
    f = scenarios["e"]
    _exactly_once(f, done)
    assert f["failed"] == 0  # the API never noticed
    assert sum(f["in_flight_at_kill"].values()) > 0  # the worker held renders or e-mails when it died
    assert f["emails_queued"] == f["keys_acknowledged"]["email"] == f["invoices"] > 0
    assert f["invoices_without_pdf"] == 0 and f["pdfs_not_whole"] == 0
    assert f["pdf_files_per_invoice"] == {"1": f["invoices"]}  # rendered once: no second file, no leftover
    assert f["email_logs"] == {"SENT": f["emails_queued"]}
    # each invoice's e-mail is one message (one Message-ID); handed over twice only where
    # the worker died after the mail server took it and before SENT was recorded (SMTP's
    # one window): at most the sends in flight at the kill
    assert f["message_ids_per_invoice"] == {"1": f["emails_queued"]}
    assert set(f["emails_sent_per_invoice"]) <= {"1", "2"}
    assert f["emails_handed_over_twice"] <= f["in_flight_at_kill"].get("apps.finance.tasks.email_send", 0)


def test_media_disk_full_answers_507_keeps_the_deliveries_and_stores_every_upload_after(drill):
    done, scenarios = drill
    assert "f" in scenarios, done.stdout[-4000:] + done.stderr[-4000:]
    f = scenarios["f"]
    _exactly_once(f, done)
    assert f["failed_by_answer"].get("attachment 507 storage_full", 0) > 0  # the disk did fill
    assert set(f["failed_by_answer"]) == {"attachment 507 storage_full"}  # no 500, no failed delivery
    assert f["resent_then_accepted"] > 0  # the outbox's resends went through once space was back
    assert f["keys_acknowledged"]["attachment"] > 0
    assert f["invoices_without_pdf"] == 0 and f["pdfs_not_whole"] == 0
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
