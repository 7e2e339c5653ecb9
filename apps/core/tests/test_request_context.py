"""One request id per request (issue 14): the client's X-Request-ID when it is
a safe short token, else a new UUID4; echoed in the response header, carried
as ``request_id`` in every error body, and written with IP and user agent on
every audit row the request produces, the services' business rows included."""

import uuid

import pytest
from django.db.models import Max

from apps.audit.models import AuditLog
from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.core.request_context import request_id_from

pytestmark = pytest.mark.django_db


def _rows_after(mark: int | None):
    return list(AuditLog.objects.filter(id__gt=mark or 0).order_by("id"))


def test_every_audit_row_of_one_delivery_carries_its_request_id_ip_and_user_agent(world, api):
    load_vehicle(world, quantity=30)
    mark = AuditLog.objects.aggregate(m=Max("id"))["m"]
    response = api(world.users["driver"]).post(
        "/api/deliveries/",
        delivery_body(world, lines=[{"cylinder_type": world.gas.pk, "delivered_full": 3, "returned_empty": 2}]),
        format="json",
        HTTP_X_REQUEST_ID="pwa-7f3a.c9_2",
        REMOTE_ADDR="203.0.113.54",
        HTTP_USER_AGENT="LPG-PWA/2.3 (Android 14)",
    )
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "pwa-7f3a.c9_2"
    rows = _rows_after(mark)
    actions = {row.action for row in rows}
    # the business rows of the delivery (delivery, invoice, ...) and the middleware's own row
    assert len(rows) >= 3 and "api.request" in actions and len(actions) >= 3, actions
    for row in rows:
        assert row.request_meta["request_id"] == "pwa-7f3a.c9_2", (row.action, row.request_meta)
        assert row.ip_address == "203.0.113.54", row.action
        assert row.request_meta["user_agent"] == "LPG-PWA/2.3 (Android 14)", row.action


def test_two_requests_have_two_ids_and_the_rows_of_each_keep_their_own(world, api):
    client = api(world.users["admin"])
    mark = AuditLog.objects.aggregate(m=Max("id"))["m"]
    ids = []
    for quantity in (7, 14):
        body = {
            "kind": "RECEIPT",
            "depot": world.depot.pk,
            "lines": [{"cylinder_type": world.gas.pk, "quantity": quantity}],
        }
        response = client.post("/api/stock/documents/", body, format="json")
        assert response.status_code == 201
        ids.append(response["X-Request-ID"])
    assert ids[0] != ids[1] and all(uuid.UUID(i).version == 4 for i in ids)
    seen = {row.request_meta.get("request_id") for row in _rows_after(mark)}
    assert seen == set(ids)


@pytest.mark.parametrize(
    "sent",
    ["", "a" * 65, "bad id with spaces", "x;DROP TABLE", "caf\u00e9", "../../etc", "id\r\nSet-Cookie: a=b"],
)
def test_a_bad_client_id_is_replaced_by_a_uuid4(world, api, sent):
    response = api(world.users["driver"]).get("/api/me/", HTTP_X_REQUEST_ID=sent)
    assert response.status_code == 200
    assert response["X-Request-ID"] != sent
    assert uuid.UUID(response["X-Request-ID"]).version == 4


def test_the_id_is_accepted_up_to_64_safe_characters():
    assert request_id_from("A-z_0.9" * 9 + "x") == "A-z_0.9" * 9 + "x"
    assert len(request_id_from("a" * 64)) == 64 and request_id_from("a" * 64) == "a" * 64
    assert request_id_from(None) != request_id_from(None)


def test_error_bodies_carry_the_request_id(world, api):
    client = api(world.users["driver"])
    refused = client.post("/api/deliveries/", {"customer": "x"}, format="json", HTTP_X_REQUEST_ID="retry-435.83")
    assert refused.status_code == 400
    assert refused.json()["request_id"] == "retry-435.83" == refused["X-Request-ID"]
    missing = client.get("/api/no-such-endpoint/", HTTP_X_REQUEST_ID="lost-1")
    assert missing.status_code == 404 and missing.json()["request_id"] == "lost-1"
    anonymous = api(None).get("/api/me/")
    assert anonymous.status_code == 401 and anonymous.json()["request_id"] == anonymous["X-Request-ID"]


def test_a_refused_request_still_leaves_its_middleware_row_with_the_id(world, api):
    mark = AuditLog.objects.aggregate(m=Max("id"))["m"]
    item = {"depot": world.depot.pk, "cylinder_type": world.gas.pk, "quantity": 999, "movement_type": "COLLECTION"}
    body = {"vehicle": world.vehicle.pk, "items": [item]}
    response = api(world.users["driver"]).post("/api/distributions/", body, format="json", HTTP_X_REQUEST_ID="short-1")
    assert response.status_code == 409 and response.json()["request_id"] == "short-1"
    rows = _rows_after(mark)
    assert rows and all(row.request_meta["request_id"] == "short-1" for row in rows)
