"""Two dispatchers plan the same day at once, and drivers deliver while the
day is re-planned: real threads on row locks. Every answer is a plan or a
409 ``plan_stale`` (never a 5xx, never two plans with one version), and a
delivery that lands while a plan is being made is never undone by it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.tests.helpers import deliver
from apps.core.testing.threads import run_concurrently
from apps.core.testing.world import api_client_for, build_world
from apps.depots.models import VehicleCapacity
from apps.dispatch.models import DispatchPlan
from apps.dispatch.planning import at
from apps.distribution.services import distribution_create
from apps.inventory.enums import MovementType
from apps.orders.enums import OrderStatus
from apps.orders.models import Order, RoutePlan
from apps.orders.services import order_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

PLACES = [(1.3526, 103.9446), (1.3236, 103.9273), (1.3404, 103.7090), (1.4370, 103.7865), (1.3691, 103.8454)]


def _day_world(settings):
    settings.BILLING_RENDER_PDF_ON_ISSUE = False
    world = build_world(stock=100)
    world.depot.latitude, world.depot.longitude = Decimal("1.296110"), Decimal("103.637530")
    world.depot.save()
    for vehicle in (world.vehicle, world.vehicle2):
        for t in world.types:
            VehicleCapacity.objects.create(vehicle=vehicle, cylinder_type=t, max_qty=40)
    from apps.core.tests.factories import CustomerFactory

    world.customers += [CustomerFactory() for _ in range(len(PLACES) - len(world.customers))]
    for customer, (lat, lng) in zip(world.customers, PLACES, strict=True):
        customer.latitude, customer.longitude = Decimal(str(lat)), Decimal(str(lng))
        customer.save()
    return world


def _orders(world, day):
    return [
        order_create(
            actor=world.users["supervisor"],
            customer=c,
            scheduled_for=day,
            lines=[{"cylinder_type": world.gas, "quantity": 2}],
        )
        for c in world.customers
    ]


def test_two_dispatchers_plan_one_day_at_once(settings):
    world = _day_world(settings)
    day = timezone.localdate() + timedelta(days=1)
    _orders(world, day)
    clients = [api_client_for(world.users[name]) for name in ("supervisor", "admin", "supervisor")]

    answers = run_concurrently(
        lambda i: clients[i].post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json"), 3
    )
    codes = sorted(a.status_code for a in answers)
    assert all(c in (201, 409) for c in codes), [(a.status_code, a.content[:200]) for a in answers]
    assert codes.count(201) >= 1
    for a in answers:
        if a.status_code == 409:
            assert a.json()["code"] in ("plan_stale", "conflict"), a.json()
    versions = list(DispatchPlan.objects.filter(date=day).values_list("version", flat=True))
    assert sorted(versions) == list(range(1, codes.count(201) + 1))
    stops = [s.order_id for r in RoutePlan.objects.filter(date=day) for s in r.stops.all()]
    assert sorted(stops) == sorted(Order.objects.filter(scheduled_for=day).values_list("pk", flat=True))


def test_a_delivery_during_a_re_plan_is_kept(settings):
    world = _day_world(settings)
    day = timezone.localdate() + timedelta(days=1)
    orders = _orders(world, day)
    supervisor = world.users["supervisor"]
    api_client_for(supervisor).post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json")
    for vehicle in (world.vehicle, world.vehicle2):
        distribution_create(
            actor=world.users["admin"],
            vehicle=vehicle,
            items=[
                {
                    "depot": world.depot,
                    "cylinder_type": world.gas,
                    "quantity": 20,
                    "movement_type": MovementType.COLLECTION,
                }
            ],
            occurred_at=at(day, 6 * 3600),
        )
    target = Order.objects.get(pk=orders[0].pk)
    driver = target.driver
    line = [{"cylinder_type": world.gas, "delivered_full": 2, "returned_empty": 0}]

    def act(i):
        if i == 0:
            return api_client_for(supervisor).post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json")
        return deliver(
            world,
            actor=driver,
            vehicle=driver.vehicle,
            customer=target.customer,
            order=target,
            lines=line,
            occurred_at=at(day, 9 * 3600),
        )

    plan_answer, delivery = run_concurrently(act, 2)
    assert not isinstance(delivery, Exception), delivery
    assert plan_answer.status_code in (201, 409), plan_answer.content[:300]
    target.refresh_from_db()
    assert target.status == OrderStatus.DELIVERED and target.driver_id == driver.pk
    # whichever came first, the next plan keeps the done stop on its truck, first
    api_client_for(supervisor).post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json")
    route = RoutePlan.objects.get(driver=driver, date=day)
    assert route.stops.order_by("sequence").first().order_id == target.pk


def test_two_plans_of_an_empty_day_at_once_never_fail(settings):
    """No order to lock: the version's uniqueness decides, and the loser is a
    409 plan_stale, not a 500."""
    world = _day_world(settings)
    day = timezone.localdate() + timedelta(days=2)
    clients = [api_client_for(world.users[name]) for name in ("supervisor", "admin", "supervisor", "admin")]
    answers = run_concurrently(
        lambda i: clients[i].post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json"), 4
    )
    codes = [a.status_code for a in answers]
    assert all(c in (201, 409) for c in codes), [(a.status_code, a.content[:200]) for a in answers]
    versions = sorted(DispatchPlan.objects.filter(date=day).values_list("version", flat=True))
    assert versions == list(range(1, codes.count(201) + 1)) and versions


def test_the_solve_holds_no_transaction_and_a_change_meanwhile_is_plan_stale(settings, monkeypatch):
    """The ``dispatch.plan`` command reads and solves before its transaction
    (SQLite's BEGIN IMMEDIATE would otherwise hold every driver's write for
    the whole solve); an order cancelled by the office while the solver runs
    makes the plan 409 plan_stale, and nothing of it is written."""
    from django.db import connection

    from apps.dispatch import services
    from apps.orders.services import order_cancel

    world = _day_world(settings)
    day = timezone.localdate() + timedelta(days=1)
    orders = _orders(world, day)
    real_solve, seen = services.solve, []

    def solve_while_the_office_cancels(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        if len(seen) == 1:  # the first plan: an order changes under the solver
            order_cancel(actor=world.users["supervisor"], order=orders[0], reason="customer phoned")
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(services, "solve", solve_while_the_office_cancels)
    client = api_client_for(world.users["supervisor"])
    first = client.post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json")
    assert first.status_code == 409 and first.json()["code"] == "plan_stale", first.content
    assert not DispatchPlan.objects.filter(date=day).exists() and not RoutePlan.objects.filter(date=day).exists()
    again = client.post("/api/dispatch/plans/", {"date": day.isoformat()}, format="json")
    assert again.status_code == 201, again.content
    assert seen == [False, False]  # neither solve ran inside a transaction
    planned = set(RoutePlan.objects.filter(date=day).values_list("stops__order_id", flat=True))
    assert orders[0].pk not in planned and {o.pk for o in orders[1:]} <= planned
