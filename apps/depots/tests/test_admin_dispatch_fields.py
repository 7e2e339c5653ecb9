"""The vehicle admin: load limit, shift and rack capacities (saved through
the audited services); the cylinder type list shows the tare weight."""

import pytest
from django.test import Client

from apps.audit.models import AuditLog
from apps.depots.models import VehicleCapacity

pytestmark = pytest.mark.django_db


def test_vehicle_capacities_are_saved_through_the_audited_services(world):
    client = Client()
    client.force_login(world.users["admin"])
    vehicle = world.vehicle
    url = f"/admin/depots/vehicle/{vehicle.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "max_load_kg" in page.content.decode()
    body = {
        "plate_number": vehicle.plate_number, "home_depot": vehicle.home_depot_id, "description": "",
        "max_load_kg": "2500.0", "shift_start": "06:30", "shift_end": "18:00", "is_active": "on",
        "capacities-TOTAL_FORMS": "1", "capacities-INITIAL_FORMS": "0", "capacities-MIN_NUM_FORMS": "0",
        "capacities-MAX_NUM_FORMS": "1000", "capacities-0-cylinder_type": world.gas.pk, "capacities-0-max_qty": "80",
    }  # fmt: skip
    res = client.post(url, body)
    assert res.status_code == 302, res.context and res.context["adminform"].form.errors
    vehicle.refresh_from_db()
    assert str(vehicle.max_load_kg) == "2500.0" and vehicle.shift_start.hour == 6
    capacity = VehicleCapacity.objects.get(vehicle=vehicle)
    assert capacity.max_qty == 80
    assert AuditLog.objects.filter(entity_type="depots.vehiclecapacity", entity_id=str(capacity.pk)).exists()
    # changed in place, audited again
    body.update({"capacities-INITIAL_FORMS": "1", "capacities-0-id": capacity.pk, "capacities-0-vehicle": vehicle.pk,
                 "capacities-0-max_qty": "60"})  # fmt: skip
    assert client.post(url, body).status_code == 302
    capacity.refresh_from_db()
    assert capacity.max_qty == 60
    assert AuditLog.objects.filter(entity_type="depots.vehiclecapacity").count() == 2
    # a shift that ends before it starts: refused on the form
    res = client.post(url, {**body, "shift_start": "19:00", "shift_end": "07:00"})
    assert res.status_code == 200
    assert "tare_kg" in client.get("/admin/depots/cylindertype/").content.decode().replace("Tare kg", "tare_kg")
