"""Finance in the admin (Django test client, real database): a credit note
and a partial payment from the invoice's page through the billing services,
with awkward figures, and the tax invoice PDF through an authenticated view."""

from decimal import Decimal

import pytest
from django.test import Client

from apps.audit.models import AuditLog
from apps.billing.enums import InvoiceStatus
from apps.billing.models import CreditNote, Invoice, Payment
from apps.billing.tests.helpers import deliver, load_vehicle
from apps.core.tests.factories import CustomerFactory


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_body(client, url, **fields) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    return {"idempotency_key": str(key), **{k: str(v) for k, v in fields.items()}}


def credit_invoice(world) -> Invoice:
    """19 x 12.7 kg at 24.99 on account: 474.81 + 9% GST 42.73 = 517.54."""
    customer = CustomerFactory(payment_terms="CREDIT", credit_term_days=30)
    load_vehicle(world, quantity=30, types=[world.gas])
    delivery = deliver(
        world,
        customer=customer,
        lines=[{"cylinder_type": world.gas, "delivered_full": 19, "returned_empty": 0}],
        payment_method="CREDIT",
    )
    invoice = Invoice.objects.get(pk=delivery.invoice.pk)
    assert invoice.total == Decimal("517.54") and invoice.amount_paid == 0
    return invoice


@pytest.mark.django_db
def test_finance_issues_a_credit_note_then_records_a_partial_payment(world):
    invoice = credit_invoice(world)
    line = invoice.lines.get()
    client = client_for(world.users["finance"])
    change = client.get(f"/admin/billing/invoice/{invoice.pk}/change/")
    tools = {label: url for url, label in change.context["extra_tools"]}
    assert set(tools) == {"Tax invoice PDF", "Record a payment", "Issue a credit note"}

    url = tools["Issue a credit note"]
    # no reason, and more than was delivered: both refused on their fields, nothing issued
    body = form_body(client, url, reason="", **{f"qty_{line.pk}": 2})
    assert "reason" in client.post(url, body).context["form"].errors
    body = form_body(client, url, reason="Two cylinders returned unused", **{f"qty_{line.pk}": 20})
    errors = client.post(url, body).context["form"].errors
    assert f"qty_{line.pk}" in errors and "19" in errors[f"qty_{line.pk}"][0]
    assert CreditNote.objects.count() == 0

    body = form_body(client, url, reason="Two cylinders returned unused", **{f"qty_{line.pk}": 2})
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302  # double submit: one credit note
    note = CreditNote.objects.get()
    assert note.total == Decimal("54.48")  # 2 x 24.99 = 49.98 + GST 4.50
    assert note.number.startswith("CN-")
    invoice.refresh_from_db()
    assert invoice.amount_credited == Decimal("54.48") and invoice.amount_due == Decimal("463.06")

    url = tools["Record a payment"]
    assert client.get(url).context["form"].initial["amount"] == Decimal("463.06")
    body = form_body(client, url, amount="463.07", method="CHEQUE", reference="OCBC 004417")
    errors = client.post(url, body).context["form"].errors
    assert list(errors) == ["amount"] and "463.06" in errors["amount"][0]
    body = form_body(client, url, amount="435.83", method="CHEQUE", reference="OCBC 004417")
    response = client.post(url, body)
    assert response.status_code == 302
    assert client.post(url, body).status_code == 302  # double submit: one payment
    payment = Payment.objects.get()
    assert payment.amount == Decimal("435.83") and payment.recorded_by == world.users["finance"]
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("435.83") and invoice.amount_due == Decimal("27.23")
    assert invoice.status == InvoiceStatus.PARTLY_PAID
    actions = list(AuditLog.objects.filter(entity_id=str(invoice.pk)).values_list("action", flat=True))
    assert actions.count("payment.recorded") == 1 and actions.count("credit_note.issued") == 1
    assert Payment.objects.count() == 1 and CreditNote.objects.count() == 1


@pytest.mark.django_db
def test_the_pdf_link_answers_a_pdf_to_finance_and_nothing_to_a_driver(world):
    invoice = credit_invoice(world)
    url = f"/admin/billing/invoice/{invoice.pk}/pdf/"
    finance = client_for(world.users["finance"])
    listing = finance.get("/admin/billing/invoice/")
    assert url.encode() in listing.content and b"/media/" not in listing.content
    page = finance.get(f"/admin/billing/invoice/{invoice.pk}/change/")
    assert url.encode() in page.content and b"/media/" not in page.content
    response = finance.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert AuditLog.objects.filter(action="invoice.pdf_downloaded", entity_id=str(invoice.pk)).exists()

    driver = world.users["driver"]  # the invoice's own driver, still not an admin user
    assert client_for(driver).get(url).status_code == 302  # not an admin user: to the login page
    driver.is_staff = True
    driver.save()
    assert client_for(driver).get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    # depot staff see no invoices at all
    assert client_for(world.users["depot_staff"]).get(url).status_code == 403
