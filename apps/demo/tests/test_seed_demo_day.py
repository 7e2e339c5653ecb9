"""``seed_demo`` makes a real day: about 60 orders for today, planned onto
every truck with ETAs, each truck loaded at its depot with at least its load
sheet and within its racks and load limit, driver1's phone showing the stops
in order; run again it changes nothing, and on a later day it adds that
day's orders and plan."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import AuditLog
from apps.billing.models import CustomerPrice
from apps.core.testing.world import api_client_for
from apps.customers.models import Customer
from apps.demo.management.commands import seed_demo
from apps.depots.models import CylinderType, Vehicle, VehicleCapacity
from apps.dispatch.models import DispatchPlan, LoadSheetLine
from apps.distribution.models import DistributionHeader
from apps.inventory.models import StockBalance, StockMove
from apps.orders.models import Order, RoutePlan

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = (
        Customer, User, VehicleCapacity, CustomerPrice, Order, DispatchPlan, LoadSheetLine, RoutePlan,
        DistributionHeader, StockMove, AuditLog,
    )  # fmt: skip
    return {m.__name__: m.objects.count() for m in models}


def _seed_on(monkeypatch, day) -> None:
    """seed_demo as if run on ``day`` (its clock only: the planner's "now" stays real)."""
    monkeypatch.setattr(seed_demo, "timezone", SimpleNamespace(localdate=lambda: day, now=timezone.now))
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_day_is_planned_loaded_and_on_the_drivers_phone(monkeypatch):
    today = timezone.localdate()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    before = _counts()

    orders = Order.objects.filter(scheduled_for=today)
    assert 55 <= orders.count() <= 65
    assert orders.filter(notes__startswith="Urgent").count() == 3
    assert orders.filter(urgent=True).count() == 3
    assert Customer.objects.count() >= 60
    assert {u.role for u in User.objects.all()} >= {
        "admin",
        "supervisor",
        "depot_staff",
        "driver",
        "finance",
        "auditor",
    }
    plan = DispatchPlan.objects.get(date=today)
    assert plan.version == 1 and plan.trucks_used == Vehicle.objects.count() == 4
    assert plan.orders_planned >= 50, plan.snapshot

    sheets: dict[int, dict[int, tuple[int, int]]] = {}
    for line in LoadSheetLine.objects.filter(plan=plan):
        sheets.setdefault(line.vehicle_id, {})[line.cylinder_type_id] = (line.ordered, line.to_load)
    gross = {t.pk: t.weight_kg + t.tare_kg for t in CylinderType.objects.all()}
    for vehicle in Vehicle.objects.order_by("id"):
        driver = User.objects.filter(role="driver", vehicle=vehicle).order_by("id").first()
        assert driver is not None, f"{vehicle} has a driver"
        route = RoutePlan.objects.get(driver=driver, date=today)
        stops = list(route.stops.order_by("sequence"))
        assert stops and all(s.eta is not None for s in stops), f"{vehicle}: stops with ETAs"
        assert [s.eta for s in stops] == sorted(s.eta for s in stops)
        aboard = dict(
            StockBalance.objects.filter(location__vehicle=vehicle).values_list("cylinder_type_id", "full_qty")
        )
        racks = dict(VehicleCapacity.objects.filter(vehicle=vehicle).values_list("cylinder_type_id", "max_qty"))
        for type_id, (ordered, to_load) in sheets[vehicle.pk].items():
            # the whole sheet; a buffer that would overfill the rack, as far as the rack holds
            want = max(ordered, min(to_load, racks.get(type_id, 0)))
            assert aboard.get(type_id, 0) >= want, f"{vehicle} loaded its load sheet"
        for type_id, qty in aboard.items():
            assert qty <= racks.get(type_id, 0), f"{vehicle}: {qty} x type {type_id} within its racks"
        assert sum(gross[t] * q for t, q in aboard.items()) <= vehicle.max_load_kg, f"{vehicle} within its load"

    # driver1's phone: the stops in route order, each with its ETA, and the load on the truck
    driver1 = User.objects.get(email="driver1@example.com")
    phone = api_client_for(driver1)
    route = RoutePlan.objects.get(driver=driver1, date=today)
    in_order = list(route.stops.order_by("sequence").values_list("order_id", flat=True))
    day = phone.get("/api/my-day/").json()
    assert [s["order"] for s in day["stops"]] == in_order and all(stop["eta"] for stop in day["stops"])
    routes = phone.get(f"/api/dispatch/routes/?date={today}").json()
    assert [r["id"] for r in routes] == [route.pk]
    assert [s["order"] for s in routes[0]["stops"]] == in_order and all(s["eta"] for s in routes[0]["stops"])
    assert any(row["full_qty"] for row in day["stock"])

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == before  # the same day again: nothing new

    later = today + timedelta(days=1)
    _seed_on(monkeypatch, later)
    assert 55 <= Order.objects.filter(scheduled_for=later).count() <= 65
    assert DispatchPlan.objects.filter(date=later).count() == 1
    assert Order.objects.filter(scheduled_for=today).count() == orders.count()
    assert DispatchPlan.objects.filter(date=today).count() == 1


def test_the_demo_contact_signs_in_to_the_customer_app_and_sees_its_account(monkeypatch, mailoutbox):
    from django.test import Client

    from apps.demo import demo_data as demo

    _seed_on(monkeypatch, timezone.localdate())
    email, _name, code = demo.CONTACT
    assert mailoutbox == []  # the demo's invite is used at once: no e-mail goes out
    client = Client()
    res = client.post("/api/auth/token/", {"email": email, "password": demo.DEMO_PASSWORD}, "application/json")
    assert res.status_code == 200, res.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {res.json()['access']}"}
    me = client.get("/api/customer/me/", **auth).json()
    assert me["customer"]["code"] == code
    invoices = client.get("/api/customer/invoices/", **auth).json()["results"]
    assert len(invoices) == 1 and invoices[0]["pdf_url"].startswith("/api/customer/invoices/")
    cylinders = client.get("/api/customer/cylinders/", **auth).json()
    assert sorted(s["serial_number"] for s in cylinders["serials"]) == sorted(demo.SERIALS_AT_CUSTOMER)
    assert client.get("/api/customers/", **auth).status_code == 403  # the office API stays closed
