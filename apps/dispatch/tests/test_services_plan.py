"""Planning a day through the services and the API: who takes what, in what
order, with which ETAs; what is left out and why; re-planning keeps done
stops; moves, locks and clashes."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.billing.tests.helpers import deliver
from apps.core.exceptions import ApplicationError, ConflictError
from apps.core.testing.world import api_client_for
from apps.depots.models import VehicleCapacity
from apps.dispatch.models import DispatchPlan, LoadSheetLine
from apps.dispatch.planning import SINGAPORE, at
from apps.dispatch.services import dispatch_lock, dispatch_move, dispatch_plan
from apps.distribution.services import distribution_create
from apps.inventory.enums import MovementType
from apps.orders.enums import OrderStatus
from apps.orders.models import Order, RouteClash, RoutePlan
from apps.orders.services import order_cancel, order_create

# Real places around Singapore (lat, lng).
PLACES = [
    (1.3526, 103.9446),  # Tampines
    (1.3236, 103.9273),  # Bedok
    (1.3404, 103.7090),  # Jurong West
    (1.4370, 103.7865),  # Woodlands
    (1.3691, 103.8454),  # Ang Mo Kio
    (1.3343, 103.8563),  # Toa Payoh
    (1.3162, 103.7649),  # Clementi
    (1.4304, 103.8354),  # Yishun
]


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def day_world(world):
    """The world's depot at Tuas, both trucks with racks, customers placed."""
    world.depot.latitude, world.depot.longitude = Decimal("1.296110"), Decimal("103.637530")
    world.depot.save()
    for vehicle in (world.vehicle, world.vehicle2):
        for t in world.types:
            VehicleCapacity.objects.create(vehicle=vehicle, cylinder_type=t, max_qty=40)
    from apps.core.tests.factories import CustomerFactory

    world.customers += [CustomerFactory() for _ in range(len(PLACES) - len(world.customers))]
    for customer, (lat, lng) in zip(world.customers, PLACES, strict=False):
        customer.latitude, customer.longitude = Decimal(str(lat)), Decimal(str(lng))
        customer.save()
    return world


def order(world, day, customer, qty=2, type_index=0, **kwargs):
    o = order_create(
        actor=world.users["supervisor"],
        customer=customer,
        scheduled_for=day,
        lines=[{"cylinder_type": world.types[type_index], "quantity": qty}],
    )
    if kwargs:
        Order.objects.filter(pk=o.pk).update(**kwargs)
        o.refresh_from_db()
    return o


