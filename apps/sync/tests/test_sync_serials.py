"""Offline serials: delivery.create and distribution.create events run the
same command as the API, so serials signed on the phone apply the same way."""

import pytest

from apps.depots.models import Equipment
from apps.inventory.locations import location_for_customer, location_for_vehicle
from apps.inventory.selectors import balance_drift, serial_drift
from apps.inventory.tests.serial_helpers import serialised_world
from apps.sync.tests.signing import PhoneKey, register_device

pytestmark = pytest.mark.django_db


def sync(client, device, events):
    return client.post("/api/sync/", {"device": device, "events": events}, format="json").json()["results"]


def test_signed_events_with_serials_load_and_deliver_named_cylinders(world, api):
    kind, serials = serialised_world(world, count=9)
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    load = key.event(
        "distribution.create",
        {
            "vehicle": world.vehicle.pk,
            "items": [
                {
                    "depot": world.depot.pk,
                    "cylinder_type": kind.pk,
                    "quantity": 3,
                    "movement_type": "COLLECTION",
                    "serials": serials[:3],
                }
            ],
        },
    )
    delivery = key.event(
        "delivery.create",
        {
            "customer": world.customers[0].pk,
            "vehicle": world.vehicle.pk,
            "payment_method": "CASH",
            "lines": [{"cylinder_type": kind.pk, "delivered_full": 2, "delivered_serials": serials[1:3]}],
        },
    )
    # a third event names a serial still at the depot: refused, nothing of it recorded
    wrong = key.event(
        "delivery.create",
        {
            "customer": world.customers[0].pk,
            "vehicle": world.vehicle.pk,
            "payment_method": "CASH",
            "lines": [{"cylinder_type": kind.pk, "delivered_full": 1, "delivered_serials": serials[5:6]}],
        },
    )
    answers = sync(client, device, [load, delivery, wrong])
    assert [a["status"] for a in answers[:2]] == ["applied", "applied"], answers
    assert answers[2]["status"] == "rejected" and answers[2]["code"] == "serial_not_here", answers[2]
    site, truck = location_for_customer(world.customers[0]), location_for_vehicle(world.vehicle)
    positions = dict(Equipment.objects.filter(serial_number__in=serials[:3]).values_list("serial_number", "location"))
    assert positions == {serials[0]: truck.pk, serials[1]: site.pk, serials[2]: site.pk}
    assert Equipment.objects.get(serial_number=serials[5]).location.kind == "DEPOT"
    assert serial_drift() == [] and balance_drift() == []
