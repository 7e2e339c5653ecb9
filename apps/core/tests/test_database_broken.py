"""A broken database answers in the error contract (issue 26).

The restore drill's variant B (``DROP TABLE inventory_stockmove``) made every
document write answer 500 on MariaDB: the driver raises ProgrammingError 1146
there (SQLite raises an OperationalError, PostgreSQL ProgrammingError 42P01),
and only OperationalError was mapped to 503. A missing table is the database
being broken, not the request being wrong: 503 ``database_unavailable``,
logged, nothing recorded, the phone sends it again.

Variant A (the append-only triggers dropped) went unnoticed: ``GET
/api/health/`` and the deploy check ``audit.E001`` now report it.

No mock of the database layer: the tables and triggers are really dropped and
the real driver raises its real error. SQLite and PostgreSQL run DDL inside
the test's transaction (rolled back afterwards). MariaDB/MySQL commit DDL
implicitly, which would leave the test database broken for every later test:
there the missing table is made by pointing the model at a table name that
does not exist for the length of the request (the server still answers its
own error 1146), and the trigger tests run as transactional tests that put
the triggers back (``ensure_installed``) before the tables are flushed."""

import json
import logging
import uuid
from contextlib import contextmanager

import pytest
from django.core import checks
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from apps.audit import health
from apps.audit.triggers import STOCK_MOVE, drop, ensure_installed, guard_problems
from apps.distribution.models import DistributionHeader
from apps.inventory.models import StockMove


def _assert_503(response, code: str) -> dict:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"] and body["request_id"] == response["X-Request-ID"], body
    return body


@contextmanager
def _ledger_table_missing():
    table = StockMove._meta.db_table
    if connection.vendor == "mysql":
        StockMove._meta.db_table = "inventory_stockmove_dropped_by_the_test"
        try:
            yield
        finally:
            StockMove._meta.db_table = table
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the world's deferred FK checks, done before the DROP
            cursor.execute(f"DROP TABLE {table} CASCADE")
        else:
            cursor.execute(f"DROP TABLE {table}")
    yield


@pytest.mark.django_db
def test_a_dropped_ledger_table_is_a_503_database_unavailable_and_logged(world, api, caplog):
    body = {
        "vehicle": world.vehicle.pk,
        "items": [
            {"depot": world.depot.pk, "cylinder_type": world.types[0].pk, "quantity": 2, "movement_type": "COLLECTION"}
        ],
    }
    client = api(world.users["admin"])
    distributions = DistributionHeader.objects.count()
    with caplog.at_level(logging.ERROR, logger="apps.core.database"), _ledger_table_missing():
        response = client.post("/api/distributions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
        _assert_503(response, "database_unavailable")
        assert DistributionHeader.objects.count() == distributions  # nothing recorded
        # A read of the ledger too (outside a write's transaction).
        _assert_503(client.get("/api/stock/moves/"), "database_unavailable")
    assert any("database unavailable" in r.getMessage() for r in caplog.records), caplog.records


def _plain_ledger_count(request):
    """A plain Django view (no DRF handler around it) that reads the ledger."""
    return HttpResponse(str(StockMove.objects.count()))


urlpatterns = [
    path("api/plain/ledger-count/", _plain_ledger_count),
    path("plain/ledger-count/", _plain_ledger_count),
]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_database_error_past_drf_is_a_503_under_api_and_left_to_django_elsewhere(caplog):
    """``DatabaseUnavailableMiddleware``: what DRF's handler never saw."""
    assert Client().get("/api/plain/ledger-count/").status_code == 200
    with caplog.at_level(logging.ERROR, logger="apps.core.database"), _ledger_table_missing():
        _assert_503(Client().get("/api/plain/ledger-count/"), "database_unavailable")
        # outside /api/ Django's own handling (its 500 page) is untouched
        outside = Client(raise_request_exception=False).get("/plain/ledger-count/")
        assert outside.status_code == 500
    assert any("database unavailable" in r.getMessage() for r in caplog.records), caplog.records


def test_a_bug_in_sql_is_still_a_500_not_a_503():
    """Only the errors that mean the database is broken become 503: a syntax
    error (a ProgrammingError too) is the code's fault."""
    from django.db import ProgrammingError

    from apps.core.db import means_database_unavailable

    class _PgError(Exception):
        sqlstate = "42601"  # syntax_error

    bug = ProgrammingError("syntax error")
    bug.__cause__ = _PgError()
    assert not means_database_unavailable(bug)
    assert not means_database_unavailable(ProgrammingError(1064, "You have an error in your SQL syntax"))
    assert means_database_unavailable(ProgrammingError(1146, "Table 'lpg.inventory_stockmove' doesn't exist"))


@pytest.fixture
def no_cached_health():
    health._cache.clear()
    yield
    health._cache.clear()


@pytest.mark.django_db
def test_health_answers_200_when_the_database_and_its_guards_are_in_place(no_cached_health):
    response = Client().get("/api/health/")
    assert response.status_code == 200, response.content
    assert response.json()["append_only_guards"] == "ok"
    assert checks.run_checks(include_deployment_checks=True, databases=["default"], tags=[checks.Tags.database]) == []


@pytest.mark.django_db(transaction=True)
def test_dropped_append_only_triggers_are_reported_by_health_and_the_deploy_check(no_cached_health, caplog):
    drop(connection, STOCK_MOVE)  # what the database owner did in the drill's variant A
    try:
        assert guard_problems(connection)
        with caplog.at_level(logging.CRITICAL, logger="apps.audit.health"):
            body = _assert_503(Client().get("/api/health/"), "append_only_guard_missing")
        # anonymous callers learn how many, not which (no table or trigger names)
        assert body["problem_count"] >= 1 and "problems" not in body, body
        assert "inventory_stockmove" not in json.dumps(body), body
        critical = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
        assert any("inventory_stockmove" in m for m in critical), critical
        errors = checks.run_checks(include_deployment_checks=True, databases=["default"], tags=[checks.Tags.database])
        assert [e.id for e in errors] == ["audit.E001"], errors
        assert "inventory_stockmove" in errors[0].msg
        # Without --database (and without --deploy, e.g. migrate's own checks) it stays silent.
        assert not [e for e in checks.run_checks(include_deployment_checks=True) if e.id == "audit.E001"]
        assert not [e for e in checks.run_checks(databases=["default"]) if e.id == "audit.E001"]
    finally:
        ensure_installed(connection)
    assert guard_problems(connection) == []


@pytest.mark.django_db
def test_health_with_the_database_down_is_a_503_database_unavailable(no_cached_health):
    from django.db import connections

    original = connections["default"]
    broken_settings = dict(original.settings_dict)
    if original.vendor == "sqlite":
        broken_settings["NAME"] = "/nonexistent-lpg-dir/db.sqlite3"
    else:
        broken_settings.update(HOST="127.0.0.1", PORT=1)  # nothing listens there: connection refused
    broken = original.__class__(broken_settings, alias="default")
    connections["default"] = broken
    try:
        response = Client().get("/api/health/")
    finally:
        connections["default"] = original
        broken.close()
    _assert_503(response, "database_unavailable")
