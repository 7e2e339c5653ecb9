"""One role-scoping rule for every selector.

A selector names where its rows point (``driver``, ``vehicle``, ``depot``,
``owner``: lookup paths such as ``"items__depot"`` or ``"delivery__driver"``)
and which roles read everything; ``scope_by_role`` returns the rows the actor
may see:

- a role in ``read_all`` (by default the office: admin, supervisor, finance,
  and the auditor, who reads everything and writes nothing): every row;
- a driver: rows whose ``driver`` is them; without a driver path, rows of
  their vehicle (none without a vehicle); without either, their own rows
  (``owner``);
- depot staff: rows at their depot (``depot``) or of a vehicle based there
  (``vehicle``'s home depot), none without a depot; without either path,
  their own rows (``owner``);
- any other role (the auditor where a selector's ``read_all`` leaves it
  out): their own rows (``owner``) or none.

``driver_rule`` / ``depot_staff_rule`` replace the rule of that role where a
selector needs something the paths cannot say (a driver's orders of the day,
active vehicles only)."""

from collections.abc import Callable

from django.db.models import Model, Q, QuerySet

from apps.core.permissions import role_of
from apps.core.roles import Role

OFFICE = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE, Role.AUDITOR)  # the auditor reads everything
NOTHING = Q(pk__in=[])

Rule = Callable[..., Q]


def role_q(
    actor,
    *,
    read_all: tuple[str, ...] = OFFICE,
    driver: str | None = None,
    vehicle: str | None = None,
    depot: str | None = None,
    owner: str | None = None,
    driver_rule: Rule | None = None,
    depot_staff_rule: Rule | None = None,
) -> Q:
    """The filter of the rows ``actor`` may see (``Q()`` for all, ``NOTHING`` for none)."""
    role = role_of(actor)
    if role is None:
        return NOTHING
    if role in read_all:
        return Q()
    own = Q(**{owner: actor}) if owner else NOTHING
    if role == Role.DRIVER:
        if driver_rule is not None:
            return driver_rule(actor)
        if driver:
            return Q(**{f"{driver}_id": actor.pk})
        if vehicle:
            return Q(**{f"{vehicle}_id": actor.vehicle_id}) if actor.vehicle_id else NOTHING
        return own
    if role == Role.DEPOT_STAFF:
        if depot_staff_rule is not None:
            return depot_staff_rule(actor)
        if not (depot or vehicle):
            return own
        if not actor.depot_id:
            return NOTHING
        lookups = ([f"{depot}_id"] if depot else []) + ([f"{vehicle}__home_depot_id"] if vehicle else [])
        q = Q(**{lookups[0]: actor.depot_id})
        for lookup in lookups[1:]:
            q |= Q(**{lookup: actor.depot_id})
        return q
    return own


def scope_by_role[M: Model](qs: QuerySet[M], actor, *, distinct: bool = False, **paths) -> QuerySet[M]:
    """``qs`` cut down to the rows ``actor`` may see (``role_q``'s rule).

    ``distinct``: the depot or vehicle path crosses a to-many relation (a
    distribution's items), so a row could come back once per matching line."""
    q = role_q(actor, **paths)
    if q is NOTHING:
        return qs.none()
    if not q:  # Q(): everything
        return qs
    qs = qs.filter(q)
    return qs.distinct() if distinct else qs
