"""The hash chain: every row carries its own hash and the previous row's;
``verify_audit_chain`` names the first row altered, removed or slipped in.
Rows are chained by the sealer after commit (apps.audit.sealer); inside a
test's wrapping transaction nothing commits, so these tests seal by hand."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import RequestFactory

from apps.audit import triggers
from apps.audit.chain import GENESIS, row_hash, verify_chain
from apps.audit.enums import AuditAction
from apps.audit.models import AuditChainHead, AuditLog
from apps.audit.sealer import seal_pending
from apps.audit.services import audit_record
from apps.core.testing.threads import run_concurrently


def sealed(rows: list[AuditLog]) -> list[AuditLog]:
    seal_pending()
    return [AuditLog.objects.get(pk=row.pk) for row in rows]


def odd_rows(user=None) -> list[AuditLog]:
    """Content that must survive every database's JSON and inet columns byte
    for byte, or the chain would break by itself."""
    request = RequestFactory().post("/api/x/", REMOTE_ADDR="2001:db8::1", HTTP_USER_AGENT="Tést/1.0 ☃")
    return [
        audit_record(action=AuditAction.LOGIN_FAILED, email="a@example.com", request=request),
        audit_record(
            action=AuditAction.MASTER_DATA_CHANGED,
            user=user,
            entity_type="depots.depot",
            entity_id=7,
            before={"name": "Tuas — 南", "price": Decimal("24.99"), "n": None, "ok": True},
            after={
                "float": 0.1,
                "whole": 3.0,
                "huge": 2**70,
                "tiny": 1.5e-10,
                "big_float": 1e20,
                "nested": {"z": [1, "two", {"x": 3}], "a": ""},
                "nul": "a\x00b",
                "surrogate": "\ud800",
            },
        ),  # fmt: skip
        audit_record(action=AuditAction.API_REQUEST, meta={"status": 409, "code": "insufficient_stock"}),
    ]


@pytest.mark.django_db
def test_rows_are_chained_and_verify(world):
    before = AuditLog.objects.count()
    rows = sealed(odd_rows(world.users["admin"]))
    assert [r.chain_index for r in rows] == [before + 1, before + 2, before + 3]
    assert rows[1].prev_hash == rows[0].row_hash and rows[2].prev_hash == rows[1].row_hash
    first = AuditLog.objects.order_by("chain_index").first()
    assert first.chain_index == 1 and first.prev_hash == GENESIS
    for stored in AuditLog.objects.filter(pk__in=[r.pk for r in rows]):  # as read back from the database
        assert row_hash(stored) == stored.row_hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_index, head.last_hash) == (rows[-1].chain_index, rows[-1].row_hash)
    report = verify_chain()
    assert report.ok, report.problems
    assert report.rows_checked == before + 3
    call_command("verify_audit_chain")  # exits 0


@pytest.mark.django_db
def test_audit_inside_a_rolled_back_transaction_leaves_the_chain_intact():
    audit_record(action=AuditAction.LOGOUT)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=AuditAction.LOGOUT)
        raise RuntimeError("business failure")
    [row] = sealed([audit_record(action=AuditAction.LOGOUT)])
    assert row.chain_index == 2
    assert verify_chain().ok


@pytest.fixture
def unguarded(transactional_db):
    """Drop the audit triggers for the test (as an attacker with SQL access
    would), put them back afterwards."""
    triggers.drop(connection, triggers.AUDIT_LOG)
    yield
    triggers.ensure_installed(connection)


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def broken(expected_row_id: int, kind: str) -> str:
    report = verify_chain()
    assert not report.ok
    assert report.first.row_id == expected_row_id, report.problems
    assert report.first.kind == kind, report.problems
    with pytest.raises(CommandError) as info:
        call_command("verify_audit_chain")
    assert f"audit row #{expected_row_id} " in str(info.value)
    return str(info.value)


def test_an_edited_row_is_named(unguarded):
    rows = [audit_record(action=AuditAction.LOGIN_FAILED, email=f"u{i}@example.com") for i in range(5)]
    raw("UPDATE audit_auditlog SET user_email = %s WHERE id = %s", ["someone-else@example.com", rows[2].pk])
    message = broken(rows[2].pk, "altered")
    assert "altered" in message


def test_an_edit_with_a_recomputed_hash_is_caught_at_the_next_row(unguarded):
    rows = [audit_record(action=AuditAction.LOGIN_FAILED, email=f"u{i}@example.com") for i in range(4)]
    victim = AuditLog.objects.get(pk=rows[1].pk)
    victim.user_email = "forged@example.com"
    raw("UPDATE audit_auditlog SET user_email = %s, row_hash = %s WHERE id = %s",
        [victim.user_email, row_hash(victim), victim.pk])  # fmt: skip
    # Caught at the row itself: without AUDIT_HMAC_KEY the entry MAC cannot be
    # remade (and the next row no longer links to it).
    message = broken(rows[1].pk, "forged")
    assert "entry MAC" in message
    assert [p.kind for p in verify_chain().problems] == ["forged", "inserted"]


def test_a_removed_row_is_named(unguarded):
    rows = [audit_record(action=AuditAction.LOGIN_FAILED, email=f"u{i}@example.com") for i in range(5)]
    raw("DELETE FROM audit_auditlog WHERE id = %s", [rows[1].pk])
    message = broken(rows[2].pk, "removed")
    assert "chain index 2 missing" in message


@pytest.mark.django_db
@pytest.mark.parametrize("seal_first", [False, True], ids=["pending", "sealed"])
def test_a_row_slipped_in_is_named(seal_first):
    """Inserts are not refused by the triggers, and the sealer chains whatever
    is committed: a row the application did not write has no valid entry MAC
    and is named ``forged``, before and after it is sealed."""
    rows = [audit_record(action=AuditAction.LOGIN_FAILED, email=f"u{i}@example.com") for i in range(3)]
    forged = AuditLog(action=AuditAction.LOGIN_SUCCEEDED, user_email="x@example.com", created_at=rows[0].created_at)
    forged.save(force_insert=True)
    if seal_first:
        seal_pending()
    broken(forged.pk, "forged")


@pytest.mark.django_db
def test_a_row_with_a_mac_made_without_the_key_is_forged():
    from apps.audit.chain import entry_mac

    forged = AuditLog(action=AuditAction.LOGIN_SUCCEEDED, user_email="x@example.com")
    from django.utils import timezone

    forged.created_at = timezone.now()
    forged.entry_mac = entry_mac(forged, key="a-guessed-key")
    forged.save(force_insert=True)
    seal_pending()
    broken(forged.pk, "forged")


def test_a_removed_tail_is_reported(unguarded):
    rows = [audit_record(action=AuditAction.LOGIN_FAILED, email=f"u{i}@example.com") for i in range(3)]
    raw("DELETE FROM audit_auditlog WHERE id = %s", [rows[2].pk])
    report = verify_chain()
    assert [p.kind for p in report.problems] == ["head"]
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    """Real threads appending at once, half in autocommit mode (like login
    failures), half inside business transactions: one linear chain."""
    threads_n, per_thread = 8, 15

    def work(i: int) -> None:
        for j in range(per_thread):
            if i % 2:
                audit_record(action=AuditAction.LOGIN_FAILED, email=f"t{i}-{j}@example.com")
            else:
                with transaction.atomic():
                    audit_record(action=AuditAction.STOCK_POSTED, entity_type="test", entity_id=f"{i}-{j}")
                    audit_record(action=AuditAction.DISTRIBUTION_CREATED, entity_type="test", entity_id=f"{i}-{j}")

    results = run_concurrently(work, threads_n)
    assert [r for r in results if isinstance(r, Exception)] == []
    expected = (threads_n // 2) * per_thread + (threads_n // 2) * per_thread * 2
    assert AuditLog.objects.count() == expected
    seal_pending()  # rows committed while an earlier pass held the head
    indexes = list(AuditLog.objects.order_by("chain_index").values_list("chain_index", flat=True))
    assert indexes == list(range(1, expected + 1))
    assert AuditLog.objects.values("prev_hash").distinct().count() == expected  # no two rows share a parent
    report = verify_chain()
    assert report.ok, report.problems[:3]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "created_from=8483-08-08T13:58:07-22:52",  # found by the fuzzer: a 500 on PostgreSQL
        "created_to=9999-12-31T23:59:59-23:00",  # leaves the datetime range in UTC
        "user=99999999999999999999",
        "entity_id=%00",
    ],
)
def test_audit_api_filters_never_fail(world, api, query):
    response = api(world.users["supervisor"]).get(f"/api/audit/?{query}")
    assert response.status_code in (200, 400), response.content


@pytest.mark.django_db
def test_stock_move_filter_with_a_far_offset(world, api):
    response = api(world.users["admin"]).get("/api/stock/moves/?recorded_from=2026-01-01T00:00:00-22:52")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_refused_business_attempt_is_recorded_with_its_code(world, api):
    item = {"depot": world.depot.pk, "cylinder_type": world.gas.pk, "quantity": 9999, "movement_type": "COLLECTION"}
    body = {"vehicle": world.vehicle.pk, "items": [item]}
    response = api(world.users["driver"]).post("/api/distributions/", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "insufficient_stock"
    row = AuditLog.objects.filter(action=AuditAction.API_REQUEST, request_meta__path="/api/distributions/").get()
    assert row.user_id == world.users["driver"].pk
    assert (row.request_meta["status"], row.request_meta["code"], row.request_meta["method"]) == (
        409, "insufficient_stock", "POST")  # fmt: skip
    assert verify_chain().ok
