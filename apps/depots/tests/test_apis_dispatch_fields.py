"""The vehicle and cylinder type API carry what the dispatch planner reads:
load limit, shift, racks per type, tare weight; a shift that ends before it
starts is a 400 on the field, whichever end the PATCH names."""

import pytest

from apps.audit.models import AuditLog
from apps.core.testing.world import api_client_for
from apps.depots.models import VehicleCapacity

pytestmark = pytest.mark.django_db


def test_vehicle_shows_and_changes_its_planning_fields(world):
    client = api_client_for(world.users["admin"])
    vehicle = world.vehicle
    VehicleCapacity.objects.create(vehicle=vehicle, cylinder_type=world.gas, max_qty=57)
    url = f"/api/vehicles/{vehicle.pk}/"
    shown = client.get(url).json()
    assert shown["capacities"] == [{"cylinder_type": world.gas.pk, "max_qty": 57}]
    assert (shown["shift_start"], shown["shift_end"]) == ("07:00", "19:00")
    res = client.patch(url, {"max_load_kg": "2437.5", "shift_start": "06:15"}, format="json")
    assert res.status_code == 200, res.content
    assert res.json()["max_load_kg"] == "2437.5" and res.json()["shift_start"] == "06:15"
    [audit] = AuditLog.objects.filter(entity_type="depots.vehicle", entity_id=str(vehicle.pk))
    assert set(audit.after) == {"max_load_kg", "shift_start"}


@pytest.mark.parametrize(
    "body",
    [{"shift_end": "06:00"}, {"shift_start": "20:00"}, {"shift_start": "09:00", "shift_end": "09:00"}],
)
def test_a_shift_that_ends_before_it_starts_is_400_and_changes_nothing(world, body):
    client = api_client_for(world.users["admin"])
    res = client.patch(f"/api/vehicles/{world.vehicle.pk}/", body, format="json")
    assert res.status_code == 400 and res.json()["code"] == "invalid" and "shift_end" in res.json()["fields"]
    world.vehicle.refresh_from_db()
    assert (world.vehicle.shift_start.hour, world.vehicle.shift_end.hour) == (7, 19)
    assert not AuditLog.objects.filter(entity_type="depots.vehicle").exists()


def test_a_new_vehicle_with_a_backwards_shift_is_refused(world):
    client = api_client_for(world.users["admin"])
    body = {"plate_number": "GBX 1234 Z", "home_depot": world.depot.pk, "shift_start": "18:00", "shift_end": "08:00"}
    res = client.post("/api/vehicles/", body, format="json")
    assert res.status_code == 400 and "shift_end" in res.json()["fields"]


def test_cylinder_type_shows_and_changes_its_tare(world):
    client = api_client_for(world.users["admin"])
    url = f"/api/cylinder-types/{world.gas.pk}/"
    assert "tare_kg" in client.get(url).json()
    res = client.patch(url, {"tare_kg": "15.35"}, format="json")
    assert res.status_code == 200 and res.json()["tare_kg"] == "15.35"
    bad = client.patch(url, {"tare_kg": "-1"}, format="json")
    assert bad.status_code == 400 and "tare_kg" in bad.json()["fields"]
