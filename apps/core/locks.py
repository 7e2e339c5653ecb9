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

from enum import IntEnum

from django.apps import apps
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
