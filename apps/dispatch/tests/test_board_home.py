"""The office home: each role lands on its day above the model list, the
company's name in the header of every admin page."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from apps.dispatch.services import dispatch_plan
from apps.dispatch.tests import test_services_plan as planning
from apps.finance.tests.helpers import credit_customer, cylinders, days_ago, invoice_on, load_vehicle, pay

day_world, order = planning.day_world, planning.order

pytestmark = pytest.mark.django_db


def home(user):
    client = Client()
    client.force_login(user)
    page = client.get("/admin/")
    assert page.status_code == 200
    return page, page.content.decode()


def test_the_dispatcher_sees_the_day_and_the_board_link(day_world):
    w = day_world
    today = timezone.localdate()
    orders = [order(w, today, c, qty=2) for c in w.customers[:4]]
    dispatch_plan(actor=w.users["supervisor"], day=today)
    order(w, today, w.customers[5], qty=1)  # after the plan: not planned yet
    _, html = home(w.users["supervisor"])
    assert 'id="home-dispatcher"' in html and 'id="home-board-link"' in html
    assert '<strong id="home-unplanned">1</strong>' in html
    assert 'id="home-trucks-out"' in html and 'id="home-late"' in html
    assert 'id="home-depot"' in html  # the supervisor works the counter too
    assert 'id="home-finance"' not in html
    assert 'id="content-main"' in html and "/admin/dispatch/dispatchplan/" in html  # the model list stays
    assert len(orders) == 4


def test_the_depot_counter_sees_trucks_to_load_and_to_take_back(day_world, daytime):
    w = day_world
    today = timezone.localdate()
    for c in w.customers[:4]:
        order(w, today, c, qty=2)
    plan = dispatch_plan(actor=w.users["supervisor"], day=today)
    load_vehicle(w, vehicle=w.vehicle2, quantity=5)  # a truck with cylinders on board
    _, html = home(w.users["depot_staff"])
    assert 'id="home-depot"' in html and 'id="home-dispatcher"' not in html and 'id="home-finance"' not in html
    plates = {line.vehicle.plate_number for line in plan.load_lines.all()}
    assert plates and all(p in html for p in plates)
    assert "/admin/distribution/distributionheader/counter/?vehicle=" in html and "load=" in html
    assert "Take back at the counter" in html and w.vehicle2.plate_number in html


def test_finance_sees_overdue_invoices_and_todays_payments(world):
    load_vehicle(world, quantity=20)
    late = invoice_on(world, days_ago(45), customer=credit_customer(world.customers[0], days=30),
                      lines=cylinders(world, 3))  # fmt: skip
    pay(world, late, "20.00", timezone.localdate())
    _, html = home(world.users["finance"])
    assert 'id="home-finance"' in html and 'id="home-dispatcher"' not in html and 'id="home-depot"' not in html
    assert '<strong id="home-overdue">1</strong>' in html and late.number in html
    assert '<strong id="home-payments">1</strong>' in html and "20.00" in html
    assert "/admin/finance/receivableinvoice/ageing/" in html


def test_every_admin_page_carries_the_company_name(world):
    client = Client()
    client.force_login(world.users["admin"])
    for url in ("/admin/", "/admin/dispatch/dispatchplan/", "/admin/dispatch/dispatchplan/board/"):
        assert settings.COMPANY["name"] in client.get(url).content.decode(), url
    assert settings.COMPANY["name"] in Client().get("/admin/login/").content.decode()


def test_the_auditor_reads_the_dispatch_and_finance_blocks(world):
    _, html = home(world.users["auditor"])
    assert 'id="home-dispatcher"' in html and 'id="home-finance"' in html and 'id="home-depot"' not in html
    assert 'id="content-main"' in html


def test_a_driver_has_no_office_home(world):
    client = Client()
    client.force_login(world.users["driver"])
    assert client.get("/admin/").status_code == 302  # not staff: the admin's login page
