"""Stock in the admin (Django test client, real database): the document form
offers only the role's kinds and shows the service's reasons on their fields;
stock at a glance is scoped and totalled; a reversal needs a confirmation and
a reason."""

import pytest
from django.test import Client

from apps.audit.models import AuditLog
from apps.inventory.enums import StockDocumentKind
from apps.inventory.locations import location_for_depot, location_for_vehicle
from apps.inventory.models import StockBalance, StockDocument, StockMove
from apps.inventory.services import stock_document_create

ADD = "/admin/inventory/stockdocument/add/"
OVERVIEW = "/admin/inventory/stockbalance/overview/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_body(client, url, **fields) -> dict:
    key = client.get(url).context["form"].initial["idempotency_key"]
    return {"idempotency_key": str(key), **{k: str(v) for k, v in fields.items()}}


def full_empty(location, cylinder_type) -> tuple[int, int]:
    row = StockBalance.objects.get(location=location, cylinder_type=cylinder_type)
    return row.full_qty, row.empty_qty


@pytest.mark.django_db
def test_the_document_form_offers_only_the_roles_kinds(world):
    staff = client_for(world.users["depot_staff"]).get(ADD).context["form"]
    assert [k for k, _ in staff.fields["kind"].choices] == ["RECEIPT", "DUMP", "TRANSFER"]
    assert [d.pk for d in staff.fields["depot"].queryset] == [world.depot.pk]
    assert "location" not in staff.fields
    supervisor = client_for(world.users["supervisor"]).get(ADD).context["form"]
    kinds = [k for k, _ in supervisor.fields["kind"].choices]
    assert kinds == ["RECEIPT", "DUMP", "TRANSFER", "ADJUSTMENT", "WRITE_OFF"]
    assert client_for(world.users["finance"]).get(ADD).status_code == 403


@pytest.mark.django_db
def test_depot_staff_cannot_post_an_adjustment_by_hand(world):
    client = client_for(world.users["depot_staff"])
    body = form_body(client, ADD, kind="ADJUSTMENT", depot=world.depot.pk, type_0=world.gas.pk, qty_0=-3)
    response = client.post(ADD, body)
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert StockDocument.objects.filter(kind="ADJUSTMENT").count() == 0


@pytest.mark.django_db
def test_errors_name_the_field_state_required_and_reason_required(world):
    client = client_for(world.users["supervisor"])
    gas, depot_loc = world.gas, location_for_depot(world.depot)
    before = StockDocument.objects.count()
    # a transfer takes full or empty: the state is required on that line
    body = form_body(client, ADD, kind="TRANSFER", depot=world.depot.pk, to_depot=world.depot2.pk,
                     type_0=world.types[1].pk, qty_0=14, state_0="FULL", type_1=gas.pk, qty_1=7)  # fmt: skip
    errors = client.post(ADD, body).context["form"].errors
    assert list(errors) == ["state_1"] and "EMPTY or FULL" in errors["state_1"][0]
    # an adjustment needs a reason
    body = form_body(client, ADD, kind="ADJUSTMENT", location=depot_loc.pk, type_0=gas.pk, state_0="FULL", qty_0=-7)
    errors = client.post(ADD, body).context["form"].errors
    assert list(errors) == ["reason"] and "reason is required" in errors["reason"][0]
    assert StockDocument.objects.count() == before
    assert full_empty(depot_loc, gas) == (100, 0)
    # the same form with a reason goes through
    body["reason"] = "Found 7 cylinders short at the count"
    response = client.post(ADD, body)
    assert response.status_code == 302
    assert full_empty(depot_loc, gas) == (93, 0)
    assert client.post(ADD, body).status_code == 302  # submitted twice: one document
    assert StockDocument.objects.filter(kind="ADJUSTMENT").count() == 1


