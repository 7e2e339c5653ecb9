"""Every document-creating POST requires an Idempotency-Key (issue 14) and a
key belongs to the user who first sent it (issue 17): without the header 428
``idempotency_key_required`` and nothing recorded; the same key and body from
the same user replays the first answer; the same key from another user, with
the same or another body, is 409 ``idempotency_conflict``, never a replay of
someone else's document."""

import uuid

import pytest

from apps.billing.models import CreditNote, Payment
from apps.billing.tests.helpers import deliver, delivery_body, load_vehicle
from apps.deliveries.models import Delivery
from apps.distribution.models import DistributionHeader
from apps.inventory.models import StockDocument
from apps.orders.models import DayEndCount

pytestmark = pytest.mark.django_db


def _distribution(world):
    item = {"depot": world.depot.pk, "cylinder_type": world.types[1].pk, "quantity": 7, "movement_type": "COLLECTION"}
    body = {"vehicle": world.vehicle.pk, "items": [item]}
    return "/api/distributions/", body, DistributionHeader


def _delivery(world):
    return "/api/deliveries/", delivery_body(world), Delivery


def _payment(world):
    invoice = deliver(world).invoice
    return f"/api/invoices/{invoice.pk}/payments/", {"amount": "4.37", "method": "CHEQUE", "reference": "C-88"}, Payment


def _credit_note(world):
    invoice = deliver(world).invoice
    return "/api/credit-notes/", {"invoice": invoice.pk, "reason": "price agreed lower"}, CreditNote


def _stock_document(world):
    body = {"kind": "RECEIPT", "depot": world.depot.pk, "reference": "FP-0435",
            "lines": [{"cylinder_type": world.types[2].pk, "quantity": 14}]}  # fmt: skip
    return "/api/stock/documents/", body, StockDocument


def _day_end_count(world):
    return "/api/day-end/counts/", {"driver": world.users["driver"].pk, "lines": []}, DayEndCount


DOCUMENTS = {
    "distribution": _distribution,
    "delivery": _delivery,
    "payment": _payment,
    "credit_note": _credit_note,
    "stock_document": _stock_document,
    "day_end_count": _day_end_count,
}


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=30)
    return world


@pytest.mark.parametrize("document", DOCUMENTS)
def test_without_a_key_428_and_nothing_recorded(loaded, api, document):
    path, body, model = DOCUMENTS[document](loaded)
    admin = api(loaded.users["admin"])
    before = model.objects.count()
    response = admin.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=None)
    assert response.status_code == 428, response.content
    assert response.json()["code"] == "idempotency_key_required"
    assert response.json()["request_id"] == response["X-Request-ID"]
    assert model.objects.count() == before
    # the very same request with a key is recorded: the 428 was the key's doing
    assert admin.post(path, body, format="json").status_code == 201
    assert model.objects.count() == before + 1


@pytest.mark.parametrize("document", DOCUMENTS)
def test_same_key_same_user_replays_another_user_gets_409(loaded, api, document):
    path, body, model = DOCUMENTS[document](loaded)
    key = str(uuid.uuid4())
    admin, supervisor = api(loaded.users["admin"]), api(loaded.users["supervisor"])
    first = admin.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    count = model.objects.count()

    again = admin.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (201, first.json(), "true")

    for other_body in (body, {**body, "note": "changed"}):
        stolen = supervisor.post(path, other_body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert stolen.status_code == 409, stolen.content
        assert stolen.json()["code"] == "idempotency_conflict"
        assert "id" not in stolen.json() and "number" not in stolen.json()
    assert model.objects.count() == count


def test_same_key_same_user_other_body_is_409(loaded, api):
    path, body, _ = _stock_document(loaded)
    key = str(uuid.uuid4())
    admin = api(loaded.users["admin"])
    assert admin.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    other = {**body, "lines": [{"cylinder_type": loaded.types[2].pk, "quantity": 15}]}
    response = admin.post(path, other, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (response.status_code, response.json()["code"]) == (409, "idempotency_conflict")


def test_a_refused_document_keeps_no_key_so_a_corrected_retry_goes_through(loaded, api):
    path, body, model = _stock_document(loaded)
    key = str(uuid.uuid4())
    admin = api(loaded.users["admin"])
    bad = {**body, "lines": [{"cylinder_type": loaded.types[2].pk, "quantity": 0}]}
    assert admin.post(path, bad, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 400
    assert admin.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201


def test_a_key_that_is_not_a_uuid_is_400(loaded, api):
    path, body, model = _delivery(loaded)
    response = api(loaded.users["driver"]).post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["fields"]
    assert not model.objects.exists()


def test_the_schema_requires_the_header_and_documents_428_on_every_document_post():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    expected = {"/api/distributions/", "/api/deliveries/", "/api/invoices/{id}/payments/", "/api/credit-notes/",
                "/api/stock/documents/", "/api/day-end/counts/"}  # fmt: skip
    for path in expected:
        operation = paths[path]["post"]
        header = [p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert header and header[0]["required"] is True, path
        assert "428" in operation["responses"], path
