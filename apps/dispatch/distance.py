"""Road distances and driving times between points, as two square matrices.

The solver asks one ``DistanceMatrix`` for metres and seconds between every
pair of points of a problem (truck starts and ends, then the orders). Two
sources: ``StraightLine`` (great-circle distance stretched by a road factor,
driven at an average speed; no network, always there) and ``Osrm`` (an OSRM
``table`` service, real roads). ``default_matrix()`` picks one from settings."""

import json
import math
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from apps.dispatch.problem import Point

EARTH_RADIUS_M = 6_371_008.8


class DistanceUnavailable(Exception):
    """The distance source did not answer, or answered something unusable."""


class DistanceMatrix(Protocol):
    def matrix(self, points: Sequence[Point]) -> tuple[list[list[int]], list[list[int]]]:
        """(metres, seconds): ``[i][j]`` from ``points[i]`` to ``points[j]``."""
        ...


class StraightLine:
    """Great-circle metres times ``road_factor``, driven at ``speed_kmh``.

    Rounded up, so the triangle inequality survives the rounding (a stop
    taken out of a route never makes the route longer or later)."""

    def __init__(self, road_factor: float = 1.35, speed_kmh: float = 28.0) -> None:
        if road_factor <= 0 or speed_kmh <= 0:
            raise ValueError("road_factor and speed_kmh must be positive")
        self.road_factor = road_factor
        self.speed_kmh = speed_kmh

    def matrix(self, points: Sequence[Point]) -> tuple[list[list[int]], list[list[int]]]:
        if not points:
            return [], []
        coords = np.radians(np.asarray(points, dtype=float))
        lat, lng = coords[:, 0:1], coords[:, 1:2]
        h = np.sin((lat.T - lat) / 2) ** 2 + np.cos(lat) * np.cos(lat.T) * np.sin((lng.T - lng) / 2) ** 2
        metres = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * self.road_factor
        seconds = metres / (self.speed_kmh / 3.6)
        metres_i = np.ceil(metres - 1e-6).clip(min=0).astype(np.int64)
        seconds_i = np.ceil(seconds - 1e-6).clip(min=0).astype(np.int64)
        np.fill_diagonal(metres_i, 0)
        np.fill_diagonal(seconds_i, 0)
        return metres_i.tolist(), seconds_i.tolist()


class Osrm:
    """An OSRM ``table`` service (``osrm-routed``; its ``--max-table-size``
    must allow the day's points: the default 100 is too few for a full day)."""

    def __init__(self, url: str, timeout_s: float = 10) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def matrix(self, points: Sequence[Point]) -> tuple[list[list[int]], list[list[int]]]:
        if not points:
            return [], []
        coords = ";".join(f"{lng:.6f},{lat:.6f}" for lat, lng in points)
        url = f"{self.url}/table/v1/driving/{coords}?annotations=distance,duration"
        if not url.startswith(("http://", "https://")):
            raise DistanceUnavailable(f"OSRM url must be http(s): {self.url!r}")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:  # noqa: S310 - scheme checked above
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise DistanceUnavailable(f"OSRM answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DistanceUnavailable(f"OSRM unreachable: {exc}") from exc
        try:
            data = json.loads(body)
            if data.get("code") != "Ok":
                raise DistanceUnavailable(f"OSRM error: {data.get('code')} {data.get('message', '')}".strip())
            metres = _square(data["distances"], len(points))
            seconds = _square(data["durations"], len(points))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DistanceUnavailable(f"OSRM answer unusable: {exc}") from exc
        return metres, seconds


def _square(rows: object, n: int) -> list[list[int]]:
    """An n x n table of non-negative numbers as ints; a null cell (no road
    between the two points) is unusable."""
    if not isinstance(rows, list) or len(rows) != n:
        raise ValueError(f"expected {n} rows")
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != n:
            raise ValueError(f"expected {n} columns")
        if any(cell is None for cell in row):
            raise ValueError("no route between some points")
        cells = [float(cell) for cell in row]
        if any(not math.isfinite(c) or c < 0 for c in cells):
            raise ValueError("negative or non-finite cell")
        out.append([round(c) for c in cells])
    return out


def default_matrix() -> DistanceMatrix:
    """OSRM when ``DISPATCH_OSRM_URL`` is set, otherwise straight lines with
    ``DISPATCH_ROAD_FACTOR`` and ``DISPATCH_SPEED_KMH``."""
    from django.conf import settings

    url = getattr(settings, "DISPATCH_OSRM_URL", "") or ""
    if url:
        return Osrm(url)
    return StraightLine(
        road_factor=float(getattr(settings, "DISPATCH_ROAD_FACTOR", 1.35)),
        speed_kmh=float(getattr(settings, "DISPATCH_SPEED_KMH", 28.0)),
    )
