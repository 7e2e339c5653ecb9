"""The restore drill (issue 26, scripts/restore_drill.py) at a small size: own
MariaDB primary + replica + a fresh server in a temp dir, a bounded load over
HTTP, a dump from the replica during it, damage (variant A: the owner drops the
append-only triggers and deletes invoices and audit rows; B: DROP TABLE of the
stock ledger), the dump plus binlogs replayed to the GTID before the damage,
then the project's checks (check_media on the media copy too) and the
acknowledged writes (documents and proof-image uploads).

The same on PostgreSQL where its server binaries exist (``/usr/lib/postgresql/*/bin``
or ``PG_BINDIR``): a base backup during the load plus the WAL archive,
recovered up to the transaction before the damage (variants A and B). Skipped, with the reason,
only where there is no PostgreSQL server to run.

Marked ``topology`` (brings its own mariadbd / postgres, like test_topology_prod.py)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.topology


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    for binary in ("mariadbd", "mariadb-install-db", "mariadb-dump", "mariadb-binlog"):
        if not (shutil.which(binary) or os.path.exists(f"/usr/sbin/{binary}")):
            pytest.fail(f"{binary} is not installed: run `scripts/system-deps.sh prod` as root")
    work = tmp_path_factory.mktemp("restore-drill")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
    done = subprocess.run(
        [sys.executable, "scripts/restore_drill.py", "--variant", "both", "--seconds", "8", "--clients", "2",
         "--max-docs", "400", "--work", str(work)],
        cwd=ROOT, env={**env, "PATH": env.get("PATH", "") + ":/usr/sbin"}, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    figures = json.loads((work / "figures.json").read_text()) if (work / "figures.json").exists() else []
    return done, {f["variant"]: f for f in figures}


def _pg_bindir() -> Path | None:
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


@pytest.fixture(scope="module")
def pg_drill():
    bindir = _pg_bindir()
    if bindir is None or not (bindir / "postgres").exists():
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin, PG_BINDIR): apt-get install postgresql")
    # Under var/, not pytest's tmp (mode 700 under /tmp/pytest-of-root): as root the
    # clusters run as the postgres account, which must reach its directory.
    (ROOT / "var").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="restore-drill-pg-test-", dir=ROOT / "var"))
    work.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
    try:
        done = subprocess.run(
            [sys.executable, "scripts/restore_drill.py", "--db", "postgres", "--variant", "both", "--seconds", "6",
             "--clients", "2", "--max-docs", "300", "--work", str(work)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        figures = json.loads((work / "figures.json").read_text()) if (work / "figures.json").exists() else []
        yield done, {f["variant"]: f for f in figures}
    finally:
        if not os.environ.get("KEEP_RESTORE_DRILL"):
            shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("variant", ["A", "B"])
def test_restore_to_just_before_the_damage_loses_no_acknowledged_write(drill, variant):
    done, figures = drill
    assert variant in figures, done.stdout + done.stderr
    f = figures[variant]
    assert f["failures"] == [], done.stdout + done.stderr
    # Writes were acknowledged before the damage, and every one of them is back.
    assert f["acked_before_damage"] > 0
    assert f["rpo_lost"] == 0
    assert f["checks"] == {
        "verify_audit_chain": "clean",
        "verify_numbering": "clean",
        "reconcile_inventory": "clean",
        "append_only_triggers": "clean",
        "check_media": "clean",
    }
    # Proof images were uploaded (acknowledged) and came back with the media copy,
    # with the invoice PDFs rendered during the load (check_media checked both).
    assert f["media_copied_with_dump"] + f["media_copied_after_damage"] > 0
    assert f["restored_media"]["invoice_pdfs"] > 0 and f["restored_media"]["images"] > 0
    # The binlog replay stopped at the GTID before the damaging statement, found in the binlog.
    domain, server, seq = f["damage_gtid"].split("-")
    assert f["restore_to_gtid"] == f"{domain}-{server}-{int(seq) - 1}"
    assert f["damage_gtid"] == f["damage_session_gtid"]
    # The restored system answers and takes writes; RTO measured.
    assert f["write_after_restore"] == 201
    assert 0 < f["rto_s"] < 300
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("variant", ["A", "B"])
def test_postgres_recovery_to_just_before_the_damage_loses_no_acknowledged_write(pg_drill, variant):
    done, figures = pg_drill
    assert variant in figures, done.stdout + done.stderr
    f = figures[variant]
    assert f["failures"] == [], done.stdout + done.stderr
    assert f["db"] == "postgres"
    assert f["acked_before_damage"] > 0
    assert f["rpo_lost"] == 0
    assert f["checks"] == {
        "verify_audit_chain": "clean",
        "verify_numbering": "clean",
        "reconcile_inventory": "clean",
        "append_only_triggers": "clean",
        "check_media": "clean",
    }
    assert f["restored_media"]["invoice_pdfs"] > 0 and f["restored_media"]["images"] > 0
    # Recovery stopped right before the damaging transaction, found in the WAL and
    # reported by the damaging session itself.
    assert f["damage_xid"] == f["damage_session_xid"]
    assert f"before commit of transaction {f['damage_xid']}" in f["recovery_stopped"]
    assert f["write_after_restore"] == 201
    assert 0 < f["rto_s"] < 300
    assert done.returncode == 0, done.stdout + done.stderr
