"""Database helpers shared by the services and views: bounded retry of a
whole transaction (or a whole write request) when the database reports a
deadlock or a lock-wait timeout. The lock order that keeps deadlocks rare is
in ``apps/core/locks.py``."""

import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, ProgrammingError, connection, models, transaction

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_MYSQL_RETRYABLE = {1205, 1213}  # lock wait timeout, deadlock
_POSTGRES_RETRYABLE = {"40P01", "40001", "55P03"}  # deadlock, serialization, lock not available
_GAVE_UP = "_retry_on_conflict_gave_up"  # set on an error a retry loop stopped retrying
RETRIES_ON_CONFLICT = "retries_on_conflict"  # marks a function wrapped by retry_on_conflict


def is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in _POSTGRES_RETRYABLE:
        return True
    args = getattr(cause, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_RETRYABLE:
        return True
    return "database is locked" in str(exc) or "deadlock" in str(exc).lower()


_MYSQL_NO_SUCH_TABLE = 1146
_POSTGRES_UNDEFINED_TABLE = "42P01"


def means_database_unavailable(exc: BaseException) -> bool:
    """Whether a database error means the database itself is unavailable or
    broken, not that this request did something wrong: the connection refused
    or lost (OperationalError, InterfaceError: "gone away", "server closed the
    connection"), or a table the code base's migrations created is missing
    (MySQL/MariaDB error 1146, PostgreSQL 42P01 ``undefined_table``, SQLite's
    "no such table", an OperationalError there). The API answers these 503
    ``database_unavailable`` (``apps.core.exceptions``): the client keeps its
    request and sends it again, nothing was recorded. Any other
    ProgrammingError is a bug and stays a 500."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    if not isinstance(exc, ProgrammingError):
        return False
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) == _POSTGRES_UNDEFINED_TABLE:
        return True
    args: tuple = tuple(getattr(cause, "args", ()))
    return len(args) > 0 and args[0] == _MYSQL_NO_SUCH_TABLE


def retry_on_conflict[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` (which opens its own transaction) again when the database
    reports a deadlock, a serialization failure or a lock timeout, a bounded
    number of times (``LEDGER_MAX_RETRIES``). Inside an outer transaction a
    retry cannot help, so the error is raised at once.

    The one deadlock retry of every writing endpoint: each write view method
    (POST/PUT/PATCH/DELETE handler) is decorated with it, so a deadlock loser
    re-runs its whole request instead of answering 503
    (``apps.core.tests.test_write_retry`` walks the URL conf and fails on a
    write handler without it; a view built elsewhere, e.g. from a command
    registry, wraps its handler with this same function). Nested uses (the
    view, and ``run_idempotent`` inside it) retry once: the innermost loop
    that sees the error retries it, and an error it gave up on is not
    retried again by the outer ones."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempts = settings.LEDGER_MAX_RETRIES
        for attempt in range(1, attempts + 1):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if getattr(exc, _GAVE_UP, False) or connection.in_atomic_block or not is_retryable(exc):
                    raise
                if attempt == attempts:
                    setattr(exc, _GAVE_UP, True)
                    raise
                logger.info("retrying %s after %s (attempt %d)", fn.__name__, exc, attempt)
                time.sleep(random.uniform(0.005, 0.05) * attempt)
        raise AssertionError("unreachable")

    setattr(wrapper, RETRIES_ON_CONFLICT, True)
    return wrapper


def retries_on_conflict(fn: Callable) -> bool:
    """Whether ``fn`` (a view handler, maybe under other decorators that keep
    ``functools.wraps`` attributes) runs under ``retry_on_conflict``."""
    return bool(getattr(fn, RETRIES_ON_CONFLICT, False))


def set_prefetched(instance: models.Model, related_name: str, objects: list) -> None:
    """Tell ``instance.<related_name>.all()`` the rows it has (just written
    in this transaction), as ``prefetch_related`` would, so the answer that
    renders them does not read them back."""
    manager = getattr(instance, related_name)  # a reverse foreign key's manager
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.pop(manager.field.remote_field.cache_name, None)
    queryset = manager.get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache[manager.field.remote_field.cache_name] = queryset


# -- one transaction per command, no savepoint per service inside it ---------
#
# A write command (apps/core/idempotency.run_idempotent) runs in one
# transaction that rolls back whole on any error: nothing inside it catches an
# error and goes on. The write services it calls are atomic on their own too
# (an admin action, a test or a management command calls them directly), but
# straight inside the command's transaction their savepoints (SAVEPOINT and
# RELEASE, two statements each) protect nothing, so they are left out there.

_SERVICE_DEPTH: ContextVar[int | None] = ContextVar("command_transaction_depth", default=None)


@contextmanager
def command_transaction() -> Iterator[None]:
    """``transaction.atomic()`` for a whole command; the ``service_atomic``
    services called straight inside it (no other atomic block between) join
    it without a savepoint."""
    with transaction.atomic():
        token = _SERVICE_DEPTH.set(len(connection.atomic_blocks))
        try:
            yield
        finally:
            _SERVICE_DEPTH.reset(token)


def service_atomic[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """``@transaction.atomic`` for a write service: with its own savepoint
    anywhere, except straight inside ``command_transaction`` (or inside
    another ``service_atomic`` there), where an error rolls the command back
    whole anyway."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = _SERVICE_DEPTH.get()
        joins = depth is not None and depth == len(connection.atomic_blocks)
        with transaction.atomic(savepoint=not joins):
            token = _SERVICE_DEPTH.set(len(connection.atomic_blocks) if joins else None)
            try:
                return fn(*args, **kwargs)
            finally:
                _SERVICE_DEPTH.reset(token)

    return wrapper


@contextmanager
def consistent_snapshot() -> Iterator[None]:
    """Several reads that see one committed state: a read-only REPEATABLE READ
    transaction on MariaDB/MySQL and PostgreSQL (the project runs READ
    COMMITTED, where each statement sees the latest commit, so a check made of
    several queries, ``reconcile_inventory``, could see a document's moves and
    not yet its balances while writes go on). Inside a transaction already
    open the reads share that one; SQLite (one node, ``BEGIN IMMEDIATE`` would
    stop the writers) reads as it is."""
    if connection.in_atomic_block or connection.vendor == "sqlite":
        yield
        return
    if connection.vendor == "mysql":  # applies to the next transaction, the one opened below
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
