"""config.routers: finance report and export reads go to the "replica" alias
when a replica is configured, and nothing else does. Under the test settings
"replica" is a test mirror of "default" (its own connection to the same test
database), so the queries each connection ran tell where a read went; the
real MariaDB replica is exercised by test_topology_prod.py."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.billing.models import Invoice
from apps.finance.tests.helpers import credit_customer, invoice_on, load_vehicle
from config import routers

# Committed data: the replica connection must see what the default one wrote.
on_both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.REPLICA_READS = True
    return settings


@pytest.fixture
def world(world):
    load_vehicle(world, quantity=30)
    credit_customer(world.customers[0])  # invoiced on account: the ageing report lists it
    return world


def _sql(context) -> str:
    return "\n".join(q["sql"] for q in context.captured_queries)


@on_both  # outside TestCase's wrapping transaction, as a request is
def test_router_sends_reads_to_the_replica_only_inside_replica_reads_and_outside_transactions(replica_on):
    router = routers.ReplicaRouter()
    assert router.db_for_read(Invoice) is None  # not asked for
    with routers.replica_reads():
        assert router.db_for_read(Invoice) == "replica"
        with transaction.atomic():  # a write transaction reads what it locks on the primary
            assert router.db_for_read(Invoice) is None
        assert router.db_for_write(Invoice) == "default"
    assert router.db_for_read(Invoice) is None
    assert router.allow_migrate("replica", "billing") is False
    assert router.allow_migrate("default", "billing") is None


def test_router_is_off_without_a_configured_replica(monkeypatch):
    router = routers.ReplicaRouter()
    with routers.replica_reads():
        assert router.db_for_read(Invoice) is None  # REPLICA_READS off (the test default)
        # REPLICA_READS on but no DATABASE_REPLICA_URL, so no "replica" alias:
        monkeypatch.setattr(routers, "settings", SimpleNamespace(REPLICA_READS=True, DATABASES={"default": {}}))
        assert router.db_for_read(Invoice) is None


@on_both
def test_ageing_report_reads_from_the_replica_and_audits_on_the_primary(world, api, replica_on):
    day = timezone.localdate() - timedelta(days=40)
    invoice = invoice_on(world, day)
    before = routers.routed_reads["replica"]
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        answer = api(world.users["finance"]).get("/api/reports/ageing/", {"as_of": timezone.localdate().isoformat()})
    assert answer.status_code == 200, answer.content
    assert answer["X-Read-From"] == "replica"
    assert invoice.customer.name in answer.content.decode()
    assert routers.routed_reads["replica"] > before
    assert "billing_invoice" in _sql(on_replica)
    # Authentication (the user) and the report's audit row use the primary.
    assert "accounts_user" in _sql(on_default)
    assert "billing_invoice" not in _sql(on_default)
    assert "INSERT" not in _sql(on_replica).upper()


@on_both
def test_streamed_csv_export_reads_from_the_replica_while_streaming(world, api, replica_on):
    day = timezone.localdate() - timedelta(days=3)
    invoice = invoice_on(world, day)
    params = {"from": day.isoformat(), "to": day.isoformat()}
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        answer = api(world.users["finance"]).get("/api/exports/invoice-register.csv", params)
        assert answer.status_code == 200
        assert answer["X-Read-From"] == "replica"
        streamed_before = len(on_replica.captured_queries)
        body = b"".join(answer.streaming_content).decode()
    assert invoice.number in body
    # The rows were read while the body streamed, after the view returned.
    assert len(on_replica.captured_queries) > streamed_before
    assert "billing_invoice" in _sql(on_replica)


@on_both
def test_without_replica_reads_reports_stay_on_the_primary(world, api):
    invoice_on(world, timezone.localdate() - timedelta(days=10))
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        answer = api(world.users["finance"]).get("/api/reports/ageing/", {"as_of": timezone.localdate().isoformat()})
    assert answer.status_code == 200
    assert "X-Read-From" not in answer
    assert on_replica.captured_queries == []


@on_both
def test_writes_and_other_reads_never_use_the_replica(world, api, replica_on):
    invoice = invoice_on(world, timezone.localdate() - timedelta(days=2))
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        answer = api(world.users["finance"]).get(f"/api/invoices/{invoice.pk}/")
        assert answer.status_code == 200
        email = api(world.users["finance"]).post(f"/api/invoices/{invoice.pk}/email/", {}, format="json")
    assert email.status_code in (200, 201, 202, 400, 409), email.content
    assert on_replica.captured_queries == []


@pytest.fixture
def replica_down(monkeypatch):
    """The "replica" alias pointed at a server that is not there (a closed port;
    SQLite: a file in a directory that does not exist): a real connect failure."""
    original = connections["replica"]
    broken_settings = dict(original.settings_dict)
    if original.vendor == "sqlite":
        broken_settings["NAME"] = "/nonexistent-lpg-dir/replica.sqlite3"
    else:
        broken_settings.update(HOST="127.0.0.1", PORT=1)
    broken = original.__class__(broken_settings, alias="replica")
    monkeypatch.setattr(routers, "_replica_down_until", 0.0)
    connections["replica"] = broken
    yield
    connections["replica"] = original
    broken.close()
    routers._replica_down_until = 0.0


@on_both
def test_with_the_replica_down_reports_read_from_the_primary_and_say_so(world, api, replica_on, replica_down):
    invoice = invoice_on(world, timezone.localdate() - timedelta(days=40))
    for _ in range(2):  # the first finds it down; the second does not try it again
        answer = api(world.users["finance"]).get("/api/reports/ageing/", {"as_of": timezone.localdate().isoformat()})
        assert answer.status_code == 200, answer.content
        assert answer["X-Read-From"] == "primary"
        assert invoice.customer.name in answer.content.decode()
    assert routers._replica_down_until > 0
