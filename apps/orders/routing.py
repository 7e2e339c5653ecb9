"""Ordering a driver's stops: nearest neighbour from the depot, then 2-opt.

Pure functions on (id, (lat, lng)) pairs; deterministic for the same input
(ties go to the lower id, improvements are taken in a fixed scan order)."""

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0088
EPSILON_KM = 1e-9

Point = tuple[float, float]


def haversine_km(a: Point, b: Point) -> float:
    lat1, lng1, lat2, lng2 = map(radians, (a[0], a[1], b[0], b[1]))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))


def _nearest_neighbour(start: Point, stops: list[tuple[int, Point]]) -> list[tuple[int, Point]]:
    remaining = sorted(stops, key=lambda s: s[0])
    path, here = [], start
    while remaining:
        best = min(remaining, key=lambda s: (haversine_km(here, s[1]), s[0]))
        remaining.remove(best)
        path.append(best)
        here = best[1]
    return path


def _two_opt(start: Point, path: list[tuple[int, Point]], max_passes: int = 100) -> list[tuple[int, Point]]:
    """Reverse any stretch of an open path (start fixed, no return leg) that
    makes it shorter; the first improving pair in scan order is taken."""
    points = [start] + [p for _, p in path]
    order = list(path)
    n = len(order)
    for _ in range(max_passes):
        improved = False
        for i in range(1, n):
            for j in range(i + 1, n + 1):
                a, b = points[i - 1], points[i]
                c = points[j]
                d = points[j + 1] if j < n else None
                before = haversine_km(a, b) + (haversine_km(c, d) if d else 0.0)
                after = haversine_km(a, c) + (haversine_km(b, d) if d else 0.0)
                if after < before - EPSILON_KM:
                    points[i : j + 1] = reversed(points[i : j + 1])
                    order[i - 1 : j] = reversed(order[i - 1 : j])
                    improved = True
        if not improved:
            break
    return order


def plan_route(start: Point | None, stops: list[tuple[int, Point | None]]) -> list[tuple[int, float | None]]:
    """``[(stop id, km from the previous point)]`` in driving order. Stops with
    no coordinates go last, by id, with no distance."""
    located = [(sid, p) for sid, p in stops if p is not None]
    unlocated = sorted(sid for sid, p in stops if p is None)
    if not located:
        return [(sid, None) for sid in unlocated]
    if start is None:  # no depot position: begin at the lowest id
        first = min(located, key=lambda s: s[0])
        start = first[1]
    ordered = _two_opt(start, _nearest_neighbour(start, located))
    legs: list[tuple[int, float | None]] = []
    here = start
    for sid, point in ordered:
        legs.append((sid, haversine_km(here, point)))
        here = point
    return legs + [(sid, None) for sid in unlocated]
