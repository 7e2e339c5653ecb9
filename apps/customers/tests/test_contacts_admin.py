"""The invite from the customers list in the admin (an action with its own page)."""

import pytest
from django.core import mail
from django.test import Client

from apps.customers.models import ContactInvite, CustomerContact

pytestmark = pytest.mark.django_db
URL = "/admin/customers/customer/"


@pytest.fixture
def world(module_world, db):
    return module_world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["admin", "supervisor", "finance"])
def test_the_office_invites_from_the_customer_page(world, role, django_capture_on_commit_callbacks):
    customer = world.customers[0]
    client = client_for(world.users[role])
    chosen = {"action": "invite_contact", "_selected_action": [customer.pk]}
    page = client.post(URL, chosen)
    assert page.status_code == 200 and b"Send the invite" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(URL, {**chosen, "email": "office-invite@example.com", "name": "Mr Koh"})
    assert done.status_code == 302
    contact = CustomerContact.objects.get(user__email="office-invite@example.com")
    assert contact.customer == customer and contact.invited_by == world.users[role]
    assert ContactInvite.objects.filter(contact=contact, sent_at__isnull=False).count() == 1
    assert mail.outbox[-1].to == ["office-invite@example.com"] and "token=" in mail.outbox[-1].body


def test_depot_staff_cannot(world):
    client = client_for(world.users["depot_staff"])
    response = client.post(URL, {"action": "invite_contact", "_selected_action": [world.customers[0].pk],
                                 "email": "x@example.com"})  # fmt: skip
    assert response.status_code in (302, 403)
    assert not CustomerContact.objects.exists()
