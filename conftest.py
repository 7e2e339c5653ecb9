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
def world(db) -> World:
    return build_world()


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
