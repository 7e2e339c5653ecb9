"""The dispatch desk in the admin (Django test client, real database): order
entry and assignment, day-end approval and
send-back; every write through apps.orders' services, audited."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.inventory.locations import location_for_vehicle
from apps.inventory.models import StockBalance, StockDocument
from apps.orders.enums import CountStatus, OrderStatus
from apps.orders.models import DayEndCount, Order
from apps.orders.services import day_end_count_record


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_body(client, url, **fields) -> dict:
    key = client.get(url).context["form"].initial.get("idempotency_key")
    body = {k: str(v) for k, v in fields.items()}
    if key:
        body["idempotency_key"] = str(key)
    return body


@pytest.mark.django_db
def test_a_supervisor_enters_an_order_and_assigns_it(world):
    client = client_for(world.users["supervisor"])
    url = "/admin/orders/order/add/"
    day = timezone.localdate() + timedelta(days=1)
    customer = world.customers[1]
    # a line without a type, and a zero quantity: each error on its own field
    body = form_body(client, url, customer=customer.pk, scheduled_for=day.isoformat(), qty_0=7, qty_1="",
                     type_2=world.types[1].pk, qty_2=0)  # fmt: skip
    errors = client.post(url, body).context["form"].errors
    assert "type_0" in errors
    body["type_0"] = world.gas.pk
    errors = client.post(url, body).context["form"].errors
    assert list(errors) == ["qty_2"] and "positive" in errors["qty_2"][0]
    assert Order.objects.count() == 0

    body["qty_2"] = 14
    response = client.post(url, body)
    assert response.status_code == 302
    assert client.post(url, body).status_code == 302  # double submit: one order
    order = Order.objects.get()
    assert order.status == OrderStatus.PLANNED and order.customer == customer and order.scheduled_for == day
    assert sorted((x.cylinder_type_id, x.quantity) for x in order.lines.all()) == sorted(
        [(world.gas.pk, 7), (world.types[1].pk, 14)]
    )
    assert AuditLog.objects.filter(action="order.created", entity_id=str(order.pk)).count() == 1

    change = client.get(f"/admin/orders/order/{order.pk}/change/")
    assign_url = f"/admin/orders/order/{order.pk}/assign/"
    assert (assign_url, "Assign / reschedule") in change.context["extra_tools"]
    response = client.post(assign_url, {"driver": world.users["driver2"].pk, "scheduled_for": day.isoformat()})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ASSIGNED and order.driver == world.users["driver2"]
    assert AuditLog.objects.filter(action="order.changed", entity_id=str(order.pk)).exists()
    # finance sees orders but may not enter or assign them
    finance = client_for(world.users["finance"])
    assert finance.get(url).status_code == 403 and finance.get(assign_url).status_code == 403


def pending_count(world) -> DayEndCount:
    from apps.billing.tests.helpers import load_vehicle

    load_vehicle(world, quantity=7, types=[world.gas])
    count = day_end_count_record(
        actor=world.users["driver"],
        driver=world.users["driver"],
        day=timezone.localdate(),
        lines=[{"cylinder_type": world.gas, "full_qty": 5, "empty_qty": 0}],  # 2 fulls missing
    )
    assert count.status == CountStatus.PENDING
    return count


@pytest.mark.django_db
def test_a_supervisor_approves_a_day_end_variance(world):
    count = pending_count(world)
    client = client_for(world.users["supervisor"])
    url = f"/admin/orders/dayendcount/{count.pk}/approve/"
    change = client.get(f"/admin/orders/dayendcount/{count.pk}/change/")
    assert (url, "Approve variance") in change.context["extra_tools"]
    page = client.get(url)
    assert [line.variance for line in page.context["variance_lines"]] == [-2]
    response = client.post(url, form_body(client, url, reason="   "))
    assert "reason" in response.context["form"].errors
    assert StockDocument.objects.filter(kind="ADJUSTMENT").count() == 0

    body = form_body(client, url, reason="Two fulls left at Ah Hock, confirmed by phone")
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302  # double submit: one adjustment
    count.refresh_from_db()
    assert count.status == CountStatus.APPROVED and count.reviewed_by == world.users["supervisor"]
    assert StockDocument.objects.filter(kind="ADJUSTMENT").count() == 1
    truck = StockBalance.objects.get(location=location_for_vehicle(world.vehicle), cylinder_type=world.gas)
    assert truck.full_qty == 5
    assert AuditLog.objects.filter(action="day_end.approved", entity_id=str(count.pk)).exists()


@pytest.mark.django_db
def test_a_supervisor_sends_a_day_end_count_back(world):
    count = pending_count(world)
    client = client_for(world.users["supervisor"])
    url = f"/admin/orders/dayendcount/{count.pk}/send-back/"
    assert client.post(url, form_body(client, url, reason="")).status_code == 200
    count.refresh_from_db()
    assert count.status == CountStatus.PENDING
    assert client.post(url, form_body(client, url, reason="Count the back row again")).status_code == 302
    count.refresh_from_db()
    assert count.status == CountStatus.RETURNED and count.review_reason == "Count the back row again"
    assert StockDocument.objects.filter(kind="ADJUSTMENT").count() == 0
    # depot staff see the count but may not review it
    assert client_for(world.users["depot_staff"]).get(url).status_code == 403
