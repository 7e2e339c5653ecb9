"""Property test over random days, through the services and the database:
no truck over its racks or its weight, no stop outside its window, every
order on exactly one route or left out with a reason, the load sheet equal
to the planned stops plus the buffer, and a re-plan after deliveries never
moves a done stop."""

from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.billing.tests.helpers import deliver
from apps.depots.models import Vehicle, VehicleCapacity
from apps.dispatch.models import LoadSheetLine
from apps.dispatch.planning import SINGAPORE, at
from apps.dispatch.problem import Reason
from apps.dispatch.services import dispatch_plan
from apps.distribution.services import distribution_create
from apps.inventory.enums import MovementType
from apps.orders.enums import OrderStatus
from apps.orders.models import Order, RoutePlan
from apps.orders.services import order_create

REASONS = {Reason.NO_LOCATION, Reason.NO_STOCK, Reason.CAPACITY, Reason.WINDOW, Reason.NO_TRUCK}
WINDOWS = [None, (time(7), time(10)), (time(8), time(17)), (time(13), time(15)), (time(9), time(9, 30))]

order_spec = st.tuples(
    st.floats(min_value=1.27, max_value=1.45),  # latitude
    st.floats(min_value=103.62, max_value=104.0),  # longitude
    st.integers(min_value=0, max_value=2),  # cylinder type
    st.integers(min_value=1, max_value=14),  # quantity: 7 x 14 kg and friends
    st.sampled_from(range(len(WINDOWS))),
    st.booleans(),  # urgent
    st.booleans(),  # located
)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    specs=st.lists(order_spec, min_size=1, max_size=14),
    racks=st.integers(min_value=6, max_value=40),
    max_kg=st.integers(min_value=150, max_value=2000),
    buffer=st.integers(min_value=0, max_value=35),
)
def test_random_days_keep_every_rule(world, specs, racks, max_kg, buffer):
    from apps.core.tests.factories import CustomerFactory

    w = world
    w.types_by_id = {t.pk: t for t in w.types}
    day = timezone.localdate() + timedelta(days=1)
    w.depot.latitude, w.depot.longitude = Decimal("1.296110"), Decimal("103.637530")
    w.depot.save()
    Vehicle.objects.update(max_load_kg=Decimal(max_kg))
    VehicleCapacity.objects.all().delete()
    for vehicle in (w.vehicle, w.vehicle2):
        for t in w.types:
            VehicleCapacity.objects.create(vehicle=vehicle, cylinder_type=t, max_qty=racks)
    Order.objects.filter(scheduled_for=day).update(status=OrderStatus.CANCELLED)
    orders = []
    for lat, lng, type_index, qty, window, urgent, located in specs:
        customer = CustomerFactory(
            latitude=Decimal(f"{lat:.6f}") if located else None, longitude=Decimal(f"{lng:.6f}") if located else None
        )
        o = order_create(
            actor=w.users["supervisor"],
            customer=customer,
            scheduled_for=day,
            lines=[{"cylinder_type": w.types[type_index], "quantity": qty}],
        )
        opens_closes = WINDOWS[window]
        Order.objects.filter(pk=o.pk).update(
            urgent=urgent,
            window_start=opens_closes[0] if opens_closes else None,
            window_end=opens_closes[1] if opens_closes else None,
        )
        orders.append(o.pk)

    plan = dispatch_plan(actor=w.users["supervisor"], day=day, buffer_percent=buffer)

    unassigned = {int(k): v for k, v in plan.snapshot["unassigned"].items()}
    routed: list[int] = []
    for route in RoutePlan.objects.filter(date=day).select_related("vehicle"):
        stops = list(route.stops.select_related("order").prefetch_related("order__lines__cylinder_type"))
        routed += [s.order_id for s in stops]
        per_type: dict[int, int] = {}
        grams = Decimal(0)
        for stop in stops:
            if stop.order_id not in orders:
                continue
            for line in stop.order.lines.all():
                per_type[line.cylinder_type_id] = per_type.get(line.cylinder_type_id, 0) + line.quantity
                grams += (line.cylinder_type.weight_kg + line.cylinder_type.tare_kg) * line.quantity
            order = stop.order
            if order.window_start and stop.eta:
                local = stop.eta.astimezone(SINGAPORE).time()
                assert order.window_start <= local <= order.window_end, (order.pk, local)
        assert all(qty <= racks for qty in per_type.values()), per_type
        assert grams <= max_kg, grams
        sheet = {line.cylinder_type_id: line for line in LoadSheetLine.objects.filter(plan=plan, vehicle=route.vehicle)}
        assert {t: line.ordered for t, line in sheet.items()} == per_type
        for t, line in sheet.items():
            assert line.to_load == line.ordered + line.buffer and line.buffer <= -(-line.ordered * buffer // 100)
            assert line.to_load <= racks  # the buffer never overfills the racks
        loaded_g = sum((w.types_by_id[t].weight_kg + w.types_by_id[t].tare_kg) * x.to_load for t, x in sheet.items())
        assert loaded_g <= max_kg
    mine = [o for o in routed if o in orders]
    assert len(mine) == len(set(mine))
    assert set(mine) | set(unassigned) == set(orders) and not set(mine) & set(unassigned)
    assert set(unassigned.values()) <= REASONS

    # deliver the first stop of each truck, re-plan: the done stops stay first
    done = {}
    for route in RoutePlan.objects.filter(date=day).select_related("driver", "vehicle"):
        first = route.stops.order_by("sequence").first()
        if first is None:
            continue
        order = first.order
        lines = [
            {"cylinder_type": x.cylinder_type, "delivered_full": x.quantity, "returned_empty": 0}
            for x in order.lines.all()
        ]
        distribution_create(
            actor=w.users["admin"],
            vehicle=route.vehicle,
            items=[
                {
                    "depot": w.depot,
                    "cylinder_type": x["cylinder_type"],
                    "quantity": x["delivered_full"],
                    "movement_type": MovementType.COLLECTION,
                }
                for x in lines
            ],  # fmt: skip
            occurred_at=at(day, 6 * 3600),
        )
        deliver(
            w,
            actor=route.driver,
            vehicle=route.vehicle,
            customer=order.customer,
            order=order,
            lines=lines,
            occurred_at=at(day, 12 * 3600),
        )
        done[route.driver_id] = order.pk
    dispatch_plan(actor=w.users["supervisor"], day=day, buffer_percent=buffer)
    for driver_id, order_id in done.items():
        route = RoutePlan.objects.get(driver_id=driver_id, date=day)
        assert route.stops.order_by("sequence").first().order_id == order_id
