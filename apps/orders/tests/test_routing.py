import random
from datetime import date

import pytest
from django.test import Client

from apps.orders.enums import OrderStatus
from apps.orders.models import RoutePlan
from apps.orders.routing import _nearest_neighbour, haversine_km, plan_route
from apps.orders.services import order_cancel
from apps.orders.tests.helpers import customer_at, make_order

DAY = date(2026, 3, 2)


def _length(start, ordered, points):
    total, here = 0.0, start
    for sid in ordered:
        total += haversine_km(here, points[sid])
        here = points[sid]
    return total


def test_haversine_is_about_right():
    # Tuas to Changi is about 45 km as the crow flies
    assert 43 < haversine_km((1.30, 103.64), (1.36, 104.03)) < 46
    assert haversine_km((1.3, 103.8), (1.3, 103.8)) == 0


def test_plan_is_deterministic_complete_and_no_longer_than_nearest_neighbour():
    rng = random.Random(7)
    points = {i: (1.25 + rng.random() * 0.2, 103.6 + rng.random() * 0.4) for i in range(1, 41)}
    start = (1.30, 103.65)
    stops = list(points.items())
    first = plan_route(start, stops)
    assert plan_route(start, list(reversed(stops))) == first  # input order does not matter
    ids = [sid for sid, _ in first]
    assert sorted(ids) == sorted(points)
    nn = [sid for sid, _ in _nearest_neighbour(start, stops)]
    assert _length(start, ids, points) < _length(start, nn, points)  # 2-opt found something here
    assert sum(km for _, km in first) == pytest.approx(_length(start, ids, points))


def test_ties_go_to_the_lower_id_and_stops_without_coordinates_go_last():
    same = (1.35, 103.85)
    legs = plan_route((1.30, 103.80), [(9, None), (5, same), (3, same), (4, None), (8, (1.31, 103.80))])
    assert [sid for sid, _ in legs] == [8, 3, 5, 4, 9]
    assert legs[2][1] == 0 and legs[3][1] is None


def test_two_opt_untangles_a_crossing():
    # nearest neighbour from the start goes 1 -> 2 -> 3 -> 4 with a crossing; 2-opt removes it
    start = (0.0, 0.0)
    points = {1: (0.0, 1.0), 2: (1.0, 2.0), 3: (1.0, 1.0), 4: (0.0, 2.05)}
    ordered = [sid for sid, _ in plan_route(start, list(points.items()))]
    nn = [sid for sid, _ in _nearest_neighbour(start, list(points.items()))]
    assert _length(start, ordered, points) <= _length(start, nn, points)


@pytest.mark.django_db
def test_route_plan_api_orders_each_assigned_stop_once(world, api):
    customers = [customer_at(f"1.{30 + i * 3}", f"103.{70 + (i * 7) % 25}") for i in range(8)]
    orders = [make_order(world, customer=c, day=DAY) for c in customers]
    make_order(world, customer=customers[0], day=DAY)  # two orders for one customer: two stops
    unassigned = make_order(world, customer=customers[1], day=DAY, driver=None)
    other_driver = make_order(world, customer=customers[2], day=DAY, driver="driver2")
    cancelled = make_order(world, customer=customers[3], day=DAY)
    order_cancel(actor=world.users["supervisor"], order=cancelled, reason="customer away")

    client = api(world.users["supervisor"])
    res = client.post("/api/routes/plan/", {"driver": world.users["driver"].pk, "date": str(DAY)}, format="json")
    assert res.status_code == 201, res.content
    plan = res.json()
    stop_orders = [s["order"] for s in plan["stops"]]
    assert [s["sequence"] for s in plan["stops"]] == list(range(1, 10))
    assert sorted(stop_orders) == sorted([o.pk for o in orders] + [orders[-1].pk + 1])
    assert len(set(stop_orders)) == len(stop_orders)
    assert unassigned.pk not in stop_orders and other_driver.pk not in stop_orders and cancelled.pk not in stop_orders
    assert plan["start_depot"] == world.vehicle.home_depot_id

    again = client.post("/api/routes/plan/", {"driver": world.users["driver"].pk, "date": str(DAY)}, format="json")
    assert [s["order"] for s in again.json()["stops"]] == stop_orders
    assert RoutePlan.objects.count() == 1

    browser = Client()
    browser.force_login(world.users["supervisor"])
    page = browser.get(f"/admin/orders/routeplan/{plan['id']}/change/")
    assert page.status_code == 200 and customers[0].name.encode() in page.content
    assert all(o.status == OrderStatus.ASSIGNED for o in orders)


@pytest.mark.django_db
def test_only_dispatchers_plan_and_input_is_checked(world, api):
    body = {"driver": world.users["driver"].pk, "date": str(DAY)}
    assert api(world.users["driver"]).post("/api/routes/plan/", body, format="json").status_code == 403
    sup = api(world.users["supervisor"])
    assert (
        sup.post("/api/routes/plan/", {**body, "driver": world.users["finance"].pk}, format="json").status_code == 400
    )
    assert sup.post("/api/routes/plan/", {**body, "date": "yesterday"}, format="json").status_code == 400
    empty = sup.post("/api/routes/plan/", body, format="json")
    assert empty.status_code == 201 and empty.json()["stops"] == []
