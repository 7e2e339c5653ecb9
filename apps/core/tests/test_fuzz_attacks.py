"""The attack set of issue 17, on every operation of /api/schema/, signed in as
admin and unauthenticated, on whichever database the suite runs against:
lone surrogates and NUL in bodies and query strings, invalid UTF-8, extreme
dates (0001-01-01, 9999-12-31, offsets of +-23:59), JSON nested 10,000 deep
and a 10 MB body. Every answer must be JSON; every error a 4xx in the one
contract (``code``, ``detail``, ``request_id``); never a 5xx or an HTML page.

One test per attack, each looping over all operations and listing every
offender at once (a few seconds per database in all)."""

import json
import re
import uuid

import pytest
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

WRITE_METHODS = ("post", "put", "patch")
SKIPPED = {("post", "/api/auth/logout/"), ("post", "/api/me/password/")}  # would end the admin's session
DEEP = ("[" * 10_000 + "]" * 10_000).encode()
TEN_MB = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
EXTREME_DATES = ("0001-01-01", "9999-12-31", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59")
HOSTILE_TEXT = "\ud800 \udfff\x00"


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = _schema()
OPERATIONS = [
    (method, path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in ("get", "post", "put", "patch", "delete") and (method, path) not in SKIPPED
]


def _body_properties(operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema.get("properties", {})) or ["name"]


def _query_parameters(operation: dict) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]


@pytest.fixture
def clients(world):
    from apps.billing.tests.helpers import deliver, load_vehicle

    load_vehicle(world, quantity=30)
    deliver(world)  # an invoice, a delivery, moves on a customer site
    admin = Client(raise_request_exception=False)
    admin.defaults["HTTP_AUTHORIZATION"] = f"Bearer {RefreshToken.for_user(world.users['admin']).access_token}"
    return {"admin": admin, "anonymous": Client(raise_request_exception=False)}


def _concrete(path: str, admin: Client) -> str:
    """The path with real ids (the first object the admin can list), so detail
    operations reach their body parsing instead of stopping at a 404."""
    if "{" not in path:
        return path
    collection = path.split("{", 1)[0]
    listed = admin.get(collection)
    rows = []
    if listed.status_code == 200:
        data = listed.json()
        rows = data.get("results", []) if isinstance(data, dict) else data
    ident = rows[0].get("id") if rows and isinstance(rows[0], dict) else None
    ident = ident if ident is not None else (uuid.uuid4() if "device" in path else 1)
    return re.sub(r"\{[^}]+\}", str(ident), path)


def _contract_problem(response) -> str | None:
    """None when the answer keeps the contract, else what is wrong."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    content_type = response.get("Content-Type", "")
    if response.status_code >= 400:
        if not content_type.startswith("application/json"):
            return f"{response.status_code} as {content_type}"
        body = response.json()
        missing = [k for k in ("code", "detail", "request_id") if not body.get(k)]
        if missing:
            return f"{response.status_code} without {missing}: {body}"
        if body["request_id"] != response.get("X-Request-ID"):
            return f"{response.status_code}: body request_id differs from the X-Request-ID header"
    return None


def _send(client: Client, method: str, path: str, body: bytes | None = None, query: str = ""):
    url = f"{path}?{query}" if query else path
    if body is None:
        return getattr(client, method)(url)
    return client.generic(
        method.upper(), url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )


def _attack_bodies(clients, make_body, *, must_be_4xx: bool = True) -> list[str]:
    offenders = []
    for method, path, operation in OPERATIONS:
        if method not in WRITE_METHODS:
            continue
        concrete = _concrete(path, clients["admin"])
        body = make_body(operation)
        for who, client in clients.items():
            response = _send(client, method, concrete, body)
            problem = _contract_problem(response)
            if problem is None and must_be_4xx and not 400 <= response.status_code < 500:
                problem = f"{response.status_code} (accepted)"
            if problem:
                offenders.append(f"{method.upper()} {path} as {who}: {problem}")
    return offenders


@pytest.mark.django_db
def test_lone_surrogates_and_nul_in_every_body_field_are_a_400(clients):
    def body(operation):
        return json.dumps(dict.fromkeys(_body_properties(operation), HOSTILE_TEXT)).encode()

    assert _attack_bodies(clients, body) == []


@pytest.mark.django_db
def test_surrogates_nested_in_lists_and_keys_and_invalid_utf8_are_a_400(clients):
    def body(operation):
        names = _body_properties(operation)
        nested = {names[0]: [{"cylinder_type": 1, "note": ["ok", {"\udc00key": "x"}]}]}
        return json.dumps(nested).encode()

    assert _attack_bodies(clients, body) == []
    assert _attack_bodies(clients, lambda operation: b'{"name": "\xff\xfe caf\xc3"}') == []


@pytest.mark.django_db
def test_json_nested_ten_thousand_deep_is_a_400(clients):
    assert _attack_bodies(clients, lambda operation: DEEP) == []


@pytest.mark.django_db
def test_a_ten_megabyte_body_is_a_json_400(clients):
    assert _attack_bodies(clients, lambda operation: TEN_MB) == []


@pytest.mark.django_db
def test_extreme_dates_in_every_body_field_never_fail(clients):
    offenders = []
    for value in EXTREME_DATES:

        def body(operation, value=value):
            return json.dumps(dict.fromkeys(_body_properties(operation), value)).encode()

        offenders += _attack_bodies(clients, body, must_be_4xx=False)
    assert offenders == []


@pytest.mark.django_db
def test_extreme_dates_and_hostile_text_in_every_query_parameter_never_fail(clients):
    from urllib.parse import quote

    offenders = []
    for method, path, operation in OPERATIONS:
        params = _query_parameters(operation)
        if method != "get" or not params:
            continue
        concrete = _concrete(path, clients["admin"])
        hostile = "&".join(f"{name}=%ED%A0%80%00%FF" for name in params)  # a UTF-8-encoded surrogate, NUL, a stray byte
        attempts = [("anonymous", hostile), ("admin", hostile)]
        attempts += [("admin", f"{name}={quote(value)}") for name in params for value in EXTREME_DATES]
        for who, query in attempts:
            problem = _contract_problem(_send(clients[who], method, concrete, query=query))
            if problem:
                offenders.append(f"GET {path}?{query[:60]} as {who}: {problem}")
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/my-day/", "/api/day-end/summary/", "/api/day-end/summary/receipt/"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_extreme_days_on_the_drivers_day_views_are_a_400(world, api, path, day):
    response = api(world.users["driver"]).get(path, {"date": day})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert "date" in response.json()["fields"]


@pytest.mark.django_db
def test_deep_nesting_on_the_unauthenticated_login_is_a_400():
    response = Client().post("/api/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "nesting_too_deep"
