"""The JSON error contract for every failure, before and inside Django
(issue 17): oversized, too deeply nested or invalid-Unicode bodies, a forged
JWT with a non-integer user id, a write without its trailing slash, unknown
URLs, the database down, and no browsable API outside local DEBUG."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.deliveries.models import Delivery

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _assert_contract(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["detail"] and body["request_id"] == response["X-Request-ID"], body
    return body


def test_a_ten_megabyte_json_body_is_a_json_400_before_anything_reads_it(world, api):
    body = json.dumps({"customer": 1, "notes": "x" * 10_000_000})
    response = api(world.users["driver"]).post("/api/deliveries/", body, content_type="application/json")
    _assert_contract(response, 400, "request_too_large")


def test_an_oversized_form_body_is_a_json_400_not_djangos_html(world, api):
    response = api(world.users["admin"]).post(
        "/api/depots/", "name=" + "x" * 3_000_000, content_type="application/x-www-form-urlencoded"
    )
    _assert_contract(response, 400, "request_too_large")


def test_nesting_is_limited_to_64_levels(world, api):
    client = api(world.users["admin"])

    def nested(depth: int) -> str:
        return '{"name": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"

    deep = client.post("/api/depots/", nested(65), content_type="application/json")
    _assert_contract(deep, 400, "nesting_too_deep")
    at_limit = client.post("/api/depots/", nested(64), content_type="application/json")
    assert at_limit.status_code == 400 and at_limit.json()["code"] == "invalid"  # parsed; refused by the serializer


@pytest.mark.parametrize(
    "field, value",
    [("payment_method", "\ud800"), ("payment_method", "CASH\udfff"), ("order", "\x00"), ("lines", [{"\ud83d": 1}])],
)
def test_invalid_unicode_anywhere_in_the_body_is_a_400_at_the_parser(world, api, field, value):
    load_vehicle(world, quantity=14)
    body = json.dumps(delivery_body(world, **{field: value}))  # json.dumps escapes: "\ud800" on the wire
    response = api(world.users["driver"]).post("/api/deliveries/", body, content_type="application/json")
    _assert_contract(response, 400, "invalid_unicode")
    assert not Delivery.objects.exists()


def test_a_body_that_is_not_utf8_is_a_400(world, api):
    response = api(world.users["admin"]).post("/api/depots/", b'{"name": "Tuas \xff"}', content_type="application/json")
    _assert_contract(response, 400, "invalid_unicode")


@pytest.mark.parametrize("user_id", ["abc", "1.5", 1.5, [1], {"id": 1}, True, 10**30, "٣", "", None, -4, 0])
def test_a_signed_jwt_with_a_non_integer_user_id_is_401(world, user_id):
    token = AccessToken.for_user(world.users["admin"])
    token["user_id"] = user_id
    response = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    _assert_contract(response, 401, "token_not_valid")
    refresh = RefreshToken.for_user(world.users["admin"])
    refresh["user_id"] = user_id
    response = Client().post("/api/auth/token/refresh/", {"refresh": str(refresh)}, content_type="application/json")
    _assert_contract(response, 401, "token_not_valid")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_without_the_trailing_slash_is_a_json_404_never_a_redirect(world, api, method):
    response = getattr(api(world.users["admin"]), method)("/api/deliveries", {}, format="json")
    body = _assert_contract(response, 404, "not_found")
    assert "/api/deliveries/" in body["detail"]


def test_unknown_api_urls_are_json_404_for_every_method(world, api):
    client = api(world.users["admin"])
    for method in ("get", "post", "put", "patch", "delete"):
        _assert_contract(getattr(client, method)("/api/no/such/thing/"), 404, "not_found")
    _assert_contract(Client().get("/api/nothing-here"), 404, "not_found")


def test_the_database_down_is_a_503_database_unavailable(world):
    token = AccessToken.for_user(world.users["driver"])
    original = connections["default"]
    broken_settings = dict(original.settings_dict)
    if original.vendor == "sqlite":
        broken_settings["NAME"] = "/nonexistent-lpg-dir/db.sqlite3"
    else:
        broken_settings.update(HOST="127.0.0.1", PORT=1)  # nothing listens there: connection refused
    broken = original.__class__(broken_settings, alias="default")
    connections["default"] = broken
    try:
        response = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
        login = Client().post(
            "/api/auth/token/", {"email": "x@example.com", "password": "y"}, content_type="application/json"
        )
    finally:
        connections["default"] = original
        broken.close()
    _assert_contract(response, 503, "database_unavailable")
    _assert_contract(login, 503, "database_unavailable")


def test_only_json_is_rendered_outside_local_debug(world, api):
    response = api(world.users["admin"]).get("/api/depots/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406 and response["Content-Type"].startswith("application/json")
    script = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base_env.update(
        SECRET_KEY="s" * 64,
        AUDIT_HMAC_KEY="h" * 48,
        ALLOWED_HOSTS="lpg.example.com",
        DATABASE_URL="sqlite:///var/x.sqlite3",
    )
    for module, debug, browsable in (("production", "0", False), ("local", "0", False), ("local", "1", True)):
        env = {**base_env, "DJANGO_SETTINGS_MODULE": f"config.settings.{module}", "DEBUG": debug}
        out = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert ("BrowsableAPIRenderer" in out.stdout) is browsable, (module, debug, out.stdout)
