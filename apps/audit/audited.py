"""Audited writes of reference rows (master data, prices, GST rates, meters).

The per-entity services (``depot_update``, ``gst_rate_create``...) are thin
calls of ``row_create`` / ``row_update``: one transaction holding the change
and its one audit row, which carries the before and after of the fields that
changed (foreign keys as ids). The API viewsets and the Django admin both call
the per-entity services, so an edit is recorded the same way wherever it is
made. Nothing is deleted: reference rows are deactivated (``is_active``), and
dated rows (prices, GST) get a new dated row.

Lock order: the edited row (an entity row) is the only lock; the audit row is an insert."""

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction

from apps.audit.enums import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import Forbidden
from apps.core.locks import lock_entity

if TYPE_CHECKING:
    from apps.accounts.models import User

M = TypeVar("M", bound=models.Model)
# A check run on the locked row before the write: (before, after) -> None or raise.
Check = Callable[[M | None, M], None]


def value_of(instance: models.Model, name: str) -> Any:
    """A field's value as stored: the id for a foreign key."""
    field = instance._meta.get_field(name)
    return getattr(instance, getattr(field, "attname", name))


def snapshot(instance: models.Model, names: Iterable[str]) -> dict:
    return {name: value_of(instance, name) for name in names}


def editable_fields(model: type[models.Model]) -> list[str]:
    """Concrete, editable fields other than the primary key (what a create records)."""
    return [f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def admin_required(actor: "User | None") -> None:
    """Reference data is written by admins only (the API's ReadAnyWriteAdmin,
    the admin's policy): checked again here, where the write happens."""
    if not getattr(actor, "is_active", False) or not getattr(actor, "is_admin", False):
        raise Forbidden("Only an admin may change reference data.")


def _concrete(model: type[models.Model], data: Mapping[str, Any]) -> dict:
    names = {f.name for f in model._meta.concrete_fields}
    unknown = set(data) - names
    if unknown:
        raise TypeError(f"{model.__name__} has no field(s) {sorted(unknown)}")
    return dict(data)


@transaction.atomic
def row_create[M: models.Model](
    *,
    actor: "User",
    model: type[M],
    data: Mapping[str, Any],
    action: str = AuditAction.MASTER_DATA_CREATED,
    check: "Check[M] | None" = None,
) -> M:
    """Insert one row and record it (``before`` None, ``after`` every editable field)."""
    admin_required(actor)
    instance = model(**_concrete(model, data))
    if check is not None:
        check(None, instance)
    instance.save(force_insert=True)
    audit_record(
        action=action,
        user=actor,
        entity_type=model._meta.label_lower,
        entity_id=instance.pk,
        before=None,
        after=snapshot(instance, editable_fields(model)),
    )
    return instance


@transaction.atomic
def row_update[M: models.Model](
    *,
    actor: "User",
    instance: M,
    data: Mapping[str, Any],
    action: str = AuditAction.MASTER_DATA_CHANGED,
    check: "Check[M] | None" = None,
) -> M:
    """Change the given fields of the row, locked and read afresh; record the
    before and after of the fields whose value really changed. Nothing
    changed: no write and no audit row. Returns the saved row."""
    admin_required(actor)
    model = type(instance)
    data = _concrete(model, data)
    locked = lock_entity(model._default_manager.filter(pk=instance.pk))
    before_row = copy.copy(locked)  # as stored, for the check
    before = snapshot(locked, data)
    for name, value in data.items():
        setattr(locked, name, value)
    after = snapshot(locked, data)
    changed = [name for name in data if before[name] != after[name]]
    if not changed:
        return locked
    if check is not None:
        check(before_row, locked)
    locked.save()
    audit_record(
        action=action,
        user=actor,
        entity_type=model._meta.label_lower,
        entity_id=locked.pk,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return locked
