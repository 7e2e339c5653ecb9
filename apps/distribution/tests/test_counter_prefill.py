"""The depot counter opened from a load sheet's link: the truck, the depot
and the fulls to load are filled in from the query string; nothing is
recorded until the clerk submits, and a bad part of the link is left out."""

import pytest
from django.test import Client

from apps.distribution.models import DistributionHeader
from apps.inventory.admin_forms import counter_initial

COUNTER = "/admin/distribution/distributionheader/counter/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_counter_initial_reads_the_link_and_skips_what_it_cannot_read():
    params = {"vehicle": "7", "depot": "x", "load": "3:12, 4:0,5:abc,:3,6:20000,8:5"}
    assert counter_initial(params) == {"vehicle": 7, "load_3": 12, "load_8": 5}
    assert counter_initial({}) == {}


@pytest.mark.django_db
def test_the_counter_is_pre_filled_from_the_load_sheet_link(world):
    gas, t14 = world.types[0], world.types[1]
    client = client_for(world.users["supervisor"])
    url = f"{COUNTER}?vehicle={world.vehicle.pk}&depot={world.depot2.pk}&load={gas.pk}:12,{t14.pk}:3"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form["vehicle"].value() == world.vehicle.pk
    assert form["depot"].value() == world.depot2.pk
    assert form[f"load_{gas.pk}"].value() == 12 and form[f"load_{t14.pk}"].value() == 3
    html = page.content.decode()
    assert f'name="load_{gas.pk}" value="12"' in html
    assert f'<option value="{world.vehicle.pk}" selected>' in html
    assert not DistributionHeader.objects.exists()  # a link records nothing


@pytest.mark.django_db
def test_depot_staff_keep_their_own_depot_whatever_the_link_says(world):
    gas = world.types[0]
    page = client_for(world.users["depot_staff"]).get(f"{COUNTER}?depot={world.depot2.pk}&load={gas.pk}:4")
    form = page.context["form"]
    assert form["depot"].value() == world.depot.pk
    assert form[f"load_{gas.pk}"].value() == 4
