"""Read-only fields (status, driver, totals, numbers, is_staff, role, ids)
cannot be changed through any write endpoint: the request may carry them,
the database does not change."""

import uuid

import pytest
from django.forms.models import model_to_dict

from apps.accounts.models import User
from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.core.testing.world import api_client_for
from apps.customers.models import Customer
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle
from apps.distribution.models import DistributionHeader
from apps.orders.services import order_create

FORGED = {"id": 999999, "pk": 999999, "status": "reversed", "number": "FORGED-1", "created_by": 1,
          "created_at": "2000-01-01T00:00:00Z", "is_staff": True, "is_superuser": True, "role": "admin"}  # fmt: skip


def snapshot(obj) -> dict:
    obj.refresh_from_db()
    return model_to_dict(obj)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(
    "url,model,body",
    [
        ("/api/depots/{}/", Depot, {"code": "D9", "name": "Depot", "address": "1 Road"}),
        ("/api/vehicles/{}/", Vehicle, {"plate_number": "SX9Z", "home_depot": None, "description": "x"}),
        ("/api/cylinder-types/{}/", CylinderType, {"sku": "S9", "name": "S", "weight_kg": "5", "list_price": "9"}),
        ("/api/customers/{}/", Customer, {"code": "C9", "name": "N", "site_address": "x", "postal_code": "123456"}),
        ("/api/equipment/{}/", Equipment, {"serial_number": "SN9", "depot": None}),
    ],
)
def test_master_data_ids_cannot_be_reassigned(world, method, url, model, body):
    obj = {
        Depot: world.depot, Vehicle: world.vehicle, CylinderType: world.gas, Customer: world.customers[0],
        Equipment: None,
    }[model] or Equipment.objects.create(serial_number="EQ-1", depot=world.depot)  # fmt: skip
    body = {k: (world.depot.pk if v is None else v) for k, v in body.items()}
    before_ids = set(model.objects.values_list("pk", flat=True))
    response = getattr(api_client_for(world.users["admin"]), method)(
        url.format(obj.pk), {**body, **{k: v for k, v in FORGED.items() if k != "status"}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert set(model.objects.values_list("pk", flat=True)) == before_ids
    assert str(response.json()["id"]) == str(obj.pk)


@pytest.mark.django_db
def test_password_change_cannot_touch_role_or_staff_flags(world):
    driver = world.users["driver"]
    before = snapshot(driver)
    api_client_for(driver).post(
        "/api/me/password/",
        {"old_password": "pass-12345", "new_password": "Long-new-pass-42", **FORGED},
        format="json",
    )
    after = snapshot(driver)
    for name in ("role", "is_staff", "is_superuser", "is_active", "depot", "vehicle", "email"):
        assert after[name] == before[name], name
    assert User.objects.filter(is_superuser=True).count() == 1


@pytest.mark.django_db
def test_a_distribution_cannot_be_created_with_forged_status_totals_number_or_driver(world):
    driver, other = world.users["driver"], world.users["driver2"]
    body = {
        "vehicle": world.vehicle.pk,
        "items": [
            {"depot": world.depot.pk, "cylinder_type": world.gas.pk, "quantity": 2, "movement_type": "COLLECTION"}
        ],
        "total_collection": 500, "total_return": 7, **FORGED,
    }  # fmt: skip
    client = api_client_for(driver)
    created = client.post("/api/distributions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert created.status_code == 201, created.content
    header = DistributionHeader.objects.get(pk=created.json()["id"])
    assert (header.status, header.total_collection, header.total_return) == ("confirmed", 2, 0)
    assert header.number.startswith("DIST-") and header.driver_id == driver.pk and header.created_by_id == driver.pk
    # a driver cannot attribute a distribution to another driver
    forged = client.post("/api/distributions/", {**body, "driver": other.pk}, format="json",
                         HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert forged.status_code == 403
    assert not DistributionHeader.objects.filter(driver=other).exists()


@pytest.mark.django_db
def test_a_delivery_cannot_be_created_with_a_forged_invoice_driver_or_totals(world):
    load_vehicle(world)
    body = {**delivery_body(world), "driver": world.users["driver2"].pk, "invoice": {"number": "INV-FAKE",
            "total": "0.01"}, "total_delivered": 99, "total_returned": 99, **FORGED}  # fmt: skip
    response = api_client_for(world.users["driver"]).post(
        "/api/deliveries/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["driver"] == world.users["driver"].pk
    assert (data["total_delivered"], data["total_returned"]) == (3, 3)
    assert data["invoice"]["number"].startswith("INV-") and data["invoice"]["total"] != "0.01"


@pytest.mark.django_db
def test_an_order_patch_cannot_change_status_customer_or_creator(world):
    from datetime import date

    order = order_create(actor=world.users["supervisor"], customer=world.customers[0], scheduled_for=date.today(),
                         lines=[{"cylinder_type": world.gas, "quantity": 1}])  # fmt: skip
    before = snapshot(order)
    response = api_client_for(world.users["supervisor"]).patch(
        f"/api/orders/{order.pk}/",
        {"notes": "ring twice", "customer": world.customers[1].pk, "status": "DELIVERED", **FORGED},
        format="json",
    )
    assert response.status_code == 200, response.content
    after = snapshot(order)
    assert after["notes"] == "ring twice"
    for name in ("status", "customer", "created_by", "id"):
        assert after[name] == before[name], name


@pytest.mark.django_db
def test_stock_document_number_and_creator_are_the_servers(world):
    body = {"kind": "RECEIPT", "depot": world.depot.pk, "lines": [{"cylinder_type": world.gas.pk, "quantity": 1}],
            "created_by": world.users["admin"].pk, "number": "RCV-FAKE",
            "occurred_at": "2000-01-01T00:00:00Z"}  # fmt: skip
    response = api_client_for(world.users["depot_staff"]).post("/api/stock/documents/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] != "RCV-FAKE" and data["created_by"] == world.users["depot_staff"].pk
    assert not data["occurred_at"].startswith("2000")
