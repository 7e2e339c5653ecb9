"""The delivery flow fulfils orders and enforces the household-hours rule."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.billing.tests.helpers import delivery_body, load_vehicle, post_delivery
from apps.core.tests.factories import CustomerFactory
from apps.deliveries.models import Delivery
from apps.orders.enums import OrderStatus
from apps.orders.tests.helpers import make_order
from apps.sync.tests.signing import PhoneKey, register_device

pytestmark = pytest.mark.django_db
SGT = ZoneInfo("Asia/Singapore")


def test_delivery_fulfils_its_order_once(world, api):
    load_vehicle(world, quantity=10)
    order = make_order(world, quantity=3)
    client = api(world.users["driver"])
    res = post_delivery(client, delivery_body(world, order=order.pk), key="6f1c1f7e-4c55-4a43-9d38-3c5f4d3c2a01")
    assert res.status_code == 201, res.content
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivery_id == res.json()["id"]
    replay = post_delivery(client, delivery_body(world, order=order.pk), key="6f1c1f7e-4c55-4a43-9d38-3c5f4d3c2a01")
    assert replay.status_code == 201 and replay.json()["id"] == order.delivery_id

    second = post_delivery(client, delivery_body(world, order=order.pk))
    assert second.status_code == 409 and second.json()["code"] == "order_already_delivered"
    assert Delivery.objects.count() == 1

    other = make_order(world, customer=world.customers[1])
    wrong = post_delivery(client, delivery_body(world, order=other.pk))
    assert wrong.status_code == 400 and "order" in wrong.json()["fields"]
    missing = post_delivery(client, delivery_body(world, order=987654))
    assert missing.status_code == 400
    assert Delivery.objects.count() == 1


def _last_night_at(hour: int, minute: int) -> datetime:
    yesterday = timezone.localdate() - timedelta(days=1)
    return datetime.combine(yesterday, time(hour, minute), tzinfo=SGT)


def test_out_of_hours_household_delivery_needs_the_acknowledgement(world, api):
    load_vehicle(world, quantity=10)
    home = CustomerFactory(kind="HOUSEHOLD")
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    late = _last_night_at(22, 30)
    body = delivery_body(world, customer=home.pk)

    refused = key.event("delivery.create", body, occurred_at=late)
    [answer] = client.post("/api/sync/", {"device": device, "events": [refused]}, format="json").json()["results"]
    assert answer["code"] == "household_hours_unacknowledged" and "22:30" in answer["warning"]
    assert Delivery.objects.count() == 0

    acknowledged = key.event(
        "delivery.create", {**body, "acknowledged_warnings": ["household_hours"]}, occurred_at=late
    )
    [answer] = client.post("/api/sync/", {"device": device, "events": [acknowledged]}, format="json").json()["results"]
    assert answer["status"] == "applied", answer
    log = AuditLog.objects.get(action="delivery.created", entity_id=str(answer["result"]["id"]))
    assert log.after["warnings_acknowledged"][0].startswith("Household delivery at 22:30")

    daytime = key.event("delivery.create", body, occurred_at=_last_night_at(10, 0))
    [answer] = client.post("/api/sync/", {"device": device, "events": [daytime]}, format="json").json()["results"]
    assert answer["status"] == "applied"
    bad = post_delivery(client, {**body, "acknowledged_warnings": ["whatever"]})
    assert bad.status_code == 400
