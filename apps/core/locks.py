"""Every row lock of the code base, taken through this module in one total
order, so two transactions never wait on each other in a cycle:

    entity rows (order -> meter -> invoice -> other headers)
    -> stock balances (ascending location, cylinder type)
    -> audit chain head
    -> sequence row

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

from enum import IntEnum

from django.apps import apps
from django.db.models import Model, QuerySet


class Rank(IntEnum):
    ENTITY = 1
    BALANCE = 2
    AUDIT_HEAD = 3
    SEQUENCE = 4


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


def lock_audit_head(using: str = "default") -> Model | None:
    """Lock the audit chain head (the third rank); None if the row is missing
    (``apps.audit.services`` then makes it). Taken by ``audit_record`` and by
    ``lock_sequence`` before a number, so a transaction that has audited
    nothing yet still takes the head before the sequence."""
    head_model = apps.get_model("audit", "AuditChainHead")
    return head_model.objects.using(using).select_for_update().filter(pk=1).first()


def lock_sequence[M: Model](queryset: QuerySet[M]) -> M:
    """Lock one sequence row: the last rank. The audit chain head is taken
    first (a no-op when the transaction holds it already), so every numbered
    document takes head -> sequence, never the other way round."""
    lock_audit_head(queryset.db)
    return queryset.select_for_update().get()
