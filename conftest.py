"""Shared fixtures over apps/core/testing (the world, API clients, the thread
harness). State is built through the services so balances, ledger and audit
log stay true in tests too."""

import pytest
from django.core.cache import cache

from apps.core.testing.world import World, api_client_for, build_world

__all__ = ["World", "api_client_for", "build_world"]  # tests import them from apps.core.testing


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database backend: {db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('HOST') or db['NAME']})"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # throttling state must not leak between tests
    yield
    cache.clear()


@pytest.fixture
def daytime(monkeypatch):
    """The server's clock moved to 10:00 Singapore time today (and running on
    from there), whatever the hour of the run: the planner starts today's
    routes from now, so a test that plans today needs the shift ahead of it
    (a run at 20:00 finds every truck's shift over). Returns the moment."""
    from datetime import datetime, time

    from django.utils import timezone

    real_now = timezone.now
    morning = timezone.make_aware(datetime.combine(timezone.localdate(), time(10, 0)))
    offset = morning - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)
    return morning


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker) -> World:
    """One world for every test of a module, for tables of read-mostly cases
    that would otherwise spend their time building it again: built once inside
    a transaction that is rolled back after the module's last test. Each test
    still takes ``db`` and runs in a savepoint of that transaction (pytest-django
    rolls it back), so what one case writes never reaches the next. Module-scoped
    fixtures that add objects to it open ``django_db_blocker.unblock()`` too."""
    from django.db import transaction

    outer = transaction.atomic()
    outer._from_testcase = True  # test scaffolding, like TestCase's class-level atomics (apps/billing/pdf.py)
    with django_db_blocker.unblock(), outer:
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def api():
    return api_client_for


def pytest_configure(config):
    from django.conf import settings

    # `make test` and CI must run the suite with the test settings (fast hasher,
    # file SQLite for the thread tests), never a run mode leaking in from the shell.
    assert settings.SETTINGS_MODULE == "config.settings.test", settings.SETTINGS_MODULE


@pytest.fixture
def auditor(world):
    """The read-only auditor (world.users["auditor"])."""
    return world.users["auditor"]
