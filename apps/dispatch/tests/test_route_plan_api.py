"""POST /api/routes/plan/: one driver's assigned stops ordered by the
dispatch solver (the home-made nearest neighbour + 2-opt is gone)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.orders.enums import OrderStatus
from apps.orders.models import RoutePlan
from apps.orders.services import order_cancel
from apps.orders.tests.helpers import customer_at, make_order

DAY = timezone.localdate() + timedelta(days=3)


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


@pytest.mark.django_db
def test_the_solver_orders_near_middle_far_with_etas(world, api):
    world.depot.latitude, world.depot.longitude = "1.300000", "103.650000"
    world.depot.save()
    near = customer_at("1.3100", "103.6600")
    far = customer_at("1.4400", "103.8000")
    middle = customer_at("1.3500", "103.7200")
    orders = [make_order(world, customer=c, day=DAY) for c in (far, near, middle)]
    res = api(world.users["supervisor"]).post(
        "/api/routes/plan/", {"driver": world.users["driver"].pk, "date": str(DAY)}, format="json"
    )
    assert res.status_code == 201
    plan = RoutePlan.objects.get()
    stops = list(plan.stops.order_by("sequence"))
    # the shortest of the six ways round (the truck comes back to the depot)
    from itertools import permutations

    from apps.dispatch.distance import StraightLine

    points = [(1.30, 103.65)] + [(float(o.customer.latitude), float(o.customer.longitude)) for o in orders]
    metres, _ = StraightLine().matrix(points)
    loop = lambda seq: sum(metres[a][b] for a, b in zip((0, *seq), (*seq, 0), strict=True))  # noqa: E731
    best = min(loop(p) for p in permutations((1, 2, 3)))
    chosen = tuple(1 + [o.pk for o in orders].index(s.order_id) for s in stops)
    assert loop(chosen) <= best * 1.001 and loop(chosen) < max(loop(p) for p in permutations((1, 2, 3)))
    assert all(s.eta for s in stops) and [s.eta for s in stops] == sorted(s.eta for s in stops)
    assert plan.total_km > 0 and plan.vehicle_id == world.vehicle.pk
    page = Client()
    page.force_login(world.users["supervisor"])
    assert page.get("/admin/orders/routeplan/add/").status_code == 403  # the board plans the day
