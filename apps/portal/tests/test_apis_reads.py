"""The contact's own account: profile, invoices and PDFs, balance and
ageing, orders with their tracking state; the fence around the office API."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.audit.models import AuditLog
from apps.billing.tests.helpers import deliver, load_vehicle
from apps.core.testing.world import api_client_for
from apps.dispatch.services import dispatch_route
from apps.orders.services import order_cancel, order_create
from apps.portal.tests.helpers import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(module_world, db):
    return module_world


def order(world, customer, **kwargs):
    kwargs.setdefault("scheduled_for", timezone.localdate())
    return order_create(actor=world.users["supervisor"], customer=customer,
                        lines=[{"cylinder_type": world.gas, "quantity": 2}], **kwargs)  # fmt: skip


def tracking(client, pk) -> dict:
    response = client.get(f"/api/customer/orders/{pk}/")
    assert response.status_code == 200, response.content
    return response.json()["tracking"]


def test_profile_and_the_fence(world):
    contact = make_contact(world, world.customers[0], "fence@example.com")
    client = api_client_for(contact)
    me = client.get("/api/customer/me/").json()
    assert me["email"] == "fence@example.com" and me["customer"]["id"] == world.customers[0].pk
    for path in ("/api/customers/", "/api/invoices/", "/api/orders/", "/api/cylinder-types/", "/api/company/"):
        response = client.get(path)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied", path


def test_tracking_received_planned_on_the_way_delivered(world):
    from apps.orders.services import order_update

    customer, neighbour = world.customers[0], world.customers[1]
    client = api_client_for(make_contact(world, customer, "track@example.com"))
    driver, supervisor = world.users["driver"], world.users["supervisor"]
    today = timezone.localdate()
    # tomorrow's route, planned from the start of the shift: the ETA and its window
    ahead = order(world, customer, scheduled_for=today + timedelta(days=1))
    assert tracking(client, ahead.pk)["state"] == "received"
    order_update(actor=supervisor, order=ahead, driver=driver)
    dispatch_route(actor=supervisor, driver=driver, day=today + timedelta(days=1))
    planned = tracking(client, ahead.pk)
    assert planned["state"] == "planned" and planned["eta"]
    assert planned["window_start"] == planned["eta"] and planned["window_start"] < planned["window_end"]
    # today's route (late in the day the solver may leave it without an ETA: still planned)
    first = order(world, neighbour, driver=driver)
    mine = order(world, customer, driver=driver)
    dispatch_route(actor=supervisor, driver=driver, day=today)
    assert tracking(client, mine.pk)["state"] == "planned"
    load_vehicle(world, quantity=20)  # loaded at the depot today: the truck has started its route
    assert tracking(client, mine.pk)["state"] == "on_the_way"
    deliver(world, customer=neighbour, order=first.pk)
    assert tracking(client, mine.pk)["state"] == "on_the_way"
    delivery = deliver(world, customer=customer, order=mine.pk,
                       lines=[{"cylinder_type": world.gas, "delivered_full": 2, "returned_empty": 2}])  # fmt: skip
    done = tracking(client, mine.pk)
    assert done["state"] == "delivered" and done["invoice"] == delivery.invoice.pk
    assert done["invoice_number"] == delivery.invoice.number
    pdf = client.get(f"/api/customer/invoices/{delivery.invoice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    account = client.get("/api/customer/account/").json()
    assert account["balance_due"] == str(delivery.invoice.total)
    assert [i["number"] for i in account["open_invoices"]] == [delivery.invoice.number]
    assert account["ageing"]["current"] == str(delivery.invoice.total)


def test_cancelled_and_partly_delivered(world):
    load_vehicle(world, quantity=20)
    customer = world.customers[0]
    client = api_client_for(make_contact(world, customer, "partly@example.com"))
    gone = order(world, customer)
    order_cancel(actor=world.users["supervisor"], order=gone, reason="away")
    assert tracking(client, gone.pk)["state"] == "cancelled"
    part = order(world, customer, driver=world.users["driver"])
    deliver(world, customer=customer, order=part.pk,
            lines=[{"cylinder_type": world.gas, "delivered_full": 1, "returned_empty": 1}])  # fmt: skip
    assert tracking(client, part.pk)["state"] == "partly_delivered"


def test_another_customers_records_and_guessed_ids_are_404(world):
    load_vehicle(world, quantity=20)
    theirs = deliver(world, customer=world.customers[1])
    their_order = order(world, world.customers[1])
    client = api_client_for(make_contact(world, world.customers[0], "guess@example.com"))
    for path in (f"/api/customer/invoices/{theirs.invoice.pk}/", f"/api/customer/invoices/{theirs.invoice.pk}/pdf/",
                 f"/api/customer/orders/{their_order.pk}/", "/api/customer/orders/999999999/",
                 "/api/customer/invoices/99999999999999999999999/", "/api/customer/orders/abc/"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_a_contact_of_a_deactivated_customer_is_refused_cleanly(world):
    from apps.customers.services import customer_update

    client = api_client_for(make_contact(world, world.customers[2], "closed@example.com"))
    customer_update(actor=world.users["admin"], customer=world.customers[2], data={"is_active": False})
    for path in ("/api/customer/me/", "/api/customer/invoices/", "/api/customer/orders/", "/api/customer/account/"):
        response = client.get(path)
        assert response.status_code == 403 and response.json()["code"] == "customer_inactive", path


LISTS = {
    "/api/customer/invoices/": ("billing.Invoice", "customer_id"),
    "/api/customer/credit-notes/": ("billing.CreditNote", "invoice__customer_id"),
    "/api/customer/orders/": ("orders.Order", "customer_id"),
}


@pytest.fixture(scope="module")
def busy(module_world, django_db_blocker):
    """Invoices, a credit note and orders for each of the three customers."""
    from apps.billing.services import credit_note_create

    world = module_world
    with django_db_blocker.unblock():
        load_vehicle(world, quantity=40)
        for customer in world.customers:
            delivery = deliver(world, customer=customer)
            credit_note_create(actor=world.users["finance"], invoice=delivery.invoice, reason="price", lines=None)
            order(world, customer)
    return world


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(min_value=0, max_value=2), n=st.integers(min_value=0, max_value=10**6))
def test_every_list_and_detail_holds_only_the_contacts_own_customer(busy, db, which, n):
    from django.apps import apps

    customer = busy.customers[which]
    contact = make_contact(busy, customer, f"p{n}-{which}-{timezone.now().timestamp()}@example.com")
    client = api_client_for(contact)
    for path, (label, field) in LISTS.items():
        body = client.get(path).json()
        model = apps.get_model(label)
        own = set(model.objects.filter(**{field: customer.pk}).values_list("pk", flat=True))
        seen = {row["id"] for row in body["results"]}
        assert seen == own, path
        for pk in model.objects.values_list("pk", flat=True):
            status = client.get(f"{path}{pk}/").status_code
            assert status == (200 if pk in own else 404), (path, pk)


def test_payments_cylinders_deposits_and_statement(world):
    from datetime import date

    from apps.billing.services import payment_record

    load_vehicle(world, quantity=20)
    customer = world.customers[0]
    mine = deliver(world, customer=customer)  # 3 fulls out, 3 empties back, deposits as the office charges them
    theirs = deliver(world, customer=world.customers[1])
    payment_record(actor=world.users["finance"], invoice=mine.invoice, amount=mine.invoice.total, method="CASH")
    payment_record(actor=world.users["finance"], invoice=theirs.invoice, amount=theirs.invoice.total, method="CASH")
    client = api_client_for(make_contact(world, customer, "account@example.com"))

    payments = client.get("/api/customer/payments/").json()
    assert [p["invoice_number"] for p in payments] == [mine.invoice.number]

    cylinders = client.get("/api/customer/cylinders/").json()
    office = api_client_for(world.users["finance"]).get(f"/api/customers/{customer.pk}/cylinders/").json()
    assert {k: cylinders[k] for k in ("customer", "types", "deposit_total")} == office
    assert cylinders["serials"] == []  # the world's types are not serialised

    today = timezone.localdate()
    period = f"from={(today - timedelta(days=30)).isoformat()}&to={today.isoformat()}"
    statement = client.get(f"/api/customer/statement/?{period}").json()
    assert statement["customer"]["id"] == customer.pk
    assert {e["reference"] for e in statement["entries"]} >= {mine.invoice.number}
    assert theirs.invoice.number not in {e["reference"] for e in statement["entries"]}
    pdf = client.get(f"/api/customer/statement/?{period}&format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    too_long = client.get(f"/api/customer/statement/?from={date(2020, 1, 1)}&to={today}&format=pdf")
    assert too_long.status_code == 400 and too_long.json()["code"] == "invalid" and "to" in too_long.json()["fields"]


def test_an_unpaid_invoice_carries_its_paynow_payload_until_paid(world):
    from decimal import Decimal

    from apps.billing.paynow import paynow_crc_ok
    from apps.billing.pdf import invoice_paynow_payload
    from apps.billing.services import payment_record

    load_vehicle(world, quantity=20)
    customer = world.customers[0]
    invoice = deliver(world, customer=customer).invoice
    client = api_client_for(make_contact(world, customer, "paynow@example.com"))

    def payload() -> str | None:
        return client.get(f"/api/customer/invoices/{invoice.pk}/").json()["paynow_payload"]

    unpaid = payload()
    assert unpaid == invoice_paynow_payload(invoice)  # the QR printed on the PDF
    assert paynow_crc_ok(unpaid) and invoice.number in unpaid
    part = (invoice.total / 3).quantize(Decimal("0.01"))  # an awkward partial payment
    payment_record(actor=world.users["finance"], invoice=invoice, amount=part, method="CASH")
    invoice.refresh_from_db()
    partly = payload()
    assert paynow_crc_ok(partly) and f"54{len(f'{invoice.amount_due:.2f}'):02d}{invoice.amount_due:.2f}" in partly
    payment_record(actor=world.users["finance"], invoice=invoice, amount=invoice.amount_due, method="CASH")
    assert payload() is None
    listed = {i["number"]: i["paynow_payload"] for i in client.get("/api/customer/invoices/").json()["results"]}
    assert listed[invoice.number] is None


def test_a_credit_note_pdf_is_the_contacts_own_only(world):
    from apps.billing.services import credit_note_create

    load_vehicle(world, quantity=20)
    mine = deliver(world, customer=world.customers[0]).invoice
    theirs = deliver(world, customer=world.customers[1]).invoice
    note = credit_note_create(actor=world.users["finance"], invoice=mine, reason="price", lines=None)
    other = credit_note_create(actor=world.users["finance"], invoice=theirs, reason="price", lines=None)
    contact = make_contact(world, world.customers[0], "notes@example.com")
    client = api_client_for(contact)
    shown = client.get(f"/api/customer/credit-notes/{note.pk}/").json()
    assert shown["pdf_url"] == f"/api/customer/credit-notes/{note.pk}/pdf/"
    pdf = client.get(shown["pdf_url"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert note.number in pdf["Content-Disposition"]
    downloads = AuditLog.objects.filter(action="credit_note.pdf_downloaded", entity_id=str(note.pk))
    assert list(downloads.values_list("user_id", "after__number")) == [(contact.pk, note.number)]
    refused = client.get(f"/api/customer/credit-notes/{other.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"  # JSON, though a PDF was asked
    assert not AuditLog.objects.filter(action="credit_note.pdf_downloaded", entity_id=str(other.pk)).exists()
