"""Who may record which stock document. ``services.stock_document_create``
calls ``stock_document_create_check``; the command registry calls
``stock_document_create_allowed`` first, so a role that may never record one
is refused (403) before its body is read."""

from apps.core.exceptions import Forbidden
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.inventory.enums import StockDocumentKind

RECORDERS = (Role.ADMIN, Role.SUPERVISOR, Role.DEPOT_STAFF)
SUPERVISOR_ONLY = frozenset({StockDocumentKind.ADJUSTMENT, StockDocumentKind.WRITE_OFF})


def can_create_stock_document(actor) -> bool:
    return role_of(actor) in RECORDERS


def stock_document_create_allowed(actor) -> None:
    if not can_create_stock_document(actor):
        if role_of(actor) == Role.FINANCE:
            raise Forbidden("Finance has read-only access to operations.")
        raise Forbidden("Your role may not record this stock document.")


def stock_document_create_check(actor, *, kind: str, depot=None) -> None:
    """Depot staff write only at their own depot, and the depot that counts is
    the one the kind is recorded at: the receiving depot of a RECEIPT, the
    sending depot of a DUMP or a TRANSFER (a transfer is recorded by the depot
    the cylinders leave; the receiving side does not count, so nobody pulls
    stock out of another depot). Adjustments and write-offs are for supervisors."""
    role = role_of(actor)
    if role in (Role.ADMIN, Role.SUPERVISOR):
        return
    if role == Role.DEPOT_STAFF and kind not in SUPERVISOR_ONLY:
        if actor.depot_id and depot is not None and depot.pk == actor.depot_id:
            return
        raise Forbidden(
            f"Depot staff may only record a {kind.lower()} at their own depot"
            + (" (a transfer must leave their own depot)." if kind == StockDocumentKind.TRANSFER else "."),
            code="depot_scope",
        )
    raise Forbidden("Your role may not record this stock document.")


def stock_document_reverse_allowed(actor) -> None:
    if role_of(actor) not in (Role.ADMIN, Role.SUPERVISOR):
        raise Forbidden("Only a supervisor may reverse a document.")
