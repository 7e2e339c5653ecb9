"""The typed contract with the phone: every 2xx answer in /api/schema/ is
described field by field (the PWA's TypeScript types are generated from it,
frontend/src/api/schema.d.ts), and the read endpoints whose bodies are built
as dicts answer exactly what their schema says, no field more or less."""

import copy
import json
from datetime import date, timedelta
from decimal import Decimal

import jsonschema
import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.billing.models import CustomerPrice, GstRate, ServiceItem, ServiceItemPrice
from apps.billing.tests.helpers import deliver, delivery_body, load_vehicle
from apps.dispatch.services import dispatch_route
from apps.orders import selectors
from apps.orders.serializers import DaySummaryOutput, MyDayOutput
from apps.orders.tests.helpers import make_order
from apps.sync.tests.signing import PhoneKey, collection_payload, register_device

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


# Records of what was sent or changed, any JSON by design: the audit log's
# snapshots and a refused event exactly as the phone sent it.
FREE_FORM = {
    "AuditLog.before",
    "AuditLog.after",
    "AuditLog.request_meta",
    "RejectedEvent.payload",
    "RejectedEvent.extra",
}
SHAPE_KEYS = ("type", "$ref", "oneOf", "anyOf", "allOf", "enum")


def _untyped(node: dict, components: dict, where: str, seen: frozenset, component: str = "") -> list[str]:
    """Places in ``node`` that say nothing about their shape: no type at all
    (``{}``, a bare JSONField), an object without properties, or free-form
    ``additionalProperties``."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in components:
            return [f"{where}: $ref to a missing component {name}"]
        if name in seen:
            return []
        return _untyped(components[name], components, f"{where}<{name}>", seen | {name}, name)
    found = []
    if not any(key in node for key in SHAPE_KEYS):
        found.append(f"{where}: no type (any value)")
    for key in ("oneOf", "anyOf", "allOf"):
        for i, sub in enumerate(node.get(key, [])):
            found += _untyped(sub, components, f"{where}.{key}[{i}]", seen, component)
    kind = node.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind):
        extra = node.get("additionalProperties")
        if not node.get("properties") and not isinstance(extra, dict):
            found.append(f"{where}: object without properties")
        elif extra is True or extra == {}:
            found.append(f"{where}: free-form additionalProperties")
        elif isinstance(extra, dict):
            found += _untyped(extra, components, f"{where}.*", seen, component)
        for name, sub in (node.get("properties") or {}).items():
            if f"{component}.{name}" not in FREE_FORM:
                found += _untyped(sub, components, f"{where}.{name}", seen, component)
    if kind == "array" or "items" in node:
        found += _untyped(node.get("items", {}), components, f"{where}[]", seen, component)
    return found


def _json_responses(schema: dict):
    for path, item in schema["paths"].items():
        for method in METHODS:
            for status, response in item.get(method, {}).get("responses", {}).items():
                for media, body in (response.get("content") or {}).items():
                    if status.startswith("2") and "json" in media:
                        yield f"{method.upper()} {path} {status}", body.get("schema", {})


def test_every_json_success_answer_is_typed_all_the_way_down(schema):
    components = schema["components"]["schemas"]
    untyped = [p for op, body in _json_responses(schema) for p in _untyped(body, components, op, frozenset())]
    assert untyped == []
    seen = {op for op, _ in _json_responses(schema)}  # the walk really saw the API
    assert {"GET /api/my-day/ 200", "GET /api/day-end/summary/ 200", "POST /api/sync/ 200"} <= seen
    assert len(seen) > 80


def test_the_check_finds_untyped_answers():
    components = {"Loose": {"type": "object", "additionalProperties": {}}}
    assert _untyped({"type": "object", "additionalProperties": {}}, components, "x", frozenset())
    assert _untyped({"type": "array", "items": {"$ref": "#/components/schemas/Loose"}}, components, "x", frozenset())
    assert _untyped({"type": "object", "properties": {"result": {}}}, components, "x", frozenset())
    assert _untyped({"type": "object", "properties": {"jwk": {"readOnly": True}}}, components, "x", frozenset())
    assert _untyped({"$ref": "#/components/schemas/Gone"}, components, "x", frozenset())
    typed = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
    assert _untyped(typed, components, "x", frozenset()) == []


# -- answers against their schema, strictly ------------------------------------------


def _strict(node):
    """OpenAPI 3.0 -> JSON Schema: ``nullable`` as a null type, and objects with
    properties closed (``additionalProperties: false``), so an undocumented key fails."""
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strict(v) for k, v in node.items()}
    nullable = out.pop("nullable", False)
    if out.get("properties") is not None and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if nullable:
        if "type" in out and isinstance(out["type"], str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _validator(schema: dict, method: str, path: str, status: str = "200") -> jsonschema.Draft7Validator:
    body = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    root = {**_strict(copy.deepcopy(body)), "components": {"schemas": _strict(schema["components"]["schemas"])}}
    return jsonschema.Draft7Validator(root, format_checker=jsonschema.FormatChecker())


def _request_validator(schema: dict, path: str) -> jsonschema.Draft7Validator:
    body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    root = {**_strict(copy.deepcopy(body)), "components": {"schemas": _strict(schema["components"]["schemas"])}}
    return jsonschema.Draft7Validator(root, format_checker=jsonschema.FormatChecker())


def assert_matches(schema, method, path, data, status="200"):
    errors = sorted(_validator(schema, method, path, status).iter_errors(data), key=str)
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def test_strict_validation_refuses_an_extra_key(schema):
    with pytest.raises(AssertionError):
        assert_matches(schema, "get", "/api/company/", {**_company(), "extra": 1})
    with pytest.raises(AssertionError):
        assert_matches(schema, "get", "/api/company/", {k: v for k, v in _company().items() if k != "uen"})


def _company() -> dict:
    keys = ("name", "address", "uen", "gst_reg_no", "phone", "email", "paynow_uen")
    return dict.fromkeys(keys, "x")


@pytest.fixture
def busy_day(world):
    """A driver's day with everything the bodies can hold: a routed order
    partly delivered, a delivery, a door payment, a count with a variance,
    customer and dated prices, a service item, a future GST rate."""
    today = timezone.localdate()
    first = make_order(world, customer=world.customers[0], quantity=5)
    make_order(world, customer=world.customers[1], quantity=2)
    dispatch_route(actor=world.users["supervisor"], driver=world.users["driver"], day=today)
    load_vehicle(world, quantity=10)
    deliver(
        world,
        customer=world.customers[0],
        order=first,
        lines=[{"cylinder_type": world.gas, "delivered_full": 3, "returned_empty": 2}],
    )
    deliver(world, customer=world.customers[2], payment_method="CASH")
    CustomerPrice.objects.create(
        customer=world.customers[0], cylinder_type=world.gas, valid_from=date(2025, 3, 1), price=Decimal("21.49")
    )
    GstRate.objects.get_or_create(valid_from=today + timedelta(days=400), defaults={"rate": Decimal("0.1000")})
    item = ServiceItem.objects.create(code="SAFETY", name="Safety check")
    ServiceItemPrice.objects.create(service_item=item, valid_from=date(2025, 5, 1), price=Decimal("12.35"))
    return world


def _count_with_variance(world, api):
    truck = selectors.vehicle_stock(driver=world.users["driver"])
    lines = [
        {"cylinder_type": r["cylinder_type"], "full_qty": r["full_qty"] + 1, "empty_qty": r["empty_qty"]} for r in truck
    ]
    res = api(world.users["driver"]).post("/api/day-end/counts/", {"lines": lines}, format="json")
    assert res.status_code == 201 and res.json()["status"] == "PENDING", res.content


@pytest.mark.django_db
def test_driver_day_answers_match_their_schema(schema, busy_day, api):
    world = busy_day
    _count_with_variance(world, api)
    driver = api(world.users["driver"])
    day = driver.get("/api/my-day/").json()
    assert len(day["stops"]) == 2 and day["stock"]
    assert sorted(s["lines"][0]["delivered"] for s in day["stops"]) == [0, 3]  # one partly delivered
    assert_matches(schema, "get", "/api/my-day/", day)
    summary = driver.get("/api/day-end/summary/").json()
    assert summary["variance"] and summary["count"]["status"] == "PENDING" and summary["cash_collected"] != "0.00"
    assert_matches(schema, "get", "/api/day-end/summary/", summary)
    # a driver without a vehicle: the nullable parts
    bare = api(world.users["driver2"])
    world.users["driver2"].vehicle = None
    world.users["driver2"].save(update_fields=["vehicle"])
    assert_matches(schema, "get", "/api/my-day/", bare.get("/api/my-day/").json())
    assert_matches(schema, "get", "/api/day-end/summary/", bare.get("/api/day-end/summary/").json())


@pytest.mark.django_db
def test_phone_caches_match_their_schema(schema, busy_day, api):
    driver = api(busy_day.users["driver"])
    prices = driver.get("/api/customers/prices/").json()
    mine = next(c for c in prices["customers"] if c["id"] == busy_day.customers[0].pk)
    assert mine["prices"] and prices["service_items"][0]["prices"] and len(prices["gst_rates"]) == 2
    assert_matches(schema, "get", "/api/customers/prices/", prices)
    assert_matches(schema, "get", "/api/company/", driver.get("/api/company/").json())
    paynow = driver.get("/api/paynow/payload/", {"amount": "25.5", "reference": "INV-1"}).json()
    assert paynow["amount"] == "25.50"
    assert_matches(schema, "get", "/api/paynow/payload/", paynow)


@pytest.mark.django_db
def test_finance_reports_match_their_schema(schema, busy_day, api):
    finance = api(busy_day.users["finance"])
    today = timezone.localdate().isoformat()
    ageing = finance.get("/api/reports/ageing/", {"as_of": today}).json()
    assert ageing["customers"] and ageing["customers"][0]["invoices"]
    assert_matches(schema, "get", "/api/reports/ageing/", ageing)
    gst = finance.get("/api/reports/gst-summary/", {"from": "2020-01-01", "to": today}).json()
    assert gst["by_rate"]
    assert_matches(schema, "get", "/api/reports/gst-summary/", gst)
    customer = busy_day.customers[0].pk
    statement = finance.get(f"/api/customers/{customer}/statement/", {"from": "2020-01-01", "to": today}).json()
    assert statement["entries"]
    assert_matches(schema, "get", "/api/customers/{id}/statement/", statement)


@pytest.mark.django_db
def test_stock_document_and_sync_answers_match_their_schema(schema, world, api):
    admin = api(world.users["admin"])
    body = {
        "kind": "RECEIPT",
        "depot": world.depot.pk,
        "reason": "supplier",
        "lines": [{"cylinder_type": world.gas.pk, "state": "FULL", "quantity": 5}],
    }
    doc = admin.post("/api/stock/documents/", body, format="json")
    assert doc.status_code == 201, doc.content
    assert doc.json()["moves"]
    assert_matches(schema, "post", "/api/stock/documents/", doc.json(), status="201")

    load_vehicle(world, quantity=10)
    client, key = api(world.users["driver"]), PhoneKey()
    device = register_device(client, key)
    events = [
        key.event("distribution.create", collection_payload(world, quantity=2)),
        key.event("delivery.create", delivery_body(world)),
    ]
    request = {"device": device, "events": events}
    errors = _request_validator(schema, "/api/sync/").iter_errors(json.loads(json.dumps(request)))
    assert [e.message for e in errors] == []  # the events the phone builds from the generated types
    answer = client.post("/api/sync/", request, format="json").json()
    assert [r["status"] for r in answer["results"]] == ["applied", "applied"]
    assert answer["results"][1]["result"]["invoice"]["number"].startswith("INV-")
    assert_matches(schema, "post", "/api/sync/", answer)
    devices = client.get("/api/devices/").json()
    assert devices["results"][0]["public_key_jwk"]["crv"] == "P-256"
    assert_matches(schema, "get", "/api/devices/", devices)


def _render(data) -> bytes:
    return JSONRenderer().render(data)


def _pairs(raw: bytes):
    return json.loads(raw, object_pairs_hook=list)


@pytest.mark.django_db
def test_output_serializers_render_the_selectors_bodies_unchanged(busy_day, api):
    """MyDayOutput and DaySummaryOutput change no byte of what the selectors
    built (keys, order, values; on MariaDB a SUM comes back as a Decimal, which
    the serializer makes the integer the schema promises)."""
    _count_with_variance(busy_day, api)
    driver, today = busy_day.users["driver"], timezone.localdate()
    for build, output in ((selectors.my_day, MyDayOutput), (selectors.day_summary, DaySummaryOutput)):
        raw = build(driver=driver, day=today)
        assert _pairs(_render(output(raw).data)) == _pairs(_render(raw))
