"""Deadlock retry in one place: every write handler of the HTTP API runs
under ``apps.core.db.retry_on_conflict``, so a deadlock loser re-runs its
request instead of answering 503. Walks the URL conf, so a new write view
without it fails here."""

import pytest
from django.db import OperationalError
from django.urls import URLPattern, URLResolver, get_resolver

from apps.core.db import retries_on_conflict, retry_on_conflict

WRITE_METHODS = ("post", "put", "patch", "delete")
# Not wrapped yet, owned by the finance area (issue 11): these send e-mail, and
# re-running the request after a deadlock would send it twice; they need their
# own decision (send after commit) before they join the retry.
NOT_YET = {"InvoiceEmailApi.post", "StatementEmailApi.post"}


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def write_handlers():
    """(route, HTTP method, handler function) of every DRF write endpoint."""
    found = []
    for route, callback in _patterns(get_resolver()):
        cls = getattr(callback, "cls", None)
        if cls is None or not route.startswith("api/"):
            continue
        actions = getattr(callback, "actions", None)  # a viewset route: {method: action name}
        names = actions if actions is not None else {m: m for m in cls.http_method_names}
        for method, name in names.items():
            if method in WRITE_METHODS and method in cls.http_method_names and hasattr(cls, name):
                found.append((route, method.upper(), getattr(cls, name)))
    return found


def test_the_url_conf_has_write_endpoints():
    handlers = {handler.__qualname__: method for _, method, handler in write_handlers()}
    for name, method in {
        "OrderViewSet.partial_update": "PATCH",
        "OrderViewSet.cancel": "POST",
        "command(delivery.create).create": "POST",  # built from the registry (apps/core/commands.py)
        "command(distribution.create).create": "POST",
        "command(stock_document.create).create": "POST",
        "DayEndCountViewSet.approve": "POST",
    }.items():
        assert handlers.get(name) == method, name
    assert len(handlers) > 20


def test_every_write_handler_retries_on_conflict():
    missing = sorted(
        f"{method} {route} ({handler.__qualname__})"
        for route, method, handler in write_handlers()
        if not retries_on_conflict(handler) and handler.__qualname__ not in NOT_YET
    )
    assert missing == []


class _Deadlock(Exception):
    args = (1213, "Deadlock found when trying to get lock")


def _deadlock() -> OperationalError:
    exc = OperationalError("deadlock detected")
    exc.__cause__ = _Deadlock()
    return exc


@pytest.mark.django_db(transaction=True)
def test_nested_retries_do_not_multiply(settings):
    settings.LEDGER_MAX_RETRIES = 3
    calls = []

    @retry_on_conflict
    def inner():
        calls.append(1)
        raise _deadlock()

    @retry_on_conflict
    def outer():
        return inner()

    with pytest.raises(OperationalError):
        outer()
    assert len(calls) == 3  # the inner loop's 3 attempts, not 3 x 3


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_loser_is_run_again(settings):
    settings.LEDGER_MAX_RETRIES = 3
    calls = []

    @retry_on_conflict
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise _deadlock()
        return "done"

    assert flaky() == "done"
    assert len(calls) == 3