def test_plan_assigns_every_order_or_says_why(day_world, day):
    w = day_world
    orders = [order(w, day, c, qty=1 + i % 3) for i, c in enumerate(w.customers)]
    w.customers[0].latitude = None
    w.customers[0].save()
    plan = dispatch_plan(actor=w.users["supervisor"], day=day)

    assert plan.version == 1 and plan.kind == "PLAN" and plan.engine
    routes = RoutePlan.objects.filter(date=day)
    routed = {s.order_id for r in routes for s in r.stops.all()}
    assert routed == {o.pk for o in orders[1:]}
    first = Order.objects.get(pk=orders[0].pk)
    assert first.status == OrderStatus.PLANNED and first.unplanned_reason == "no_location" and first.driver is None
    for route in routes:
        etas = [s.eta for s in route.stops.order_by("sequence")]
        assert all(etas) and etas == sorted(etas)
        for stop in route.stops.all():
            local = stop.eta.astimezone(SINGAPORE).time()
            if stop.window_start:
                assert stop.window_start <= local <= stop.window_end
            assert Order.objects.get(pk=stop.order_id).driver_id == route.driver_id
        assert route.vehicle_id == route.driver.vehicle_id and route.total_km > 0
    # the load sheet is the planned stops plus the buffer (10 %, rounded up)
    for line in LoadSheetLine.objects.filter(plan=plan):
        ordered = sum(
            ol.quantity
            for r in routes.filter(vehicle=line.vehicle)
            for s in r.stops.all()
            for ol in s.order.lines.all()
            if ol.cylinder_type_id == line.cylinder_type_id
        )
        assert line.ordered == ordered and line.to_load == ordered + -(-ordered * 10 // 100)
    audit = AuditLog.objects.get(action="dispatch.planned", entity_id=str(plan.pk))
    assert audit.after["unassigned"] == {str(orders[0].pk): "no_location"}


def test_windows_capacity_and_stock_leave_orders_out_with_their_reason(day_world, day):
    w = day_world
    too_big = order(w, day, w.customers[1], qty=41)  # racks hold 40
    never = order(w, day, w.customers[2], qty=1, window_start=time(5, 0), window_end=time(5, 30))  # before the shift
    fine = order(w, day, w.customers[3], qty=1)
    restaurant = order(w, day, w.customers[4], qty=3, window_start=time(7, 0), window_end=time(10, 0))
    no_stock = order(w, day, w.customers[5], qty=120, type_index=2)  # the depot holds 100
    VehicleCapacity.objects.filter(cylinder_type=w.types[2]).update(max_qty=200)
    from apps.depots.models import Vehicle

    Vehicle.objects.update(max_load_kg=Decimal("20000"))
    plan = dispatch_plan(actor=w.users["supervisor"], day=day)
    reasons = plan.snapshot["unassigned"]
    assert reasons[str(too_big.pk)] == "capacity"
    assert reasons[str(never.pk)] == "window"
    assert str(fine.pk) not in reasons and str(restaurant.pk) not in reasons
    stop = RoutePlan.objects.get(stops__order=restaurant).stops.get(order=restaurant)
    assert stop.eta.astimezone(SINGAPORE).time() <= time(10, 0)
    assert reasons[str(no_stock.pk)] == "no_stock"
    assert Order.objects.get(pk=no_stock.pk).unplanned_reason == "no_stock"


def test_no_trucks_is_a_clear_error_and_writes_nothing(day_world, day):
    w = day_world
    order(w, day, w.customers[1])
    for name in ("driver", "driver2"):
        w.users[name].is_active = False
        w.users[name].save()
    client = api_client_for(w.users["supervisor"])
    res = client.post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json")
    assert res.status_code == 422 and res.json()["code"] == "no_trucks"
    assert not DispatchPlan.objects.exists() and not RoutePlan.objects.exists()


def test_plan_over_the_api_is_idempotent_and_for_dispatchers(day_world, day):
    w = day_world
    for c in w.customers[1:4]:
        order(w, day, c)
    client = api_client_for(w.users["supervisor"])
    key = "0b7c6a58-9a53-4a31-8f0e-2f1f4b1c9d11"
    first = client.post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert DispatchPlan.objects.count() == 1
    for role in ("driver", "finance", "depot_staff", "auditor"):
        res = api_client_for(w.users[role]).post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json")
        assert res.status_code == 403, role
    board = client.get(f"/api/dispatch/board/?date={day.isoformat()}").json()
    assert board["plan"]["version"] == 1 and board["counts"]["planned"] == 3
    assert sum(len(t["route"]["stops"]) for t in board["trucks"] if t["route"]) == 3
    assert api_client_for(w.users["auditor"]).get(f"/api/dispatch/board/?date={day}").status_code == 200
    assert api_client_for(w.users["driver"]).get(f"/api/dispatch/board/?date={day}").status_code == 403
    # a driver reads only their own route
    mine = api_client_for(w.users["driver"]).get(f"/api/dispatch/routes/?date={day}").json()
    assert all(r["driver"] == w.users["driver"].pk for r in mine)
    bad = client.post("/api/dispatch/plans/", {"date": "2026-13-01"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    past = client.post("/api/dispatch/plans/", {"date": (day - timedelta(days=2)).isoformat()}, format="json")
    assert past.status_code == 400 and "date" in past.json()["fields"]
    assert DispatchPlan.objects.count() == 1


def _load(world, vehicle, day, quantity=20):
    distribution_create(
        actor=world.users["admin"],
        vehicle=vehicle,
        items=[
            {"depot": world.depot, "cylinder_type": t, "quantity": quantity, "movement_type": MovementType.COLLECTION}
            for t in world.types
        ],
        occurred_at=at(day, 7 * 3600),
    )


def test_replan_never_moves_done_stops_and_trucks_out_carry_what_is_on_board(day_world, day):
    w = day_world
    orders = [order(w, day, c, qty=2) for c in w.customers[1:7]]
    dispatch_plan(actor=w.users["supervisor"], day=day)
    _load(w, w.vehicle, day)
    _load(w, w.vehicle2, day)
    route = RoutePlan.objects.get(driver=w.users["driver"], date=day)
    first_stop = route.stops.order_by("sequence").first().order
    deliver(
        w,
        customer=first_stop.customer,
        order=first_stop,
        lines=[{"cylinder_type": w.gas, "delivered_full": 2, "returned_empty": 0}],
        occurred_at=at(day, 9 * 3600),
    )
    sup = api_client_for(w.users["supervisor"])
    assert all(t["out"] for t in sup.get(f"/api/dispatch/board/?date={day}").json()["trucks"])
    later = day + timedelta(days=1)  # loaded today says nothing about the next day
    assert not any(t["out"] for t in sup.get(f"/api/dispatch/board/?date={later}").json()["trucks"])
    urgent = order(w, day, w.customers[0], qty=1, urgent=True)
    plan = dispatch_plan(actor=w.users["supervisor"], day=day)
    assert plan.version == 2 and plan.kind == "REPLAN"
    route = RoutePlan.objects.get(driver=w.users["driver"], date=day)
    assert route.stops.order_by("sequence").first().order_id == first_stop.pk  # the done stop stays first
    routed = {s.order_id for r in RoutePlan.objects.filter(date=day) for s in r.stops.all()}
    assert routed == {o.pk for o in orders} | {urgent.pk}
    # 20 of each type were loaded; the new plan's stops per truck stay within what it carries
    for r in RoutePlan.objects.filter(date=day):
        lines = [line for s in r.stops.all() for line in s.order.lines.all()]
        open_qty = sum(line.remaining_quantity for line in lines if line.cylinder_type == w.gas)
        assert open_qty <= 20


def test_move_pins_the_order_to_the_other_truck_and_lock_keeps_it(day_world, day):
    w = day_world
    orders = [order(w, day, c) for c in w.customers[1:5]]
    dispatch_plan(actor=w.users["supervisor"], day=day)
    target = orders[0]
    target.refresh_from_db()
    other = w.vehicle2 if target.driver_id == w.users["driver"].pk else w.vehicle
    plan = dispatch_move(actor=w.users["supervisor"], order=target, vehicle=other)
    target.refresh_from_db()
    assert plan.kind == "MOVE" and target.pinned_vehicle == other and target.driver.vehicle_id == other.pk
    locked = dispatch_lock(actor=w.users["supervisor"], order=orders[1], locked=True)
    assert locked.pinned_vehicle_id == Order.objects.get(pk=orders[1].pk).driver.vehicle_id
    dispatch_plan(actor=w.users["supervisor"], day=day)
    assert Order.objects.get(pk=orders[1].pk).driver.vehicle_id == locked.pinned_vehicle_id
    with pytest.raises(ApplicationError):
        dispatch_move(actor=w.users["driver"], order=target, vehicle=other)


def test_a_stop_taken_away_while_offline_still_delivers_and_the_dispatcher_sees_the_clash(day_world, day):
    w = day_world
    mine = order(w, day, w.customers[1])
    gone = order(w, day, w.customers[2])
    dispatch_plan(actor=w.users["supervisor"], day=day)
    _load(w, w.vehicle, day)
    _load(w, w.vehicle2, day)
    mine.refresh_from_db()
    # the dispatcher moves it to the other truck and cancels the other one, the phone does not know
    driver = mine.driver
    other = w.vehicle2 if driver.vehicle_id == w.vehicle.pk else w.vehicle
    dispatch_move(actor=w.users["supervisor"], order=mine, vehicle=other)
    order_cancel(actor=w.users["supervisor"], order=gone, reason="customer called")
    vehicle = driver.vehicle
    line = [{"cylinder_type": w.gas, "delivered_full": 2, "returned_empty": 0}]
    d1 = deliver(w, actor=driver, vehicle=vehicle, customer=mine.customer, order=mine, lines=line)
    d2 = deliver(w, actor=driver, vehicle=vehicle, customer=gone.customer, order=gone, lines=line)
    assert d1.invoice and d2.invoice  # both recorded, both invoiced
    kinds = {c.order_id: c.kind for c in RouteClash.objects.all()}
    assert kinds == {mine.pk: "OTHER_DRIVER", gone.pk: "CANCELLED"}
    board = api_client_for(w.users["supervisor"]).get(f"/api/dispatch/board/?date={day}").json()
    assert {c["order"] for c in board["clashes"]} == {mine.pk, gone.pk}
    clash = RouteClash.objects.get(order=gone)
    res = api_client_for(w.users["supervisor"]).post(
        f"/api/dispatch/clashes/{clash.pk}/resolve/", {"resolution": "credit note raised"}, format="json"
    )
    assert res.status_code == 200
    board = api_client_for(w.users["supervisor"]).get(f"/api/dispatch/board/?date={day}").json()
    assert {c["order"] for c in board["clashes"]} == {mine.pk}
    with pytest.raises(ConflictError):
        from apps.orders.services import route_clash_resolve

        route_clash_resolve(actor=w.users["supervisor"], clash=clash, resolution="again")


@pytest.mark.parametrize("engine", ["vroom", "ortools"])
def test_the_day_is_spread_over_the_trucks(day_world, day, settings, engine):
    """Without a cap one truck could drive the whole day to save a few km;
    DISPATCH_BALANCE caps each at its share (times the factor)."""
    settings.DISPATCH_BALANCE, settings.DISPATCH_ENGINE, settings.DISPATCH_TIME_LIMIT_S = 1.0, engine, 2.0
    w = day_world
    for c in w.customers:
        order(w, day, c, qty=1)
    dispatch_plan(actor=w.users["supervisor"], day=day)
    counts = sorted(r.stops.count() for r in RoutePlan.objects.filter(date=day))
    assert counts == [4, 4], counts
