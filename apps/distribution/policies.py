"""Who may record or undo a distribution. The services call these; the
command registry calls ``distribution_create_allowed`` first, so a role that
may never record one is refused (403) before its body is read."""

from apps.core.exceptions import Forbidden
from apps.core.permissions import role_of
from apps.core.roles import Role

RECORDERS = (Role.ADMIN, Role.SUPERVISOR, Role.DEPOT_STAFF, Role.DRIVER)
REVERSERS = (Role.ADMIN, Role.SUPERVISOR)


def can_create_distribution(actor) -> bool:
    return role_of(actor) in RECORDERS


def distribution_create_allowed(actor) -> None:
    if not can_create_distribution(actor):
        if role_of(actor) == Role.FINANCE:
            raise Forbidden("Finance has read-only access to operations.")
        raise Forbidden("Your role may not record distributions.")


def distribution_create_check(actor, *, vehicle, depot_ids: set[int]) -> None:
    """Drivers record only for their own vehicle (at any depot: a truck may load
    elsewhere); depot staff only at their own depot, every line of it (any
    vehicle: the cylinders leave or enter their depot). Refusals are 403:
    ``permission_denied`` for another driver's vehicle or a role that may not
    record, ``depot_scope`` for another depot."""
    distribution_create_allowed(actor)
    role = role_of(actor)
    if role == Role.DRIVER and actor.vehicle_id != vehicle.pk:
        raise Forbidden("A driver may only record distributions for their own vehicle.")
    if role == Role.DEPOT_STAFF and (not actor.depot_id or depot_ids - {actor.depot_id}):
        raise Forbidden("Depot staff may only record distributions at their own depot.", code="depot_scope")


def distribution_record_as(actor, driver):
    """The driver a distribution is recorded for: a driver records only as themselves."""
    if role_of(actor) == Role.DRIVER:
        if driver is not None and driver.pk != actor.pk:
            raise Forbidden("A driver may only record distributions as themselves.")
        return actor
    return driver


def can_reverse_distribution(actor) -> bool:
    return role_of(actor) in REVERSERS


def distribution_reverse_allowed(actor) -> None:
    if not can_reverse_distribution(actor):
        raise Forbidden("Only an admin or a supervisor may reverse a distribution.")
