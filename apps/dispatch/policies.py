"""Who may plan the day (the services check again with the objects)."""

from apps.core.exceptions import Forbidden
from apps.core.permissions import role_of
from apps.core.roles import Role

DISPATCHERS = (Role.ADMIN, Role.SUPERVISOR)


def dispatcher_only(actor) -> None:
    if role_of(actor) not in DISPATCHERS:
        raise Forbidden("Only a dispatcher (supervisor or admin) may plan the day.")
