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
"""

import contextvars
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

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
            self._replica_token = _replica_reads.set(True)
            self._replica_reads_before = routed_reads[REPLICA]

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
        return super().finalize_response(request, response, *args, **kwargs)
