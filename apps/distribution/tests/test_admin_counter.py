"""The depot counter in the admin (Django test client, real database): a
truck's load and return through the distribution service, own depot only,
errors under the field they are about, one distribution per double submit."""

import pytest
from django.test import Client

from apps.audit.models import AuditLog
from apps.depots.models import Depot
from apps.distribution.models import DistributionHeader
from apps.inventory.locations import location_for_depot, location_for_vehicle
from apps.inventory.models import StockBalance

COUNTER = "/admin/distribution/distributionheader/counter/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def balance(owner, cylinder_type) -> tuple[int, int]:
    location = location_for_depot(owner) if isinstance(owner, Depot) else location_for_vehicle(owner)
    row = StockBalance.objects.filter(location=location, cylinder_type=cylinder_type).first()
    return (row.full_qty, row.empty_qty) if row else (0, 0)


def counter_post(client, world, **fields):
    page = client.get(COUNTER)
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    body = {"idempotency_key": str(key), "depot": world.depot.pk, "vehicle": world.vehicle.pk, "driver": ""}
    body.update({k: str(v) for k, v in fields.items()})
    return client.post(COUNTER, body), body


@pytest.mark.django_db
def test_depot_staff_load_and_return_a_truck_at_their_depot(world):
    client = client_for(world.users["depot_staff"])
    gas, t14 = world.types[0], world.types[1]
    depot_loc, truck = world.depot, world.vehicle
    page = client.get(COUNTER)
    assert [d.pk for d in page.context["form"].fields["depot"].queryset] == [world.depot.pk]
    assert world.depot2.pk not in [d.pk for d in page.context["form"].fields["depot"].queryset]

    response, _ = counter_post(client, world, **{f"load_{gas.pk}": 7, f"load_{t14.pk}": 14})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    load = DistributionHeader.objects.get()
    assert load.number.startswith("DIST-") and load.total_collection == 21
    assert balance(depot_loc, gas) == (93, 0) and balance(truck, gas) == (7, 0)
    assert balance(depot_loc, t14) == (86, 0) and balance(truck, t14) == (14, 0)
    assert AuditLog.objects.filter(action="distribution.created", entity_id=str(load.pk)).exists()
    followed = client.get(response["Location"])
    assert any(load.number in str(m) for m in followed.context["messages"])

    # the truck comes back: 3 unsold fulls, and no empties on it yet -> refused on the field
    response, _ = counter_post(client, world, **{f"full_{gas.pk}": 3, f"empty_{gas.pk}": 2})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert f"empty_{gas.pk}" in errors and "0 empty" in errors[f"empty_{gas.pk}"][0]
    assert DistributionHeader.objects.count() == 1 and balance(truck, gas) == (7, 0)

    response, _ = counter_post(client, world, **{f"full_{gas.pk}": 3})
    assert response.status_code == 302
    back = DistributionHeader.objects.latest("id")
    assert back.total_return == 3 and back.items.get().movement_type == "FULL_RETURN"
    assert balance(depot_loc, gas) == (96, 0) and balance(truck, gas) == (4, 0)


@pytest.mark.django_db
def test_a_double_submit_records_one_distribution(world):
    client = client_for(world.users["depot_staff"])
    gas = world.gas
    response, body = counter_post(client, world, **{f"load_{gas.pk}": 7})
    assert response.status_code == 302
    again = client.post(COUNTER, body)  # the same rendered form submitted twice
    assert again.status_code == 302
    assert DistributionHeader.objects.count() == 1
    assert balance(world.vehicle, gas) == (7, 0)
    messages = [str(m) for m in client.get(again["Location"]).context["messages"]]
    assert any("repeated submit" in m for m in messages)


@pytest.mark.django_db
def test_depot_staff_cannot_load_at_another_depot(world):
    client = client_for(world.users["depot_staff"])
    gas = world.gas
    response, _ = counter_post(client, world, depot=world.depot2.pk, **{f"load_{gas.pk}": 7})
    assert response.status_code == 200
    assert "depot" in response.context["form"].errors  # not one of the choices
    assert DistributionHeader.objects.count() == 0
    assert balance(world.depot2, gas) == (100, 0)


@pytest.mark.django_db
def test_errors_name_the_field_and_the_reason(world):
    client = client_for(world.users["depot_staff"])
    gas = world.gas
    response, _ = counter_post(client, world, vehicle="", **{f"load_{gas.pk}": -2})
    errors = response.context["form"].errors
    assert "vehicle" in errors and f"load_{gas.pk}" in errors
    assert "greater than or equal to 0" in errors[f"load_{gas.pk}"][0]
    # too many fulls for the depot: the message names what is there and what was asked
    response, _ = counter_post(client, world, **{f"load_{gas.pk}": 101})
    message = response.context["form"].errors[f"load_{gas.pk}"][0]
    assert "holds 100 full" in message and "101 requested" in message
    assert DistributionHeader.objects.count() == 0


@pytest.mark.django_db
def test_finance_and_drivers_have_no_counter(world):
    assert client_for(world.users["finance"]).get(COUNTER).status_code == 403
    driver = world.users["driver"]
    assert client_for(driver).get(COUNTER).status_code == 302  # not an admin user: to the login page
    driver.is_staff = True
    driver.save()
    assert client_for(driver).get(COUNTER).status_code == 403


@pytest.mark.django_db
def test_a_supervisor_reverses_a_load_through_the_confirmation_page_with_a_reason(world):
    from apps.distribution.enums import DistributionStatus
    from apps.inventory.models import StockDocument, StockMove

    response, _ = counter_post(client_for(world.users["depot_staff"]), world, **{f"load_{world.types[1].pk}": 7})
    assert response.status_code == 302
    load = DistributionHeader.objects.get()
    assert balance(world.vehicle, world.types[1]) == (7, 0)
    url = f"/admin/distribution/distributionheader/{load.pk}/reverse/"
    supervisor = client_for(world.users["supervisor"])
    assert url.encode() in supervisor.get("/admin/distribution/distributionheader/").content
    page = supervisor.get(url)
    assert page.status_code == 200 and len(page.context["moves"]) == 1
    key = page.context["form"].initial["idempotency_key"]
    moves = StockMove.objects.count()
    refused = supervisor.post(url, {"idempotency_key": str(key), "reason": "  "})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert StockMove.objects.count() == moves and DistributionHeader.objects.get().status != DistributionStatus.REVERSED

    body = {"idempotency_key": str(key), "reason": "Keyed against the wrong truck"}
    assert supervisor.post(url, body).status_code == 302
    assert supervisor.post(url, body).status_code == 302  # a double submit: one reversal
    reversal = StockDocument.objects.get(kind="REVERSAL")
    assert reversal.reason == "Keyed against the wrong truck"
    assert DistributionHeader.objects.get().status == DistributionStatus.REVERSED
    assert balance(world.vehicle, world.types[1]) == (0, 0) and balance(world.depot, world.types[1]) == (100, 0)
    assert client_for(world.users["depot_staff"]).get(url).status_code == 403
