"""Tamper evidence that survives the database owner (issue 17), on whichever
database the suite runs against:

- no escape hatch: the old ``@lpg_flush`` session variable (MySQL), a
  ``lpg.flush`` setting (PostgreSQL) or the flush marker row (SQLite) let
  nothing through; without the test-only setting even ``flush`` is refused;
- the chain head moves forward only, is HMAC-signed with a key outside the
  database and published after commit;
- the project's own commands detect what an owner who drops the triggers can
  still do: tail deleted and head rewound, log and head truncated, chain
  re-hashed, invoices truncated, numbers deleted or counters moved."""

import logging
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from apps.audit import triggers
from apps.audit.chain import head_hmac, head_signature_ok, row_hash, verify_chain
from apps.audit.enums import AuditAction
from apps.audit.models import AuditChainHead, AuditLog
from apps.audit.numbering import verify_numbering
from apps.audit.sealer import seal_pending
from apps.audit.services import audit_record
from apps.inventory.enums import StockDocumentKind
from apps.inventory.services import stock_document_create

ROOT = Path(__file__).resolve().parents[3]
VENDOR = connection.vendor


def raw(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(sql: str, params=()) -> None:
    with pytest.raises(DatabaseError) as info, transaction.atomic():
        raw(sql, params)
    assert re.search(r"append-only|forward only", str(info.value)), info.value


def kinds(report) -> list[str]:
    return [p.kind for p in report.problems]


@pytest.fixture
def owner(transactional_db):
    """The database owner: may drop triggers (DDL). Everything is put back after the test."""

    def unguard(*guards):
        for guard in guards:
            triggers.drop(connection, guard)

    yield unguard
    triggers.ensure_installed(connection)


def receipt(world, quantity: int = 7):
    return stock_document_create(
        actor=world.users["supervisor"], kind=StockDocumentKind.RECEIPT, depot=world.depot, reason="plant",
        lines=[{"cylinder_type": world.types[1], "quantity": quantity}],
    )  # fmt: skip


def head() -> AuditChainHead:
    return AuditChainHead.objects.get(pk=1)


# -- no escape hatch --------------------------------------------------------------


@pytest.mark.django_db
def test_the_old_escape_hatches_let_nothing_through(world):
    from apps.billing.tests.helpers import deliver, load_vehicle

    load_vehicle(world, quantity=7)
    invoice = deliver(world).invoice
    row = audit_record(action=AuditAction.LOGOUT)
    if VENDOR == "mysql":
        raw("SET @lpg_flush = 1")
    elif VENDOR == "postgresql":
        raw("SET lpg.flush = '1'")
    else:
        raw(f"CREATE TABLE IF NOT EXISTS {triggers.MARKER_TABLE} (id integer PRIMARY KEY)")
        raw(f"INSERT INTO {triggers.MARKER_TABLE} (id) VALUES (1)")  # noqa: S608
    try:
        refused("DELETE FROM audit_auditlog WHERE id = %s", [row.pk])
        refused("DELETE FROM audit_auditlog")
        refused("DELETE FROM inventory_stockmove")
        refused("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk])
        refused("DELETE FROM audit_auditchainhead")
        if VENDOR == "postgresql":  # TRUNCATE fires no row trigger: a statement trigger refuses it
            raw("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks, which would refuse TRUNCATE by themselves
            refused("TRUNCATE audit_auditlog")
            refused("TRUNCATE audit_auditchainhead")
            refused("TRUNCATE inventory_stockmove CASCADE")
            refused("TRUNCATE billing_invoice CASCADE")
    finally:
        if VENDOR == "mysql":
            raw("SET @lpg_flush = NULL")
    assert AuditLog.objects.filter(pk=row.pk).exists()
    assert triggers.guard_problems(connection) == []


@pytest.mark.django_db(transaction=True)
def test_without_the_test_setting_even_flush_is_refused():
    """Production has no flush mechanism: the triggers refuse it like any delete."""
    row = audit_record(action=AuditAction.LOGOUT)
    try:
        with override_settings(AUDIT_FLUSH_DROPS_TRIGGERS=False), pytest.raises(CommandError) as info:
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
        assert re.search(r"append-only|forward only", str(info.value.__cause__)), info.value.__cause__  # a trigger
    finally:
        if VENDOR == "mysql":  # the failed flush left the connection without FK checks
            raw("SET FOREIGN_KEY_CHECKS = 1")
    assert AuditLog.objects.filter(pk=row.pk).exists()
    assert triggers.guard_problems(connection) == []


def test_production_settings_require_the_hmac_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "AUDIT_HMAC_KEY"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="lpg.example.com",
        SECRET_KEY=secrets.token_urlsafe(64), DATABASE_URL=f"sqlite:///{ROOT / 'var' / 'deploy-check.sqlite3'}",
    )  # fmt: skip
    run = [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
           "print(settings.AUDIT_FLUSH_DROPS_TRIGGERS)"]  # fmt: skip
    missing = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and "AUDIT_HMAC_KEY" in missing.stderr
    short = subprocess.run(
        run, cwd=ROOT, env={**env, "AUDIT_HMAC_KEY": "short"}, capture_output=True, text=True, timeout=120
    )
    assert short.returncode != 0 and "AUDIT_HMAC_KEY" in short.stderr
    good = subprocess.run(
        run,
        cwd=ROOT,
        env={**env, "AUDIT_HMAC_KEY": secrets.token_urlsafe(48)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == "False"


# -- the chain head ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_head_moves_forward_only():
    rows = [audit_record(action=AuditAction.LOGIN_FAILED, email=f"h{i}@example.com") for i in range(3)]
    seal_pending()
    rows = [AuditLog.objects.get(pk=row.pk) for row in rows]
    last = rows[-1]
    sql = "UPDATE audit_auditchainhead SET last_index = %s, last_hash = %s WHERE id = 1"
    refused(sql, [rows[1].chain_index, rows[1].row_hash])  # rewound to a genuine earlier row
    refused(sql, [last.chain_index + 1, "f" * 64])  # ahead of the log
    refused(sql, [last.chain_index, rows[0].row_hash])  # same index, another hash
    refused("DELETE FROM audit_auditchainhead")
    assert (head().last_index, head().last_hash) == (last.chain_index, last.row_hash)
    # Re-signing in place is allowed (key rotation) but a wrong signature shows.
    with transaction.atomic():
        raw("UPDATE audit_auditchainhead SET last_hmac = %s WHERE id = 1", ["0" * 64])
    assert kinds(verify_chain()) == ["signature"]


@pytest.mark.django_db
def test_the_head_is_signed_published_after_commit_and_printed(caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.INFO, logger="apps.audit.head"), django_capture_on_commit_callbacks(execute=True):
        row = audit_record(action=AuditAction.LOGOUT)
        with pytest.raises(RuntimeError), transaction.atomic():
            lost = audit_record(action=AuditAction.LOGOUT)
            raise RuntimeError("rolled back: its head is never published")
    row = AuditLog.objects.get(pk=row.pk)  # sealed by the on-commit pass
    assert not AuditLog.objects.filter(pk=lost.pk).exists()
    now = head()
    assert now.last_hmac == head_hmac(row.chain_index, row.row_hash) and head_signature_ok(now)
    assert f"audit chain head {row.chain_index}:{row.row_hash} hmac={now.last_hmac}" in caplog.text
    assert caplog.text.count("audit chain head") == 1  # one publication per transaction
    out = StringIO()
    call_command("audit_head", stdout=out)
    assert f"expect-head: {row.chain_index}:{row.row_hash}" in out.getvalue()
    assert f"hmac: {now.last_hmac}" in out.getvalue()
    call_command("verify_audit_chain", expect_head=f"{row.chain_index}:{row.row_hash}")
    with override_settings(AUDIT_HMAC_KEY="a-different-key-than-the-one-that-signed-it"):
        assert kinds(verify_chain()) == ["forged", "signature"]  # the row's MAC and the head's
        with pytest.raises(CommandError):
            call_command("audit_head", stdout=StringIO())
    with pytest.raises(CommandError, match="INDEX:HASH"):
        call_command("verify_audit_chain", expect_head="12:not-a-hash")


# -- what the owner can still do is detected -------------------------------------------


def test_deleting_the_tail_and_rewinding_the_head_is_detected(owner):
    from apps.core.testing.world import build_world

    world = build_world(stock=43)
    published = head()  # a genuine signed head, e.g. from yesterday's log
    receipt(world)
    newest = head()
    assert verify_chain(expect_head=(newest.last_index, newest.last_hash)).ok
    owner(triggers.AUDIT_LOG, triggers.CHAIN_HEAD)
    raw("DELETE FROM audit_auditlog WHERE chain_index > %s", [published.last_index])
    raw(
        "UPDATE audit_auditchainhead SET last_index = %s, last_hash = %s, last_hmac = %s WHERE id = 1",
        [published.last_index, published.last_hash, published.last_hmac],  # replays a genuine signature
    )
    report = verify_chain()
    assert kinds(report) == ["truncated"] * 2, report.problems  # the receipt's document and moves outlive the log
    assert "stock moves" in str(report.problems) and "removed at the end" in report.first.detail
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")
    anchored = verify_chain(expect_head=(newest.last_index, newest.last_hash))
    assert "anchor" in kinds(anchored)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", "--all", expect_head=f"{newest.last_index}:{newest.last_hash}", stderr=err)
    assert "the chain was rewound or truncated" in err.getvalue()
    # the same rewind without a genuine signature
    raw("UPDATE audit_auditchainhead SET last_hmac = %s WHERE id = 1", [head_hmac(published.last_index, "x")])
    assert "signature" in kinds(verify_chain())


def test_truncating_the_log_and_the_head_is_detected(owner):
    from apps.core.testing.world import build_world

    build_world(stock=43)
    assert verify_chain().ok
    if VENDOR == "postgresql":
        refused("TRUNCATE audit_auditlog, audit_auditchainhead")
        owner(triggers.AUDIT_LOG, triggers.CHAIN_HEAD)
    if VENDOR == "sqlite":  # no TRUNCATE: DELETE once the triggers are gone
        owner(triggers.AUDIT_LOG, triggers.CHAIN_HEAD)
        raw("DELETE FROM audit_auditlog")
        raw("DELETE FROM audit_auditchainhead")
    else:  # MySQL cannot refuse TRUNCATE (no trigger fires): detection only
        raw("TRUNCATE TABLE audit_auditlog")
        raw("TRUNCATE TABLE audit_auditchainhead")
    assert AuditLog.objects.count() == 0 and not AuditChainHead.objects.exists()
    report = verify_chain()
    assert report.problems and set(kinds(report)) == {"truncated"}, report.problems
    assert "the audit log is empty but stock moves exist" in str(report.problems)
    with pytest.raises(CommandError, match="truncated"):
        call_command("verify_audit_chain")


def test_a_chain_rehashed_after_dropping_the_trigger_fails_the_hmac(owner):
    rows = [AuditLog.objects.get(pk=audit_record(action=AuditAction.LOGIN_FAILED, email=f"r{i}@example.com").pk)
            for i in range(5)]  # fmt: skip
    published = head()
    owner(triggers.AUDIT_LOG, triggers.CHAIN_HEAD)
    prev = rows[0].row_hash
    for row in AuditLog.objects.filter(chain_index__gt=1).order_by("chain_index"):
        if row.chain_index == 2:
            row.user_email = "nobody-failed-here@example.com"
        row.prev_hash = prev
        row.row_hash = row_hash(row)
        raw("UPDATE audit_auditlog SET user_email = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
            [row.user_email, row.prev_hash, row.row_hash, row.pk])  # fmt: skip
        prev = row.row_hash
    raw("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [prev])
    report = verify_chain()
    # Every link checks out; what the owner could not make without the key:
    # the edited row's entry MAC and the head's signature.
    assert kinds(report) == ["forged", "signature"], report.problems
    assert report.first.row_id == rows[1].pk
    with pytest.raises(CommandError, match="HMAC"):
        call_command("verify_audit_chain")
    anchored = verify_chain(expect_head=(published.last_index, published.last_hash))
    assert kinds(anchored) == ["forged", "anchor", "signature"] and anchored.problems[1].row_id == rows[-1].pk
    assert "re-hashed" in anchored.problems[1].detail


# -- numbering --------------------------------------------------------------------


def _series(report, kind: str) -> list[str]:
    return [p.series for p in report.problems if p.kind == kind]


@pytest.mark.django_db
def test_every_numbering_series_is_checked(world):
    from apps.billing.services import credit_note_create
    from apps.billing.tests.helpers import deliver, load_vehicle
    from apps.core.models import Sequence

    load_vehicle(world, quantity=14)  # a DIST number
    deliveries = [deliver(world) for _ in range(3)]  # INV numbers
    credit_note_create(actor=world.users["finance"], invoice=deliveries[0].invoice, reason="price", lines=None)
    docs = [receipt(world, quantity=q) for q in (7, 14, 3)]  # RCV numbers, after the two opening ones
    report = verify_numbering()
    assert report.ok, report.problems
    assert report.series_checked == Sequence.objects.count() >= 4
    call_command("verify_numbering", stdout=StringIO())

    raw("DELETE FROM inventory_stockdocument WHERE id = %s", [docs[1].pk])  # a document removed
    year = docs[0].number.split("-")[1]
    raw("UPDATE billing_sequence SET current_value = current_value + 2 WHERE slug = %s", [f"invoice/{year}"])
    raw("UPDATE billing_sequence SET current_value = current_value - 1 WHERE slug LIKE %s", ["distribution/%"])
    raw("DELETE FROM billing_sequence WHERE slug = %s", [f"credit_note/{year}"])
    report = verify_numbering()
    assert _series(report, "missing") == [f"stock/RCV/{year} (RCV-{year}-000001 ..)"]
    assert "number(s) 4 missing" in str(report.problems)
    assert _series(report, "truncated") == [f"invoice/{year} (INV-{year}-000001 ..)"]
    assert "counter is at INV-" + year + "-000005 but the highest found is INV-" + year + "-000003" in str(
        report.problems
    )
    assert len(_series(report, "beyond")) == 1 and _series(report, "beyond")[0].startswith("distribution/")
    assert _series(report, "orphan") == [f"billing.CreditNote:CN-{year}-"]
    with pytest.raises(CommandError, match="4 problem"):
        call_command("verify_numbering", stdout=StringIO(), stderr=StringIO())


def test_truncating_billing_invoice_is_detected_by_verify_numbering(owner):
    from apps.billing.models import Invoice
    from apps.billing.tests.helpers import deliver, load_vehicle
    from apps.core.testing.world import build_world

    world = build_world(stock=43)
    load_vehicle(world, quantity=14)
    numbers = [deliver(world).invoice.number for _ in range(2)]
    assert verify_numbering().ok
    if VENDOR == "postgresql":
        refused("TRUNCATE billing_invoice CASCADE")
        # the cascade reaches the deliveries and their (append-only) proof tables
        owner(triggers.INVOICE, triggers.DELIVERY_PROOF, triggers.DELIVERY_ATTACHMENT)
        raw("TRUNCATE billing_invoice CASCADE")
    else:
        owner(triggers.INVOICE)
        raw("SET FOREIGN_KEY_CHECKS = 0" if VENDOR == "mysql" else "PRAGMA foreign_keys = OFF")
        try:
            raw("DELETE FROM billing_invoice")
        finally:
            raw("SET FOREIGN_KEY_CHECKS = 1" if VENDOR == "mysql" else "PRAGMA foreign_keys = ON")
    assert not Invoice.objects.exists()
    report = verify_numbering()
    assert [p.kind for p in report.problems] == ["truncated"], report.problems
    assert f"counter is at {numbers[-1]} but no document at all" in str(report.problems[0])
    with pytest.raises(CommandError, match="truncated"):
        call_command("verify_numbering", stdout=StringIO(), stderr=StringIO())
