"""Customers' receiving hours (API and admin): from before until, households
inside 07:00-21:00; audited like every master-data write."""

import pytest
from django.test import Client

from apps.audit.models import AuditLog
from apps.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_the_api_sets_and_checks_receiving_hours(world, api):
    client = api(world.users["admin"])
    customer = world.customers[0]
    res = client.patch(f"/api/customers/{customer.pk}/", {"receiving_from": "08:00", "receiving_until": "17:30"},
                       format="json")  # fmt: skip
    assert res.status_code == 200, res.content
    assert (res.json()["receiving_from"], res.json()["receiving_until"]) == ("08:00", "17:30")
    assert AuditLog.objects.filter(entity_type="customers.customer", entity_id=str(customer.pk)).exists()
    res = client.patch(f"/api/customers/{customer.pk}/", {"receiving_until": "07:00"}, format="json")
    assert res.status_code == 400 and "receiving_until" in res.json()["fields"]
    res = client.patch(f"/api/customers/{customer.pk}/", {"kind": "HOUSEHOLD", "receiving_from": "06:00"},
                       format="json")  # fmt: skip
    assert res.status_code == 400 and "receiving_from" in res.json()["fields"]
    res = client.post("/api/customers/", {"code": "H1", "name": "Tan", "site_address": "x", "postal_code": "460085",
                                          "kind": "HOUSEHOLD", "receiving_until": "22:00"}, format="json")  # fmt: skip
    assert res.status_code == 400 and "receiving_until" in res.json()["fields"]
    assert not Customer.objects.filter(code="H1").exists()
    customer.refresh_from_db()
    assert customer.kind == "COMMERCIAL" and customer.receiving_from.hour == 8


def test_the_admin_shows_the_hours_problem_on_the_form(world):
    client = Client()
    client.force_login(world.users["admin"])
    customer = world.customers[0]
    url = f"/admin/customers/customer/{customer.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"kind": "HOUSEHOLD", "receiving_from": "05:00", "receiving_until": "20:00"})
    res = client.post(url, data)
    assert res.status_code == 200
    assert "07:00-21:00" in str(res.context["adminform"].form.errors)
    customer.refresh_from_db()
    assert customer.kind == "COMMERCIAL" and customer.receiving_from is None
