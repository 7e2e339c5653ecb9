from datetime import timedelta

import pytest
from django.utils import timezone

from apps.orders.enums import OrderStatus
from apps.orders.models import Order
from apps.orders.services import order_cancel, order_mark_delivered
from apps.orders.tests.helpers import make_order

pytestmark = pytest.mark.django_db


def body(world, **overrides):
    data = {
        "customer": world.customers[0].pk,
        "scheduled_for": str(timezone.localdate()),
        "lines": [{"cylinder_type": world.gas.pk, "quantity": 3}, {"cylinder_type": world.types[2].pk, "quantity": 1}],
    }
    data.update(overrides)
    return data


def test_dispatcher_creates_planned_and_assigned_orders(world, api):
    client = api(world.users["supervisor"])
    planned = client.post("/api/orders/", body(world), format="json")
    assert planned.status_code == 201 and planned.json()["status"] == "PLANNED"
    assert planned.json()["lines"] == [
        {"cylinder_type": world.gas.pk, "quantity": 3, "delivered_quantity": 0, "remaining_quantity": 3},
        {"cylinder_type": world.types[2].pk, "quantity": 1, "delivered_quantity": 0, "remaining_quantity": 1},
    ]
    assigned = client.post("/api/orders/", body(world, driver=world.users["driver"].pk), format="json")
    assert assigned.json()["status"] == "ASSIGNED" and assigned.json()["driver"] == world.users["driver"].pk

    res = client.patch(f"/api/orders/{planned.json()['id']}/", {"driver": world.users["driver2"].pk}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "ASSIGNED"
    res = client.patch(f"/api/orders/{planned.json()['id']}/", {"driver": None}, format="json")
    assert res.json()["status"] == "PLANNED"


@pytest.mark.parametrize(
    "overrides",
    [
        {"lines": []},
        {"customer": 999999},
        {"customer": "abc"},
        {"scheduled_for": "not a date"},
        {"lines": [{"cylinder_type": 1, "quantity": 0}]},
        {"lines": "x"},
        {"driver": "finance"},
    ],
)
def test_bad_orders_are_400(world, api, overrides):
    if overrides.get("driver") == "finance":
        overrides = {"driver": world.users["finance"].pk}
    res = api(world.users["supervisor"]).post("/api/orders/", body(world, **overrides), format="json")
    assert res.status_code == 400 and res.json()["code"] == "invalid"
    assert Order.objects.count() == 0


def test_same_type_twice_is_refused(world, api):
    lines = [{"cylinder_type": world.gas.pk, "quantity": 1}, {"cylinder_type": world.gas.pk, "quantity": 2}]
    res = api(world.users["supervisor"]).post("/api/orders/", body(world, lines=lines), format="json")
    assert res.status_code == 400 and Order.objects.count() == 0


def test_drivers_read_only_their_own_orders_of_today(world, api):
    mine = make_order(world)
    make_order(world, day=timezone.localdate() + timedelta(days=1))
    make_order(world, driver="driver2")
    make_order(world, driver=None)
    client = api(world.users["driver"])
    assert [o["id"] for o in client.get("/api/orders/").json()["results"]] == [mine.pk]
    assert client.post("/api/orders/", body(world), format="json").status_code == 403
    assert client.patch(f"/api/orders/{mine.pk}/", {"notes": "x"}, format="json").status_code == 403
    assert client.post(f"/api/orders/{mine.pk}/cancel/", {"reason": "x"}, format="json").status_code == 403
    assert len(api(world.users["supervisor"]).get("/api/orders/").json()["results"]) == 4
    assert api(world.users["depot_staff"]).get("/api/orders/").json()["results"] == []


def test_cancel_and_closed_orders(world, api):
    order = make_order(world)
    client = api(world.users["supervisor"])
    assert client.post(f"/api/orders/{order.pk}/cancel/", {}, format="json").status_code == 400
    res = client.post(f"/api/orders/{order.pk}/cancel/", {"reason": "shop closed"}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "CANCELLED"
    again = client.post(f"/api/orders/{order.pk}/cancel/", {"reason": "again"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "order_closed"
    assert client.patch(f"/api/orders/{order.pk}/", {"notes": "x"}, format="json").status_code == 409


def test_order_mark_delivered_once(world):
    order = make_order(world)
    done = order_mark_delivered(order=order, delivery_id=41)
    assert done.status == OrderStatus.DELIVERED and done.delivery_id == 41 and done.delivered_at
    assert order_mark_delivered(order=order.pk, delivery_id=41).delivery_id == 41  # replay: no-op
    from apps.core.exceptions import ConflictError, ValidationFailed

    with pytest.raises(ConflictError) as exc:
        order_mark_delivered(order=order, delivery_id=42)
    assert exc.value.code == "order_already_delivered"
    cancelled = make_order(world)
    order_cancel(actor=world.users["supervisor"], order=cancelled, reason="no answer")
    # delivered offline after it was cancelled: the delivery stands, the dispatcher sees the clash
    assert order_mark_delivered(order=cancelled, delivery_id=43).status == OrderStatus.CANCELLED
    assert cancelled.clashes.get().kind == "CANCELLED"
    with pytest.raises(ValidationFailed):
        order_mark_delivered(order=10**9, delivery_id=44)
