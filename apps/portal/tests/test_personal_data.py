"""A contact's personal data (docs/customers.md, "Personal data"): its
order e-mail switch, its data export (audited, throttled), and the office's
corrections of its name, e-mail and phone (API and admin, audited)."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.core.testing.world import api_client_for
from apps.customers.models import CustomerContact
from apps.orders.services import order_create
from apps.portal.tests.helpers import PASSWORD, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def user(world):
    return make_contact(world, world.customers[0], "mdm.tan@example.com")


def test_the_contact_switches_its_order_emails_and_cannot_change_its_email(world, user):
    client = api_client_for(user)
    me = client.get("/api/customer/me/").json()
    assert me["notify_orders"] is True and me["phone"] == "" and me["email"] == "mdm.tan@example.com"
    off = client.patch("/api/customer/me/", {"notify_orders": False}, format="json")
    assert off.status_code == 200 and off.json()["notify_orders"] is False
    assert CustomerContact.objects.get(user=user).notify_orders is False
    row = AuditLog.objects.get(action="customer.contact_preferences")
    assert (row.user_id, row.before, row.after) == (user.pk, {"notify_orders": True}, {"notify_orders": False})
    refused = client.patch("/api/customer/me/", {"email": "new@example.com", "notify_orders": True}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid" and "email" in refused.json()["fields"]
    assert client.get("/api/customer/me/").json()["email"] == "mdm.tan@example.com"


def test_the_export_is_a_json_attachment_of_the_contacts_own_data(world, user):
    today = timezone.localdate()
    mine = order_create(actor=world.users["supervisor"], customer=world.customers[0], scheduled_for=today,
                        lines=[{"cylinder_type": world.gas, "quantity": 1}])  # fmt: skip
    order_create(actor=world.users["supervisor"], customer=world.customers[1], scheduled_for=today,
                 lines=[{"cylinder_type": world.gas, "quantity": 1}])  # fmt: skip
    response = api_client_for(user).get("/api/customer/me/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    body = json.loads(response.content)
    assert body["contact"]["email"] == "mdm.tan@example.com" and body["customer"]["id"] == world.customers[0].pk
    assert [o["id"] for o in body["orders"]] == [mine.pk]  # its own customer's only
    assert {"invoices", "credit_notes", "payments", "deliveries", "emails_sent_to_you", "your_actions"} <= set(body)
    assert any(a["action"] == "customer.invite_accepted" for a in body["your_actions"])
    row = AuditLog.objects.get(action="customer.data_exported")
    assert row.user_id == user.pk and row.after["orders"] == 1


def test_the_export_is_throttled(world, user):
    client = api_client_for(user)
    answers = [client.get("/api/customer/me/export/").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_the_office_corrects_a_contact_audited_before_and_after(world, user):
    contact = CustomerContact.objects.get(user=user)
    base = f"/api/customers/{world.customers[0].pk}/contacts/"
    client = api_client_for(world.users["supervisor"])
    listed = client.get(base).json()
    assert [c["email"] for c in listed if c["id"] == contact.pk] == ["mdm.tan@example.com"]
    fixed = client.patch(f"{base}{contact.pk}/", {"email": "Tan.Mei@Example.com", "phone": "+65 9123 4567"},
                         format="json")  # fmt: skip
    assert fixed.status_code == 200 and fixed.json()["email"] == "tan.mei@example.com"
    row = AuditLog.objects.get(action="customer.contact_corrected")
    assert row.user_id == world.users["supervisor"].pk
    assert row.before == {"email": "mdm.tan@example.com", "phone": ""}
    assert row.after == {"customer": world.customers[0].pk, "email": "tan.mei@example.com", "phone": "+65 9123 4567"}
    # the contact signs in with the corrected address
    login = Client().post("/api/auth/token/", {"email": "tan.mei@example.com", "password": PASSWORD},
                          content_type="application/json")  # fmt: skip
    assert login.status_code == 200
    taken = client.patch(f"{base}{contact.pk}/", {"email": world.users["driver"].email}, format="json")
    assert taken.status_code == 400 and "email" in taken.json()["fields"]
    other = client.patch(f"/api/customers/{world.customers[1].pk}/contacts/{contact.pk}/", {"name": "X"},
                         format="json")  # fmt: skip
    assert other.status_code == 404


def test_the_office_corrects_a_contact_in_the_admin(world, user):
    contact = CustomerContact.objects.get(user=user)
    client = Client()
    client.force_login(world.users["finance"])
    url = f"/admin/customers/customercontact/{contact.pk}/change/"
    assert client.get(url).status_code == 200
    saved = client.post(url, {"name": "Mdm Tan Mei Ling", "email": "mdm.tan@example.com", "phone": "6123 4567"})
    assert saved.status_code == 302, saved.content[:500]
    user.refresh_from_db()
    assert (user.name, user.phone) == ("Mdm Tan Mei Ling", "6123 4567")
    row = AuditLog.objects.get(action="customer.contact_corrected")
    assert row.user_id == world.users["finance"].pk and row.before == {"name": "Mdm Tan", "phone": ""}
