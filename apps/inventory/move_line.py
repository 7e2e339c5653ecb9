"""One line of a stock posting: what ``stock_post`` moves and what
``serials_check`` follows. A value of its own so that the ledger's services
and the serial tracking both read it without importing each other."""

from dataclasses import dataclass

from apps.inventory.models import Location


@dataclass(frozen=True)
class MoveLine:
    movement_type: str
    cylinder_type_id: int
    state: str
    quantity: int
    from_location: Location
    to_location: Location
    reverses_id: int | None = None
    # the serial numbers of the cylinders moved (required, one per cylinder,
    # for a serialised type); ``serialised``: the type's flag when the caller
    # has it (else looked up); ``error_path``: where an error about them goes
    # in ``fields`` (default ``("lines", <index>, "serials")``)
    serials: tuple[str, ...] = ()
    serialised: bool | None = None
    error_path: tuple = ()
