"""Who may record a delivery. ``deliveries_services.delivery_create`` calls
``delivery_create_check``; the command registry calls
``delivery_create_allowed`` first, so a role that may never deliver is
refused (403) before its body is read, online and offline alike."""

from apps.core.exceptions import ApplicationError, Forbidden
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


class NotYourDelivery(ApplicationError):
    code = "not_your_delivery"
    status_code = 422
    default_detail = "Only the delivery's driver (or whoever recorded it) or the office may add its proof."


def attachment_upload_check(actor, *, delivery) -> None:
    """Who may upload a delivery's signature and photos: admins and
    supervisors for any delivery; a driver for a delivery they drove or
    recorded (422 ``not_your_delivery`` otherwise); other roles never (403)."""
    delivery_create_allowed(actor)
    if role_of(actor) == Role.DRIVER and actor.pk not in (delivery.driver_id, delivery.created_by_id):
        raise NotYourDelivery(extra={"fields": {"delivery": ["This delivery is another driver's."]}})
