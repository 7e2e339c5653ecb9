"""Database routing: report and export reads go to the MariaDB/PostgreSQL
replica when one is configured (issue 12 topology, docs/operations.md).

- ``DATABASE_REPLICA_URL`` set: ``DATABASES["replica"]`` exists and
  ``REPLICA_READS`` is on (config/settings/base.py). Without it every query
  goes to ``default`` and this router changes nothing.
- Only code running inside :func:`replica_reads` (or a view with
  :class:`ReplicaReadsMixin`: the finance reports and exports) reads from the
  replica, and only outside a transaction on ``default``: a read inside
  ``transaction.atomic()`` (a service writing, ``select_for_update``, the
  audit row a report writes) stays on the primary, so nothing is ever decided
  on lagging data. Writes always go to ``default``.
- The replica is fed by replication: migrations run on ``default`` only.

A report read from the replica may be behind the primary by the replication
lag (docs/operations.md: what to watch).

The replica down (issue 26): a report that was reading from it when it went
away answers 503 ``replica_unavailable`` (nothing is retried: a report may
have written its audit row already); from then on this process reads the
reports from the primary, saying so (``X-Read-From: primary``), and tries the
replica again every ``REPLICA_RETRY_SECONDS`` (a connect: refused at once
while it is down). Never a stale answer without a header saying where it
came from.
"""

import contextlib
import contextvars
import logging
import time
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from apps.core.db import means_database_unavailable
from apps.core.exceptions import ReplicaUnavailable

logger = logging.getLogger("apps.core.database")
REPLICA_RETRY_SECONDS = 10.0
_replica_down_until = 0.0  # per process: time.monotonic() before which the replica is not tried

REPLICA = "replica"
_replica_reads = contextvars.ContextVar("lpg_replica_reads", default=False)

# Reads routed per alias in this process (tests, diagnostics).
routed_reads: Counter = Counter()


def replica_enabled() -> bool:
    return bool(getattr(settings, "REPLICA_READS", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Reads (outside transactions on ``default``) in this block go to the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def _streamed_on_replica(iterable):
    """Re-enter replica_reads for each chunk of a streamed response: the CSV
    and ZIP exports run their queries while gunicorn writes the body, after
    the view has returned."""
    iterator = iter(iterable)
    while True:
        token = _replica_reads.set(True)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _replica_reads.reset(token)
        yield chunk


def replica_reachable() -> bool:
    """False while the replica is known down (for REPLICA_RETRY_SECONDS after a
    failure); else a connect to it (a no-op when this thread's connection is open)."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except Exception as exc:  # noqa: BLE001 - any connect failure: read from the primary
        replica_down(exc)
        return False
    return True


def replica_down(exc: BaseException) -> None:
    global _replica_down_until
    _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
    logger.warning("replica unavailable, reports read from the primary for %gs: %r", REPLICA_RETRY_SECONDS, exc)
    with contextlib.suppress(Exception):  # closing a dead connection may fail too; it is gone either way
        connections[REPLICA].close()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not replica_enabled():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # a read inside a write transaction stays on the primary
        routed_reads[REPLICA] += 1
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA:
            return False  # the replica gets its schema through replication
        return None


class ReplicaReadsMixin:
    # DRF view mixin: after authentication, permissions and throttles (read on
    # the primary), a GET/HEAD handler and its streamed body read from the
    # replica. Responses that did read there say so in ``X-Read-From: replica``.
    # (A comment, not a docstring: the OpenAPI schema would take it as every
    # finance operation's description.)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and replica_enabled():
            if not replica_reachable():
                self._read_from_primary = True
                return
            self._replica_token = _replica_reads.set(True)
            self._replica_reads_before = routed_reads[REPLICA]

    def handle_exception(self, exc):
        # The replica went away while this report read from it: 503 replica_unavailable
        # (the primary is fine); the next reports read from the primary.
        if (
            getattr(self, "_replica_token", None) is not None
            and means_database_unavailable(exc)
            and routed_reads[REPLICA] > self._replica_reads_before
            and not _usable(REPLICA)
        ):
            replica_down(exc)
            exc = ReplicaUnavailable()
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_replica_token", None)
        if token is not None:
            self._replica_token = None
            _replica_reads.reset(token)
            if getattr(response, "streaming", False):
                response.streaming_content = _streamed_on_replica(response.streaming_content)
                response["X-Read-From"] = REPLICA
            elif routed_reads[REPLICA] > self._replica_reads_before:
                response["X-Read-From"] = REPLICA
        elif getattr(self, "_read_from_primary", False):
            response["X-Read-From"] = "primary"
        return super().finalize_response(request, response, *args, **kwargs)


def _usable(alias: str) -> bool:
    connection = connections[alias]
    try:
        return connection.connection is not None and connection.is_usable()
    except Exception:  # noqa: BLE001 - a dead connection may fail to say so
        return False
