"""Finance in the admin: the e-invoice list with its failed rules, a
download link, the period ZIP; the sweep renders what a lost task left;
every document of the demo is a valid e-invoice."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from apps.einvoice.enums import DocumentKind, EInvoiceStatus
from apps.einvoice.models import EInvoice
from apps.einvoice.services import einvoice_render
from apps.einvoice.tasks import einvoice_sweep
from apps.einvoice.tests.helpers import CYL, issue

pytestmark = pytest.mark.django_db


def test_finance_sees_failed_rules_and_downloads(world):
    household = world.customers[2]
    household.uen = ""
    household.save(update_fields=["uen"])
    bad = einvoice_render(kind=DocumentKind.INVOICE,
                          document_id=issue(world, [(CYL, "x", "1", "1.00")], customer=household).pk)  # fmt: skip
    good = einvoice_render(kind=DocumentKind.INVOICE, document_id=issue(world, [(CYL, "y", "1", "2.00")]).pk)
    client = Client()
    client.force_login(world.users["finance"])
    page = client.get("/admin/einvoice/einvoice/")
    assert page.status_code == 200
    assert b"LPG-EP-02" in page.content and f"{good.number}.xml".encode() in page.content
    # the official files' findings too, with the file that raised each
    assert b"ibr-080" in page.content and b"IRAS GST InvoiceNow Requirement" in page.content
    download = client.get(f"/admin/einvoice/einvoice/{good.pk}/download/")
    assert download.status_code == 200 and download.content == good.file.open("rb").read()
    assert client.get("/admin/einvoice/einvoice/period.zip?from=2026-03-01&to=2026-03-31").status_code == 200
    assert bad.status == EInvoiceStatus.INVALID


def test_the_sweep_renders_what_a_lost_task_left(world, settings):
    settings.EINVOICE_ON_ISSUE = False  # as if the task was lost
    customer = world.customers[0]
    customer.peppol_id = "0195:SGUEN201912399K"
    customer.save(update_fields=["peppol_id"])
    from datetime import date

    invoice = issue(world, [(CYL, "LPG 12.7 kg refill", "1", "24.99")], customer=customer, day=date.today())
    einvoice_sweep()
    assert EInvoice.objects.get(invoice=invoice).status == EInvoiceStatus.READY


def test_every_document_of_the_demo_is_a_valid_einvoice():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("einvoice_check", stdout=open("/dev/null", "w"))  # noqa: SIM115  # CommandError when any is invalid
    assert EInvoice.objects.count() >= 1
    assert not EInvoice.objects.exclude(status=EInvoiceStatus.READY).exists()
    # the stored files read back, under today's rules and the official files: still no fatal finding
    out = io.StringIO()
    call_command("einvoice_check", "--revalidate", stdout=out)
    assert f"{EInvoice.objects.count()} documents, 0 invalid" in out.getvalue()


def test_revalidate_reports_a_stored_file_that_no_longer_passes(world):
    """A READY file is never changed; --revalidate says which stored file fails today's rules."""
    row = einvoice_render(kind=DocumentKind.INVOICE, document_id=issue(world, [(CYL, "y", "7", "26.45")]).pk)
    assert row.status == EInvoiceStatus.READY
    stored = Path(row.file.path)  # as if the rules had changed under a stored file
    original = stored.read_bytes()
    stored.write_bytes(
        original.replace(b'<cbc:PayableAmount currencyID="SGD">', b'<cbc:PayableAmount currencyID="SGD">1')
    )
    out = io.StringIO()
    try:
        with pytest.raises(CommandError):
            call_command("einvoice_check", "--revalidate", stdout=out)
    finally:
        stored.write_bytes(original)  # content-addressed: another test may make the same bytes
    assert f"{row.number}: [" in out.getvalue() and "LPG-TIE-01" in out.getvalue() and "1 invalid" in out.getvalue()
    row.refresh_from_db()
    assert row.status == EInvoiceStatus.READY