@pytest.mark.django_db
def test_depot_staff_record_a_receipt_at_their_depot(world):
    client = client_for(world.users["depot_staff"])
    depot_loc = location_for_depot(world.depot)
    body = form_body(client, ADD, kind="RECEIPT", depot=world.depot.pk, type_0=world.types[1].pk, qty_0=14,
                     reference="PLANT-4471")  # fmt: skip
    response = client.post(ADD, body)
    assert response.status_code == 302
    document = StockDocument.objects.get(reference="PLANT-4471")
    assert document.number.startswith("RCV-") and document.created_by == world.users["depot_staff"]
    assert full_empty(depot_loc, world.types[1]) == (114, 0)
    # another depot is not a choice
    body = form_body(client, ADD, kind="RECEIPT", depot=world.depot2.pk, type_0=world.gas.pk, qty_0=7)
    assert "depot" in client.post(ADD, body).context["form"].errors


@pytest.mark.django_db
def test_stock_at_a_glance_is_the_users_depot_with_totals_and_as_of(world):
    from apps.billing.tests.helpers import load_vehicle

    load_vehicle(world, quantity=7)  # 7 of each type onto world.vehicle (depot 1)
    page = client_for(world.users["depot_staff"]).get(OVERVIEW)
    assert page.status_code == 200
    names = {row["location"].name for row in page.context["rows"]}
    assert location_for_depot(world.depot2).name not in names
    assert location_for_vehicle(world.vehicle).name in names
    truck = next(r for r in page.context["rows"] if r["is_truck"])
    assert truck["total"] == (21, 0)  # per truck: 7 x 3 types
    assert page.context["truck_totals"]["cells"][0] == (7, 0)  # per type on trucks
    assert page.context["all_totals"]["cells"][0] == (100, 0)  # depot 93 + truck 7
    assert page.context["as_of"] is not None and b"As of" in page.content
    assert page.context["depots"] == []  # no depot filter: only their own

    office = client_for(world.users["supervisor"])
    everything = office.get(OVERVIEW)
    assert everything.context["all_totals"]["cells"][0] == (200, 0)
    filtered = office.get(OVERVIEW, {"depot": world.depot2.pk})
    assert {r["location"].name for r in filtered.context["rows"]} == {location_for_depot(world.depot2).name}
    assert filtered.context["all_totals"]["total"] == (300, 0)


@pytest.mark.django_db
def test_reversal_needs_a_confirmation_page_and_a_reason(world):
    supervisor = world.users["supervisor"]
    depot_loc = location_for_depot(world.depot)
    receipt = stock_document_create(actor=supervisor, kind=StockDocumentKind.RECEIPT, depot=world.depot,
                                    lines=[{"cylinder_type": world.gas, "quantity": 7}])  # fmt: skip
    assert full_empty(depot_loc, world.gas) == (107, 0)
    client = client_for(supervisor)
    url = f"/admin/inventory/stockdocument/{receipt.pk}/reverse/"
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["moves"]) == 1
    changelist = client.get("/admin/inventory/stockdocument/")
    assert b"reverse_documents" not in changelist.content  # no bulk reversal without confirmation
    assert url.encode() in changelist.content  # a link to the confirmation page instead
    moves, audits = StockMove.objects.count(), AuditLog.objects.count()
    for blank in ("", "   "):
        response = client.post(url, form_body(client, url, reason=blank))
        assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert StockMove.objects.count() == moves and AuditLog.objects.count() == audits
    assert StockDocument.objects.filter(kind="REVERSAL").count() == 0

    body = form_body(client, url, reason="Docket PLANT-4471 was keyed twice")
    response = client.post(url, body)
    assert response.status_code == 302
    reversal = StockDocument.objects.get(kind="REVERSAL")
    assert reversal.reason == "Docket PLANT-4471 was keyed twice" and reversal.reverses_document_id == receipt.pk
    assert full_empty(depot_loc, world.gas) == (100, 0)
    assert AuditLog.objects.filter(action="stock.reversed", entity_id=str(receipt.pk)).exists()
    assert client.post(url, body).status_code == 302  # the same confirmation twice: one reversal
    assert StockDocument.objects.filter(kind="REVERSAL").count() == 1
    # depot staff may not reverse
    assert client_for(world.users["depot_staff"]).get(url).status_code == 403
