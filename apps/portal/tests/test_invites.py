"""The invite: office-only, one-time, expiring, hashed; clean JSON errors."""

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.audit.models import AuditLog
from apps.core.roles import Role
from apps.core.testing.world import api_client_for
from apps.customers.models import ContactInvite, CustomerContact
from apps.portal.tests.helpers import PASSWORD, invite

pytestmark = pytest.mark.django_db
ACCEPT = "/api/customer/accept-invite/"


@pytest.fixture
def world(module_world, db):
    return module_world


def accept(token, password=PASSWORD, **extra):
    return APIClient().post(ACCEPT, {"token": token, "password": password, **extra}, format="json")


def test_office_invites_by_api_and_the_email_carries_a_token_only_its_hash_is_stored(
    world, django_capture_on_commit_callbacks
):
    customer = world.customers[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(world.users["finance"]).post(
            "/api/customer/invites/", {"customer": customer.pk, "email": "Tan@Example.com", "name": "Mdm Tan"},
            format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "tan@example.com" and body["customer"] == customer.pk
    contact = CustomerContact.objects.get(pk=body["contact"])
    assert contact.user.role == Role.CUSTOMER and not contact.user.is_staff and not contact.user.has_usable_password()
    token = mail.outbox[-1].body.split("token=")[1].split()[0]
    # the link opens the customer app's invite screen; the token rides in the fragment
    assert f"{settings.CUSTOMER_APP_URL}/#/invite?token={token}" in mail.outbox[-1].body
    stored = ContactInvite.objects.get(pk=body["id"])
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert stored.sent_at is not None
    assert stored.expires_at - stored.created_at == timedelta(hours=72) or abs(
        (stored.expires_at - timezone.now()) - timedelta(hours=72)
    ) < timedelta(minutes=1)
    assert AuditLog.objects.filter(action="customer.contact_invited", entity_id=str(contact.pk)).exists()


@pytest.mark.parametrize("role", ["depot_staff", "driver", "auditor"])
def test_other_roles_may_not_invite(world, role):
    response = api_client_for(world.users[role]).post(
        "/api/customer/invites/", {"customer": world.customers[0].pk, "email": "x@example.com"},
        format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )  # fmt: skip
    assert response.status_code == 403
    assert not CustomerContact.objects.exists()


def test_accept_sets_the_password_once_then_invite_used(world):
    token = invite(actor=world.users["admin"], customer=world.customers[0], email="lim@example.com")
    response = accept(token, name="Mr Lim")
    assert response.status_code == 200, response.content
    assert response.json() == {"email": "lim@example.com", "name": "Mr Lim", "customer": world.customers[0].name}
    signed_in = APIClient().post("/api/auth/token/", {"email": "lim@example.com", "password": PASSWORD}, format="json")
    assert signed_in.status_code == 200
    contact = CustomerContact.objects.get(user__email="lim@example.com")
    assert AuditLog.objects.filter(action="customer.invite_accepted", user=contact.user).exists()
    again = accept(token, password="another-pass-99")
    assert again.status_code == 410 and again.json()["code"] == "invite_used"


def test_expired_unknown_replaced_and_weak(world):
    token = invite(actor=world.users["admin"], customer=world.customers[0], email="ong@example.com")
    weak = accept(token, password="123")
    assert weak.status_code == 400 and weak.json()["code"] == "invalid" and "password" in weak.json()["fields"]
    ContactInvite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = accept(token)
    assert expired.status_code == 410 and expired.json()["code"] == "invite_expired"
    newer = invite(actor=world.users["admin"], customer=world.customers[0], email="ong@example.com")
    assert accept(token).json()["code"] == "invite_used"  # replaced by the newer one
    assert accept("not-a-token").json()["code"] == "invite_invalid"
    assert accept("not-a-token").status_code == 400
    assert accept(newer).status_code == 200


def test_deactivated_customer_cannot_accept_nor_be_invited(world):
    from apps.customers.services import customer_update

    customer = world.customers[2]
    token = invite(actor=world.users["admin"], customer=customer, email="goh@example.com")
    customer_update(actor=world.users["admin"], customer=customer, data={"is_active": False})
    response = accept(token)
    assert response.status_code == 403 and response.json()["code"] == "customer_inactive"
    refused = api_client_for(world.users["admin"]).post(
        "/api/customer/invites/", {"customer": customer.pk, "email": "new@example.com"},
        format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )  # fmt: skip
    assert refused.status_code == 403 and refused.json()["code"] == "customer_inactive"


def test_an_address_of_staff_or_of_another_customer_is_refused(world):
    invite(actor=world.users["admin"], customer=world.customers[0], email="shared@example.com")
    for email, customer in (
        (world.users["driver"].email, world.customers[0]),
        ("shared@example.com", world.customers[1]),
    ):
        response = api_client_for(world.users["admin"]).post(
            "/api/customer/invites/", {"customer": customer.pk, "email": email},
            format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )  # fmt: skip
        assert response.status_code == 400 and "email" in response.json()["fields"]


def test_accept_is_throttled(world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login_ip": "3/min"}}  # fmt: skip
    from rest_framework.throttling import SimpleRateThrottle

    old = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        codes = [accept(f"guess-{i}").status_code for i in range(5)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = old
        cache.clear()
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]


def test_a_contact_never_gets_the_admin(world):
    from apps.portal.tests.helpers import make_contact

    user = make_contact(world, world.customers[0], "admin-try@example.com")
    client = Client()
    assert not client.login(email=user.email, password=PASSWORD) or client.get("/admin/").status_code == 302
    client.force_login(user)
    assert client.get("/admin/").status_code == 302  # to the login page: not staff
    assert client.get("/admin/customers/customer/").status_code == 302


def test_a_contact_cannot_be_made_staff(world):
    from apps.accounts.services import user_create, user_update
    from apps.core.exceptions import ValidationFailed
    from apps.portal.tests.helpers import make_contact

    user = make_contact(world, world.customers[0], "staff-try@example.com")
    with pytest.raises(ValidationFailed):
        user_update(actor=world.users["admin"], user=user, data={"is_staff": True})
    with pytest.raises(ValidationFailed):
        user_create(actor=world.users["admin"], password=None,
                    data={"email": "c2@example.com", "name": "C", "role": Role.CUSTOMER, "is_staff": True})  # fmt: skip
    user.refresh_from_db()
    assert not user.is_staff
