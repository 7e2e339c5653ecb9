"""JWT lifetime, rotation, revocation, login throttling and what the audit
log keeps of it all (never a secret)."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from apps.accounts.services import user_deactivate, user_password_change
from apps.audit.enums import AuditAction
from apps.audit.models import AuditLog
from apps.core.testing.threads import run_concurrently
from apps.core.tests.factories import UserFactory

PASSWORD = "pass-12345"


def login(client: APIClient, email: str, password: str = PASSWORD, **extra):
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json", **extra)


def refresh(client: APIClient, token: str):
    return client.post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def test_access_tokens_are_short_lived_and_refresh_rotates_with_blacklist():
    jwt = settings.SIMPLE_JWT
    assert jwt["ACCESS_TOKEN_LIFETIME"] == timedelta(minutes=15)
    assert jwt["ROTATE_REFRESH_TOKENS"] and jwt["BLACKLIST_AFTER_ROTATION"]


@pytest.mark.django_db
def test_login_rotation_and_logout():
    user = UserFactory(role="driver")
    client = APIClient()
    pair = login(client, user.email).json()
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert me.get("/api/me/").json()["email"] == user.email

    rotated = refresh(client, pair["refresh"])
    assert rotated.status_code == 200
    new = rotated.json()
    assert set(new) == {"access", "refresh"} and new["refresh"] != pair["refresh"]

    again = refresh(client, pair["refresh"])  # already rotated
    assert again.status_code == 401 and again.json()["code"] == "token_not_valid"

    me.credentials(HTTP_AUTHORIZATION=f"Bearer {new['access']}")
    assert me.post("/api/auth/logout/", {"refresh": new["refresh"]}, format="json").status_code == 205
    blacklisted = refresh(client, new["refresh"])
    assert blacklisted.status_code == 401 and blacklisted.json()["code"] == "token_not_valid"


@pytest.mark.django_db
@pytest.mark.parametrize("garbage", ["", "x", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.sig", 12, None, ["x"]])
def test_garbage_refresh_tokens_are_4xx(garbage):
    response = APIClient().post("/api/auth/token/refresh/", {"refresh": garbage}, format="json")
    assert response.status_code in (400, 401)
    assert "code" in response.json()


@pytest.mark.django_db
def test_a_deactivated_users_tokens_stop_working(world):
    driver = world.users["driver"]
    client = APIClient()
    pair = login(client, driver.email).json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api.get("/api/me/").status_code == 200

    user_deactivate(actor=world.users["admin"], user=driver)

    assert api.get("/api/me/").status_code == 401  # the access token, at once
    assert refresh(client, pair["refresh"]).status_code == 401
    assert login(client, driver.email).status_code == 401
    row = AuditLog.objects.filter(action=AuditAction.USER_DEACTIVATED).get()
    assert row.entity_id == str(driver.pk) and row.after["refresh_tokens_revoked"] >= 1


@pytest.mark.django_db
def test_a_password_change_revokes_every_refresh_token(world):
    driver = world.users["driver"]
    client = APIClient()
    phone, laptop = login(client, driver.email).json(), login(client, driver.email).json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {phone['access']}")
    wrong = api.post(
        "/api/me/password/", {"old_password": "nope", "new_password": "Another-long-pass-77"}, format="json"
    )
    assert wrong.status_code == 400 and "old_password" in wrong.json()["fields"]
    weak = api.post("/api/me/password/", {"old_password": PASSWORD, "new_password": "123"}, format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()["fields"]
    ok = api.post(
        "/api/me/password/", {"old_password": PASSWORD, "new_password": "Another-long-pass-77"}, format="json"
    )
    assert ok.status_code == 204
    assert refresh(client, phone["refresh"]).status_code == 401
    assert refresh(client, laptop["refresh"]).status_code == 401
    assert login(client, driver.email).status_code == 401
    assert login(client, driver.email, "Another-long-pass-77").status_code == 200


@pytest.mark.django_db
def test_only_an_admin_resets_someone_elses_password(world):
    from apps.core.exceptions import Forbidden

    with pytest.raises(Forbidden):
        user_password_change(actor=world.users["supervisor"], user=world.users["driver"], new_password="Xy-1234567!")
    user_password_change(actor=world.users["admin"], user=world.users["driver"], new_password="Xy-1234567!")
    assert login(APIClient(), world.users["driver"].email, "Xy-1234567!").status_code == 200


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_with_one_token_yield_at_most_one_pair():
    user = UserFactory(role="driver")
    token = login(APIClient(), user.email).json()["refresh"]
    for _round in range(3):
        results = run_concurrently(lambda i: refresh(APIClient(), token), 6, timeout=120)
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200] + [401] * 5, statuses  # exactly one new pair
        token = next(r.json()["refresh"] for r in results if r.status_code == 200)  # race the new one next


@pytest.mark.django_db
def test_brute_force_with_rotating_forwarded_for_is_throttled_and_right_password_refused(world):
    driver = world.users["driver"]
    client = APIClient()
    limit = 5  # LOGIN_RATE_EMAIL default 5/15min
    for i in range(limit):
        response = login(client, driver.email, f"wrong-{i}", HTTP_X_FORWARDED_FOR=f"10.0.{i}.{i}")
        assert response.status_code == 401
    for i in range(3):
        response = login(client, driver.email, f"wrong-x{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        assert response.status_code == 429, response.json()
        assert response.json()["code"] == "throttled"
    # the right password during lock-out, from yet another "address", upper-cased e-mail
    response = login(client, driver.email.upper(), PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_THROTTLED).count() >= 4
    # another user is not locked out
    assert login(client, world.users["driver2"].email).status_code == 200


@pytest.mark.django_db
def test_every_login_is_audited_with_ip_and_user_agent(world):
    driver = world.users["driver"]
    client = APIClient()
    login(client, driver.email, "wrong", REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="LPG-PWA/1.0")
    login(client, driver.email, REMOTE_ADDR="192.0.2.11", HTTP_USER_AGENT="LPG-PWA/1.0")
    failed = AuditLog.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.user_email == driver.email and failed.ip_address == "192.0.2.10"
    assert failed.request_meta["user_agent"] == "LPG-PWA/1.0"
    ok = AuditLog.objects.get(action=AuditAction.LOGIN_SUCCEEDED)
    assert ok.user_id == driver.pk and ok.ip_address == "192.0.2.11"
    # the middleware also records both POSTs with their status
    statuses = sorted(
        r.request_meta["status"]
        for r in AuditLog.objects.filter(action=AuditAction.API_REQUEST, request_meta__path="/api/auth/token/")
    )
    assert statuses == [200, 401]


@pytest.mark.django_db
def test_no_secret_ever_reaches_the_audit_log(world):
    driver = world.users["driver"]
    client = APIClient()
    secret = "Sup3r-Secret-Passw0rd!"
    login(client, driver.email, secret)  # failed, with a secret-looking password
    pair = login(client, driver.email).json()
    rotated = refresh(client, pair["refresh"]).json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated['access']}")
    api.post("/api/me/password/", {"old_password": PASSWORD, "new_password": secret}, format="json")
    api.post("/api/auth/logout/", {"refresh": rotated["refresh"]}, format="json")
    user_password_change(actor=world.users["admin"], user=driver, new_password="Admin-Set-Pass-99")
    rows = list(AuditLog.objects.values())
    assert len(rows) > 5
    dump = json.dumps(rows, default=str)
    for needle in (secret, PASSWORD, "Admin-Set-Pass-99", pair["access"], pair["refresh"], rotated["access"],
                   rotated["refresh"], pair["refresh"].split(".")[2], driver.password):  # fmt: skip
        assert needle not in dump
