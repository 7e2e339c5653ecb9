"""The dispatch board in the admin: who sees it, the auditor read-only, the
board JSON and the writes through the API's own views with the admin session
(CSRF checked, an Idempotency-Key per POST), the load sheet and its counter
link, and the map without a tile server."""

import json
import uuid

import pytest
from django.test import Client, override_settings

from apps.core.tests.factories import UserFactory
from apps.dispatch.models import DispatchPlan
from apps.dispatch.services import dispatch_plan
from apps.dispatch.tests import test_services_plan as planning
from apps.orders.models import Order

day, day_world, order = planning.day, planning.day_world, planning.order  # the planning tests' day and world

BOARD = "/admin/dispatch/dispatchplan/board/"


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def config_of(page) -> dict:
    html = page.content.decode()
    start = html.index('<script id="dboard-config" type="application/json">') + len(
        '<script id="dboard-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def planned(day_world, day):
    w = day_world
    orders = [order(w, day, c, qty=2) for c in w.customers[:5]]
    plan = dispatch_plan(actor=w.users["supervisor"], day=day)
    return w, orders, plan


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_dispatchers_get_the_board_with_its_buttons(world, role):
    page = client_for(world.users[role]).get(f"{BOARD}?date=2026-12-05")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dboard-plan"' in html and 'id="dboard-replan"' in html
    assert "dispatch/board.js" in html and "dispatch/vendor/leaflet/leaflet.js" in html
    assert "Lion City Gas" in html or page.context["site_header"]  # the admin's header stays
    config = config_of(page)
    assert config["date"] == "2026-12-05" and config["readOnly"] is False and config["csrf"]
    assert config["urls"]["plans"] == f"{BOARD}api/plans/"


@pytest.mark.django_db
def test_the_auditor_sees_the_board_read_only(world):
    page = client_for(world.users["auditor"]).get(BOARD)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dboard-plan"' not in html and 'id="dboard-replan"' not in html
    assert config_of(page)["readOnly"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["finance", "depot_staff"])
def test_other_office_roles_are_refused(world, role):
    assert client_for(world.users[role]).get(BOARD).status_code == 403


@pytest.mark.django_db
def test_a_driver_is_sent_to_the_admin_login(world):
    page = client_for(world.users["driver"]).get(BOARD)
    assert page.status_code == 302 and "/admin/login/" in page["Location"]
    assert Client().get(BOARD).status_code == 302


@pytest.mark.django_db
def test_the_board_json_for_the_session(planned, day):
    w, orders, plan = planned
    data = client_for(w.users["auditor"]).get(f"{BOARD}data/?date={day}").json()
    assert data["plan"]["version"] == plan.version
    routed = {s["order"] for t in data["trucks"] for s in (t["route"] or {}).get("stops", [])}
    assert routed | {o["order"] for o in data["unassigned"]} == {o.pk for o in orders}
    assert client_for(w.users["finance"]).get(f"{BOARD}data/?date={day}").status_code == 403


@pytest.mark.django_db
def test_plan_and_move_through_the_api_with_the_session_and_csrf(day_world, day):
    w = day_world
    orders = [order(w, day, c, qty=2) for c in w.customers[:4]]
    client = client_for(w.users["supervisor"], enforce_csrf_checks=True)
    token = config_of(client.get(f"{BOARD}?date={day}"))["csrf"]
    url = f"{BOARD}api/plans/"
    body = json.dumps({"date": day.isoformat()})
    key = str(uuid.uuid4())
    # no CSRF token: refused, nothing planned
    refused = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 403 and not DispatchPlan.objects.exists()
    headers = {"HTTP_X_CSRFTOKEN": token, "HTTP_IDEMPOTENCY_KEY": key}
    first = client.post(url, body, content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    again = client.post(url, body, content_type="application/json", **headers)  # a double click
    assert again.status_code == 201 and DispatchPlan.objects.count() == 1

    target = Order.objects.exclude(driver=None).first()
    other = w.vehicle2 if target.driver.vehicle_id == w.vehicle.pk else w.vehicle
    moved = client.post(
        f"{BOARD}api/moves/",
        json.dumps({"order": target.pk, "vehicle": other.pk}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert moved.status_code == 201, moved.content
    target.refresh_from_db()
    assert target.pinned_vehicle_id == other.pk and DispatchPlan.objects.count() == 2
    assert len(orders) == 4


@pytest.mark.django_db
def test_the_auditor_cannot_write_through_the_board(planned, day):
    w, _, _ = planned
    response = client_for(w.users["auditor"]).post(
        f"{BOARD}api/plans/",
        json.dumps({"date": day.isoformat()}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 403 and DispatchPlan.objects.count() == 1


@pytest.mark.django_db
def test_the_load_sheet_page_and_its_counter_link(planned, day):
    w, _, plan = planned
    line = plan.load_lines.order_by("vehicle_id", "cylinder_type_id").first()
    vehicle = line.vehicle
    url = f"/admin/dispatch/dispatchplan/load-sheet/{vehicle.pk}/?date={day}"
    page = client_for(w.users["supervisor"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert vehicle.plate_number in html and "@page" in html and "size: A4" in html
    assert f"version {plan.version}" in html
    counter = page.context["counter_url"]
    assert counter.startswith("/admin/distribution/distributionheader/counter/?vehicle=")
    assert f"{line.cylinder_type_id}%3A{line.to_load}" in counter and "Load at the depot counter" in html
    stops = list(page.context["stops"])
    assert stops and [s.sequence for s in stops] == sorted(s.sequence for s in stops)
    # the link opens the counter with the fulls to load filled in
    form = client_for(w.users["depot_staff"]).get(counter).context["form"]
    assert form["vehicle"].value() == vehicle.pk
    assert form[f"load_{line.cylinder_type_id}"].value() == line.to_load
    # depot staff: their own depot's trucks only
    assert client_for(w.users["depot_staff"]).get(url).status_code == 200
    elsewhere = UserFactory(role="depot_staff", depot=w.depot2, is_staff=True)
    assert client_for(elsewhere).get(url).status_code == 403
    assert client_for(w.users["finance"]).get(url).status_code == 403


@pytest.mark.django_db
@override_settings(DISPATCH_MAP_TILE_URL="", DISPATCH_MAP_ATTRIBUTION="")
def test_without_a_tile_server_the_page_has_no_tile_layer(world):
    page = client_for(world.users["supervisor"]).get(BOARD)
    assert config_of(page)["map"] == {"tiles": None}
    assert "tile.openstreetmap" not in page.content.decode()


@pytest.mark.django_db
@override_settings(DISPATCH_MAP_TILE_URL="https://tiles.example/{z}/{x}/{y}.png", DISPATCH_MAP_ATTRIBUTION="© Us")
def test_a_tile_server_in_the_settings_reaches_the_map(world):
    page = client_for(world.users["supervisor"]).get(BOARD)
    assert config_of(page)["map"] == {"tiles": {"url": "https://tiles.example/{z}/{x}/{y}.png", "attribution": "© Us"}}
