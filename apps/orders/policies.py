"""Whose day a user may see or count (my-day, day-end summary, day-end counts)."""

from apps.core.exceptions import Forbidden, ValidationFailed
from apps.core.permissions import role_of
from apps.core.roles import Role

DAY_READERS = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE)


def day_driver(actor, driver):
    """The driver whose day ``actor`` asks for: a driver always their own; the
    office names one; depot staff one whose vehicle is based at their depot."""
    role = role_of(actor)
    if role == Role.DRIVER:
        if driver is not None and driver.pk != actor.pk:
            raise Forbidden("A driver sees only their own day.")
        return actor
    if driver is None:
        raise ValidationFailed({"driver": ["Name the driver."]})
    if role == Role.DEPOT_STAFF:
        if not driver.vehicle_id or driver.vehicle.home_depot_id != actor.depot_id:
            raise Forbidden("Depot staff see only the drivers of their own depot.")
    elif role not in DAY_READERS:
        raise Forbidden("Your role may not see drivers' days.")
    return driver


COUNTERS = (Role.ADMIN, Role.SUPERVISOR, Role.DEPOT_STAFF, Role.DRIVER)


def day_end_count_allowed(actor) -> None:
    """Who may ever record a day-end count (the service checks whose truck)."""
    if role_of(actor) not in COUNTERS:
        raise Forbidden("Only the driver, their depot's staff or a supervisor may record this count.")


DISPATCHERS = (Role.ADMIN, Role.SUPERVISOR)


def dispatcher_required(actor) -> None:
    """Orders in bulk (imports, standing orders) are the dispatchers' (admin, supervisor)."""
    if role_of(actor) not in DISPATCHERS:
        raise Forbidden("Only a dispatcher (supervisor or admin) may do this.")
