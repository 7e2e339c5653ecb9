"""The audit chain off the hot path (issue 12): writing transactions only
insert audit rows; the sealer chains committed rows in batches, once, in the
order it sees them commit, and verify_audit_chain lists what is not sealed
yet and fails once a row waits longer than AUDIT_SEAL_MAX_DELAY."""

import re
import threading
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from apps.audit.chain import verify_chain
from apps.audit.enums import AuditAction
from apps.audit.models import AuditChainHead, AuditLog
from apps.audit.sealer import seal_pending
from apps.audit.services import audit_record
from apps.audit.tasks import seal_audit
from apps.core.testing.world import build_world

ROW_LOCKS = connection.vendor != "sqlite"


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused(sql: str, params=()) -> None:
    with pytest.raises(DatabaseError) as info, transaction.atomic():
        raw(sql, params)
    assert re.search(r"append-only", str(info.value)), info.value


@pytest.mark.django_db
@override_settings(AUDIT_SEAL_ON_COMMIT=False)
def test_a_document_write_inserts_its_audit_row_and_locks_no_shared_row(world, api):
    item = {"depot": world.depot.pk, "cylinder_type": world.gas.pk, "quantity": 7, "movement_type": "COLLECTION"}
    head_before = AuditChainHead.objects.get(pk=1).last_index
    with CaptureQueriesContext(connection) as queries:
        response = api(world.users["driver"]).post(
            "/api/distributions/", {"vehicle": world.vehicle.pk, "items": [item]}, format="json"
        )
    assert response.status_code == 201, response.content
    touching_head = [q["sql"] for q in queries.captured_queries if "audit_auditchainhead" in q["sql"]]
    assert touching_head == []
    pending = AuditLog.objects.filter(chain_index__isnull=True)
    assert pending.filter(action="distribution.created").exists()
    assert AuditChainHead.objects.get(pk=1).last_index == head_before  # nobody moved the head
    report = verify_chain()
    assert report.ok and set(report.unsealed) == set(pending.values_list("pk", flat=True))
    result = seal_pending()
    assert result.sealed == len(report.unsealed) and result.last_index == head_before + result.sealed
    assert not AuditLog.objects.filter(chain_index__isnull=True).exists()
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_row_is_sealed_once_and_nothing_else_changes():
    row = audit_record(action=AuditAction.LOGOUT, email="once@example.com")
    # Unsealed: its content is as frozen as a sealed row's.
    refused("UPDATE audit_auditlog SET user_email = %s WHERE id = %s", ["other@example.com", row.pk])
    refused("UPDATE audit_auditlog SET chain_index = 999, user_email = 'x@example.com' WHERE id = %s", [row.pk])
    refused("DELETE FROM audit_auditlog WHERE id = %s", [row.pk])
    seal_pending()
    sealed = AuditLog.objects.get(pk=row.pk)
    assert sealed.chain_index and sealed.sealed_at and sealed.row_hash
    refused("UPDATE audit_auditlog SET chain_index = NULL WHERE id = %s", [row.pk])  # unseal
    refused("UPDATE audit_auditlog SET chain_index = %s WHERE id = %s", [sealed.chain_index + 50, row.pk])
    refused("UPDATE audit_auditlog SET row_hash = %s WHERE id = %s", ["0" * 64, row.pk])
    assert seal_pending().sealed == 0  # nothing left to seal; a second pass is a no-op
    assert verify_chain().ok


