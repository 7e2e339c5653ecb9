"""Distance sources: straight lines, and an OSRM table service played by a real
HTTP server on 127.0.0.1 answering in OSRM's format."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from apps.dispatch.distance import DistanceUnavailable, Osrm, StraightLine, default_matrix

TAMPINES = (1.3530, 103.9450)
JURONG_WEST = (1.3404, 103.7090)
WOODLANDS = (1.4360, 103.7860)


class FakeOsrm(BaseHTTPRequestHandler):
    """Answers ``/table/v1/driving/...`` as ``mode`` says: ok, 500, slow, garbage."""

    mode = "ok"
    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        FakeOsrm.paths.append(self.path)
        if self.mode == "500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"code":"InvalidQuery"}')
            return
        if self.mode == "slow":
            time.sleep(1.0)
        coords = self.path.split("/table/v1/driving/")[1].split("?")[0].split(";")
        n = len(coords)
        if self.mode == "garbage":
            body = b"<html>not json</html>"
        elif self.mode == "short":
            body = json.dumps({"code": "Ok", "distances": [[0.0]], "durations": [[0.0]]}).encode()
        else:
            distances = [[0.0 if i == j else 1000.4 * (i + 1) + j for j in range(n)] for i in range(n)]
            durations = [[0.0 if i == j else 60.6 * (i + 1) for j in range(n)] for i in range(n)]
            body = json.dumps({"code": "Ok", "distances": distances, "durations": durations}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osrm_server() -> Iterator[str]:
    FakeOsrm.mode = "ok"
    FakeOsrm.paths = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_osrm_parses_the_table_and_rounds(osrm_server: str) -> None:
    metres, seconds = Osrm(osrm_server + "/").matrix([TAMPINES, JURONG_WEST, WOODLANDS])
    assert metres == [[0, 1001, 1002], [2001, 0, 2003], [3001, 3002, 0]]
    assert seconds == [[0, 61, 61], [121, 0, 121], [182, 182, 0]]
    path = FakeOsrm.paths[0]
    assert path.startswith("/table/v1/driving/103.945000,1.353000;103.709000,1.340400;")
    assert path.endswith("?annotations=distance,duration")


@pytest.mark.parametrize("mode", ["500", "garbage", "short"])
def test_osrm_bad_answers_raise(osrm_server: str, mode: str) -> None:
    FakeOsrm.mode = mode
    with pytest.raises(DistanceUnavailable):
        Osrm(osrm_server).matrix([TAMPINES, JURONG_WEST])


def test_osrm_timeout_raises(osrm_server: str) -> None:
    FakeOsrm.mode = "slow"
    with pytest.raises(DistanceUnavailable, match="unreachable"):
        Osrm(osrm_server, timeout_s=0.2).matrix([TAMPINES, JURONG_WEST])


def test_osrm_nothing_listening_raises() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsrm)
    port = server.server_address[1]
    server.server_close()
    with pytest.raises(DistanceUnavailable):
        Osrm(f"http://127.0.0.1:{port}", timeout_s=1).matrix([TAMPINES, JURONG_WEST])


def test_straight_line_symmetric_zero_diagonal() -> None:
    points = [TAMPINES, JURONG_WEST, WOODLANDS, TAMPINES]
    metres, seconds = StraightLine().matrix(points)
    for i in range(len(points)):
        assert metres[i][i] == 0 and seconds[i][i] == 0
        for j in range(len(points)):
            assert metres[i][j] == metres[j][i]
            assert seconds[i][j] == seconds[j][i]
    assert metres[0][3] == 0  # the same place twice
    assert 26_000 * 1.35 < metres[0][1] < 27_000 * 1.35  # Tampines to Jurong West, about 26 km as the crow flies


def test_straight_line_road_factor_and_speed_scale() -> None:
    base_m, base_s = StraightLine(road_factor=1.0, speed_kmh=36.0).matrix([TAMPINES, WOODLANDS])
    double_m, slow_s = StraightLine(road_factor=2.0, speed_kmh=18.0).matrix([TAMPINES, WOODLANDS])
    assert abs(double_m[0][1] - 2 * base_m[0][1]) <= 2
    assert abs(slow_s[0][1] - 4 * base_s[0][1]) <= 4  # twice the road at half the speed
    assert abs(base_s[0][1] - base_m[0][1] / 10) <= 1  # 36 km/h is 10 m/s


def test_straight_line_320_points_is_fast() -> None:
    points = [(1.27 + 0.18 * (i % 17) / 17, 103.62 + 0.38 * (i % 19) / 19) for i in range(320)]
    t0 = time.perf_counter()
    metres, _ = StraightLine().matrix(points)
    assert time.perf_counter() - t0 < 1.0
    assert len(metres) == 320 and all(len(row) == 320 for row in metres)


def test_default_matrix_from_settings() -> None:
    with override_settings(DISPATCH_OSRM_URL="", DISPATCH_ROAD_FACTOR=1.5, DISPATCH_SPEED_KMH=30):
        source = default_matrix()
        assert isinstance(source, StraightLine) and source.road_factor == 1.5 and source.speed_kmh == 30
    with override_settings(DISPATCH_OSRM_URL="http://127.0.0.1:5000"):
        assert isinstance(default_matrix(), Osrm)
