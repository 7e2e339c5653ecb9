"""The routing problem and its answer as plain data: no Django, no database.

The dispatch services build a ``Problem`` from orders, trucks and depot stock;
``apps.dispatch.solver.solve`` answers with a ``Solution``; the benchmark and
the property tests build problems of their own. Times are seconds after
midnight of the plan's day (Singapore time), distances metres, weights grams:
integers throughout, so every engine sees the same numbers."""

from dataclasses import dataclass, field

Point = tuple[float, float]  # (latitude, longitude)


class Reason:
    """Why an order is left unassigned (stable codes: API and board)."""

    NO_LOCATION = "no_location"  # the customer has no coordinates
    NO_STOCK = "no_stock"  # the depots cannot load what it needs
    CAPACITY = "capacity"  # no truck can carry it, or the trucks are full
    WINDOW = "window"  # no truck can reach it inside its window and shift
    NO_TRUCK = "no_truck"  # no truck of the day may serve it (pinned to one that is not planned)


@dataclass(frozen=True)
class Job:
    """One order to deliver.

    ``demand``: {cylinder type id: cylinders}. ``window``: (earliest, latest)
    arrival, None for any time in the shift. ``vehicles``: the trucks that may
    take it (None: any; a lock or a move pins it to one)."""

    id: int
    location: Point
    demand: dict[int, int]
    weight_g: int
    service_s: int
    window: tuple[int, int] | None = None
    urgent: bool = False
    vehicles: frozenset[int] | None = None


@dataclass(frozen=True)
class FixedStop:
    """A stop already done or started: it stays where it is, before any new
    stop (re-planning never moves it)."""

    job_id: int
    location: Point


@dataclass(frozen=True)
class Truck:
    """One truck for the day. ``capacity``: {cylinder type id: cylinders} it
    may carry (a type missing: none); ``max_weight_g``: gross cylinder weight.
    ``start``/``end``: where the remaining route begins and ends (the depot;
    for a truck already out, ``start`` is its last done stop and
    ``shift[0]`` the time now). ``fixed``: stops kept, in order, before it."""

    id: int
    depot_id: int
    start: Point
    end: Point
    capacity: dict[int, int]
    max_weight_g: int
    shift: tuple[int, int]
    fixed: tuple[FixedStop, ...] = ()
    max_stops: int | None = None  # new stops at most (a balanced day); None: no cap


@dataclass(frozen=True)
class Problem:
    jobs: tuple[Job, ...]
    trucks: tuple[Truck, ...]
    stock: dict[int, dict[int, int]] | None = None  # {depot id: {type id: fulls}}; None: unlimited


@dataclass(frozen=True)
class Stop:
    job_id: int
    arrival_s: int  # the ETA: when the truck arrives (waits until the window opens if early)
    start_s: int  # service starts (max of arrival and window start)
    leg_m: int  # from the previous point


@dataclass(frozen=True)
class Route:
    truck_id: int
    stops: tuple[Stop, ...]
    distance_m: int  # start -> stops -> end
    start_s: int  # leaves the start
    end_s: int  # back at the end
    load: dict[int, int]  # {type id: cylinders} for its stops


@dataclass(frozen=True)
class Solution:
    routes: tuple[Route, ...]
    unassigned: dict[int, str] = field(default_factory=dict)  # {job id: Reason code}
    engine: str = ""
    solve_ms: int = 0

    @property
    def distance_m(self) -> int:
        return sum(r.distance_m for r in self.routes)