@pytest.mark.django_db
def test_unsealed_rows_are_listed_and_fail_once_too_old():
    rows = [audit_record(action=AuditAction.LOGOUT, email=f"late{i}@example.com") for i in range(3)]
    report = verify_chain()
    assert report.ok and report.unsealed == tuple(r.pk for r in rows)
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "Not sealed yet: 3 row(s)" in out.getvalue() and f"#{rows[0].pk}" in out.getvalue()
    with override_settings(AUDIT_SEAL_MAX_DELAY=-1):  # every pending row is now overdue
        report = verify_chain()
        assert [p.kind for p in report.problems] == ["unsealed"] * 3
        assert [p.row_id for p in report.problems] == [r.pk for r in rows]
        with pytest.raises(CommandError, match="unsealed"):
            call_command("verify_audit_chain", stdout=StringIO())
    out = StringIO()
    call_command("seal_audit", stdout=out)
    assert "Sealed 3 audit row(s)" in out.getvalue()
    with override_settings(AUDIT_SEAL_MAX_DELAY=-1):
        report = verify_chain()
        assert report.ok and report.unsealed == () and report.max_seal_delay_seconds >= 0
    assert seal_audit() == 0  # the beat task: nothing left


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@override_settings(AUDIT_SEAL_ON_COMMIT=False)
def test_documents_written_during_sealing_lose_nothing():
    """Writers commit audit rows (alone and several per transaction, some
    rolled back) while a sealer thread keeps sealing: every committed row ends
    up in one linear chain exactly once; no rolled-back row appears."""
    writers, per_writer = 6, 12
    stop = threading.Event()
    errors: list[BaseException] = []
    sealed_passes: list[int] = []
    barrier = threading.Barrier(writers + 1)

    def write(i: int) -> None:
        try:
            barrier.wait()
            for j in range(per_writer):
                if j % 4 == 3:
                    with pytest.raises(RuntimeError), transaction.atomic():
                        audit_record(action=AuditAction.LOGOUT, entity_type="rolled-back", entity_id=f"{i}-{j}")
                        raise RuntimeError
                    continue
                with transaction.atomic():
                    audit_record(action=AuditAction.STOCK_POSTED, entity_type="test", entity_id=f"{i}-{j}")
                    audit_record(action=AuditAction.DISTRIBUTION_CREATED, entity_type="test", entity_id=f"{i}-{j}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def seal() -> None:
        try:
            barrier.wait()
            while not stop.is_set():
                sealed_passes.append(seal_pending(batch_size=7).sealed)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    sealer = threading.Thread(target=seal)
    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in [sealer, *threads]:
        t.start()
    for t in threads:
        t.join(timeout=300)
    stop.set()
    sealer.join(timeout=60)
    assert errors == []
    seal_pending()
    committed = writers * (per_writer - per_writer // 4) * 2
    assert AuditLog.objects.filter(entity_type="test").count() == committed
    assert not AuditLog.objects.filter(entity_type="rolled-back").exists()
    indexes = list(AuditLog.objects.order_by("chain_index").values_list("chain_index", flat=True))
    assert indexes == list(range(1, len(indexes) + 1))
    assert sum(sealed_passes) > 0  # the sealer really worked while the writers wrote
    report = verify_chain()
    assert report.ok and report.unsealed == (), report.problems[:3]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@override_settings(AUDIT_SEAL_ON_COMMIT=False)
def test_a_transaction_that_commits_late_is_sealed_after_rows_it_preceded():
    """Commit-safe order: the sealer only sees committed rows, so a row with a
    lower id whose transaction commits later is chained after the rows sealed
    meanwhile, never skipped and never sealed twice."""
    build_world(stock=0)
    seal_pending()
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    late: list[int] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                late.append(audit_record(action=AuditAction.LOGOUT, email="slow@example.com").pk)
                inserted.set()
                release.wait(timeout=3)  # SQLite: the other writer waits for this commit
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inserted.wait(timeout=30)
    quick = audit_record(action=AuditAction.LOGOUT, email="quick@example.com")
    seal_pending()
    if ROW_LOCKS:  # the slow transaction is still open: only the quick row is chained
        assert AuditLog.objects.get(pk=quick.pk).chain_index is not None
        assert not AuditLog.objects.filter(pk=late[0]).exists()  # not visible to others yet
    release.set()
    thread.join(timeout=30)
    assert errors == []
    seal_pending()
    slow, fast = AuditLog.objects.get(pk=late[0]), AuditLog.objects.get(pk=quick.pk)
    assert slow.pk < fast.pk
    if ROW_LOCKS:
        assert slow.chain_index == fast.chain_index + 1  # chained in commit order, not id order
    report = verify_chain()
    assert report.ok and report.unsealed == (), report.problems


def test_production_seals_under_celery_beat_not_on_commit():
    assert settings.CELERY_BEAT_SCHEDULE["seal-audit"]["task"] == seal_audit.name
    assert settings.CELERY_BEAT_SCHEDULE["seal-audit"]["schedule"] == settings.AUDIT_SEAL_INTERVAL
    source = (settings.BASE_DIR / "config" / "settings" / "production.py").read_text()
    assert re.search(r'AUDIT_SEAL_ON_COMMIT = env\.bool\("AUDIT_SEAL_ON_COMMIT", default=False\)', source)
