"""Who may record a delivery. ``deliveries_services.delivery_create`` calls
``delivery_create_check``; the command registry calls
``delivery_create_allowed`` first, so a role that may never deliver is
refused (403) before its body is read, online and offline alike."""

from apps.core.exceptions import Forbidden
from apps.core.permissions import role_of
from apps.core.roles import Role

RECORDERS = (Role.ADMIN, Role.SUPERVISOR, Role.DRIVER)


def can_create_delivery(actor) -> bool:
    return role_of(actor) in RECORDERS


def delivery_create_allowed(actor) -> None:
    if not can_create_delivery(actor):
        raise Forbidden("Your role may not record deliveries.")


def delivery_create_check(actor, *, vehicle) -> None:
    """Admins and supervisors record for any vehicle, a driver only from their own."""
    delivery_create_allowed(actor)
    if role_of(actor) == Role.DRIVER and actor.vehicle_id != vehicle.pk:
        raise Forbidden("A driver may only record deliveries from their own vehicle.")
