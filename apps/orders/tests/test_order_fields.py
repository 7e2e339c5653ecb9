"""Windows and urgency on the order path (POST/PATCH /api/orders/)."""

import pytest
from django.utils import timezone

from apps.customers.enums import CustomerKind
from apps.orders.models import Order

pytestmark = pytest.mark.django_db


def body(world, customer=None, **overrides):
    return {
        "customer": (customer or world.customers[0]).pk,
        "scheduled_for": str(timezone.localdate()),
        "lines": [{"cylinder_type": world.gas.pk, "quantity": 1}],
        **overrides,
    }


def test_window_and_urgency_in_and_out(world, api):
    client = api(world.users["supervisor"])
    res = client.post("/api/orders/", body(world, window_start="09:30", window_end="11:00", urgent=True), format="json")
    assert res.status_code == 201, res.content
    data = res.json()
    assert (data["window_start"], data["window_end"], data["urgent"]) == ("09:30", "11:00", True)
    assert (data["source"], data["pinned_vehicle"], data["unplanned_reason"]) == ("OFFICE", None, "")
    # read-only: ignored on input
    res = client.post("/api/orders/", body(world, source="IMPORT", unplanned_reason="x"), format="json")
    assert res.json()["source"] == "OFFICE" and res.json()["window_start"] is None

    order_id = data["id"]
    res = client.patch(f"/api/orders/{order_id}/", {"window_start": "10:00", "urgent": False}, format="json")
    assert res.status_code == 200 and res.json()["window_start"] == "10:00" and res.json()["urgent"] is False
    # a new start after the kept end
    res = client.patch(f"/api/orders/{order_id}/", {"window_start": "11:30"}, format="json")
    assert res.status_code == 400 and list(res.json()["fields"]) == ["window_end"]
    assert Order.objects.get(pk=order_id).window_start.hour == 10


@pytest.mark.parametrize(
    ("kind", "window", "field"),
    [
        (CustomerKind.COMMERCIAL, ("12:00", "09:00"), "window_end"),
        (CustomerKind.COMMERCIAL, ("09:00", "09:00"), "window_end"),
        (CustomerKind.HOUSEHOLD, ("06:00", "09:00"), "window_start"),
        (CustomerKind.HOUSEHOLD, ("19:00", "22:00"), "window_end"),
        (CustomerKind.HOUSEHOLD, ("21:00", None), "window_start"),
    ],
)
def test_bad_windows_are_400_on_the_field(world, api, kind, window, field):
    customer = world.customers[1]
    customer.kind = kind
    customer.save()
    start, end = window
    res = api(world.users["supervisor"]).post(
        "/api/orders/", body(world, customer, window_start=start, window_end=end), format="json"
    )
    assert res.status_code == 400 and res.json()["code"] == "invalid"
    assert field in res.json()["fields"]
    assert Order.objects.count() == 0


def test_households_may_be_given_their_whole_day_and_commercial_any_hours(world, api):
    home, shop = world.customers[1], world.customers[2]
    home.kind = CustomerKind.HOUSEHOLD
    home.save()
    client = api(world.users["supervisor"])
    ok = client.post("/api/orders/", body(world, home, window_start="07:00", window_end="21:00"), format="json")
    assert ok.status_code == 201
    ok = client.post("/api/orders/", body(world, shop, window_start="05:00", window_end="23:30"), format="json")
    assert ok.status_code == 201


def test_a_customer_without_coordinates_may_be_ordered(world, api):
    customer = world.customers[0]
    customer.latitude = customer.longitude = None
    customer.save()
    res = api(world.users["supervisor"]).post("/api/orders/", body(world), format="json")
    assert res.status_code == 201
