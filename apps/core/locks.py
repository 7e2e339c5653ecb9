"""Every row lock of the code base, taken through this module in one total
order, so two transactions never wait on each other in a cycle:

    entity rows (order -> meter -> invoice -> other headers)
    -> stock balances (ascending location, cylinder type)
    -> sequence row

The audit chain head is not in it: writing transactions only insert audit
rows; the sealer (``apps.audit.sealer``) locks the head alone in its own
transaction, holding nothing else, so it can never close a cycle.

A transaction may skip ranks but never goes back to a lower one for a row it
does not hold yet (re-locking a row it already holds is free). Rows a
transaction inserted itself, and child rows of an entity it holds locked
(an order's lines), are its own and may be touched at any point.

The functions below only add ``SELECT ... FOR UPDATE`` in the right place;
the caller passes the queryset of its own model, so this module imports no
app. ``apps.core.tests.test_lock_order`` reads the SQL of every document
type and checks the order; ``test_every_lock_goes_through_core_locks`` keeps
``select_for_update`` out of every other module. SQLite ignores row locks
(``BEGIN IMMEDIATE`` takes the database write lock at the start instead),
so there the order is a property of the code, not of the database."""

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum

from django.apps import apps
from django.db import connection
from django.db.models import Model, QuerySet


class Rank(IntEnum):
    ENTITY = 1
    BALANCE = 2
    SEQUENCE = 3


def lock_entity[M: Model](queryset: QuerySet[M]) -> M:
    """Lock and return one entity row (an order, a meter, an invoice, a
    document header, a device, ...): the first rank. ``.get()`` semantics."""
    return queryset.select_for_update().get()


def lock_entity_or_none[M: Model](queryset: QuerySet[M]) -> M | None:
    """Like ``lock_entity``; None when no row matches (the first by id when several do)."""
    return queryset.select_for_update().order_by("pk").first()


def lock_entity_get_or_create[M: Model](
    queryset: QuerySet[M], defaults: dict | None = None, **lookup
) -> tuple[M, bool]:
    """``get_or_create`` with the found (or new) entity row locked."""
    return queryset.select_for_update().get_or_create(defaults=defaults, **lookup)


def lock_entities[M: Model](queryset: QuerySet[M], *order_by: str) -> list[M]:
    """Lock entity rows of one kind, in ascending ``order_by`` (default: id)."""
    return list(queryset.select_for_update().order_by(*(order_by or ("pk",))))


def lock_balances[M: Model](queryset: QuerySet[M]) -> list[M]:
    """Lock stock balance rows in ascending (location, cylinder type): the
    second rank. Missing rows are created by the caller first
    (``apps.inventory.locks.balances_lock``)."""
    return list(queryset.select_for_update().order_by("location_id", "cylinder_type_id"))


def lock_sequence[M: Model](queryset: QuerySet[M]) -> M:
    """Lock one sequence row: the last rank."""
    return queryset.select_for_update().get()


def lock_sequence_or_none[M: Model](queryset: QuerySet[M]) -> M | None:
    """Like ``lock_sequence``; None when the series has no row yet."""
    return queryset.select_for_update().first()


def lock_audit_head(*, skip_locked: bool = False, using: str = "default") -> Model | None:
    """Lock the audit chain head: the sealer's lock, taken alone in its own
    transaction (never by a writing transaction: ``test_lock_order`` checks).
    None if the row is missing, or with ``skip_locked`` while another sealer
    holds it."""
    head_model = apps.get_model("audit", "AuditChainHead")
    return head_model.objects.using(using).select_for_update(skip_locked=skip_locked).filter(pk=1).first()


# -- named locks held across transactions -----------------------------------
#
# A sync batch applies its events one transaction each; two copies of one
# device's batch (a phone that resent after a proxy timeout while the first
# was still being applied) must not interleave, or a later event of the device
# could run before an earlier one. A named lock, held by the connection for
# the whole batch and taken before any row lock (outside every transaction,
# so it is not in the row-lock order above), serialises one device's batches.


def _pg_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@contextmanager
def named_lock(name: str, *, wait: float) -> Iterator[bool]:
    """Hold the lock ``name`` (at most 64 characters) for the block, waiting
    at most ``wait`` seconds for it; yields whether it was taken (False: the
    caller answers "busy", never goes on unlocked). MariaDB/MySQL GET_LOCK,
    PostgreSQL session advisory locks (released when the connection dies with
    its process); SQLite serves from one process: a lock of that process."""
    release = _named_lock_take(name, wait)
    try:
        yield release is not None
    finally:
        if release is not None:
            release()


def _named_lock_take(name: str, wait: float) -> Callable[[], None] | None:
    """Take the lock within ``wait`` seconds: the function that frees it, or None."""
    vendor = connection.vendor
    if vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, %s)", [name, wait])
            if cursor.fetchone()[0] != 1:
                return None
        return lambda: _execute("SELECT RELEASE_LOCK(%s)", [name])
    if vendor == "postgresql":
        key, deadline = _pg_key(name), time.monotonic() + wait
        with connection.cursor() as cursor:
            for _ in range(max(1, int(wait / 0.05)) + 1):  # bounded: every 50 ms until the deadline
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                if cursor.fetchone()[0]:
                    return lambda: _execute("SELECT pg_advisory_unlock(%s)", [key])
                if time.monotonic() >= deadline:
                    return None
                time.sleep(0.05)
        return None
    with _process_locks_guard:
        lock = _process_locks.setdefault(name, threading.Lock())
    return lock.release if lock.acquire(timeout=wait) else None


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
