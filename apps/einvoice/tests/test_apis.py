"""GET /api/invoices/<id>/einvoice/, /api/credit-notes/<id>/einvoice/ and
/api/exports/einvoices.zip: the stored XML, audited; an invalid document is
422 ``einvoice_invalid`` with the failed rules; issuing for a customer with
a Peppol ID renders after commit."""

import io
import zipfile

import pytest

from apps.audit.models import AuditLog
from apps.einvoice.enums import EInvoiceAction, EInvoiceStatus
from apps.einvoice.models import EInvoice
from apps.einvoice.tests.helpers import CYL, DEP, credit_full, issue

pytestmark = pytest.mark.django_db


def test_download_invoice_and_credit_note_xml(world, api):
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "2", "24.99"), (DEP, "Cylinder deposit", "1", "45.35")])
    note = credit_full(world, invoice)
    client = api(world.users["finance"])
    response = client.get(f"/api/invoices/{invoice.pk}/einvoice/")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert b"<cbc:ID>" + invoice.number.encode() in response.content
    assert response.content == client.get(f"/api/invoices/{invoice.pk}/einvoice/").content  # stored, not rebuilt
    response = client.get(f"/api/credit-notes/{note.pk}/einvoice/")
    assert response.status_code == 200 and b"<cbc:CreditNoteTypeCode>381" in response.content
    assert AuditLog.objects.filter(action=EInvoiceAction.DOWNLOADED).count() == 3


def test_an_invalid_document_is_422_with_the_rule(world, api):
    household = world.customers[2]
    household.uen = ""
    household.save(update_fields=["uen"])
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "1", "24.99")], customer=household)
    response = api(world.users["finance"]).get(f"/api/invoices/{invoice.pk}/einvoice/")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "einvoice_invalid" and "LPG-EP-02" in body["detail"]


def test_period_zip(world, api):
    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "1", "24.99")])
    response = api(world.users["finance"]).get("/api/exports/einvoices.zip?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names == [f"invoices/{invoice.number}.xml"]


def test_a_customer_with_a_peppol_id_is_e_invoiced_after_commit(world, django_capture_on_commit_callbacks):
    customer = world.customers[0]
    customer.peppol_id = "0195:SGUEN201912399K"
    customer.save(update_fields=["peppol_id"])
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "1", "24.99")], customer=customer)
    assert EInvoice.objects.get(invoice=invoice).status == EInvoiceStatus.READY
    other = world.customers[1]
    with django_capture_on_commit_callbacks(execute=True):
        plain = issue(world, [(CYL, "LPG 12.7 kg refill", "1", "24.99")], customer=other)
    assert not EInvoice.objects.filter(invoice=plain).exists()  # on request only


def test_a_malformed_peppol_id_is_refused(world, api):
    response = api(world.users["admin"]).patch(
        f"/api/customers/{world.customers[0].pk}/", {"peppol_id": "0195:201912345K"}, format="json"
    )
    assert response.status_code == 400 and "peppol_id" in response.json()["fields"]


def test_a_household_gets_no_peppol_id(world, api):
    customer = world.customers[2]
    client = api(world.users["admin"])
    assert client.patch(f"/api/customers/{customer.pk}/", {"kind": "HOUSEHOLD"}, format="json").status_code == 200
    response = client.patch(f"/api/customers/{customer.pk}/", {"peppol_id": "0195:SGUEN201912399K"}, format="json")
    assert response.status_code == 400 and "peppol_id" in response.json()["fields"]
    response = api(world.users["admin"]).patch(
        f"/api/customers/{world.customers[0].pk}/", {"peppol_id": "0195:SGUEN201912399K"}, format="json"
    )
    assert response.status_code == 200 and response.json()["peppol_id"] == "0195:SGUEN201912399K"
