"""Finance in the Django admin: receivables with outstanding and overdue, the
ZIP and e-mail actions, the ageing and exports pages, the e-mail log."""

import io
import zipfile

import pytest
from django.core import mail
from django.test import Client

from apps.finance.models import EmailLog
from apps.finance.tests.helpers import credit_customer, cylinders, days_ago, invoice_on, load_vehicle, pay

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two(world):
    load_vehicle(world, quantity=20)
    customer = credit_customer(world.customers[0], days=30)
    late = invoice_on(world, days_ago(45), customer=customer, lines=cylinders(world, 3))
    fresh = invoice_on(world, days_ago(2), customer=credit_customer(world.customers[1], email=""),
                       lines=cylinders(world, 2, type_index=1))  # fmt: skip
    pay(world, late, "20.00", days_ago(1))
    return late, fresh


def test_receivables_list_overdue_and_outstanding(two, world):
    late, fresh = two
    client = login(world.users["finance"])
    page = client.get("/admin/finance/receivableinvoice/", {"overdue": "yes"})
    assert page.status_code == 200
    rows = list(page.context["cl"].queryset)
    assert rows == [late]
    assert "61.72" in page.content.decode()  # 81.72 - 20.00 outstanding


def test_actions_zip_and_email(two, world, django_capture_on_commit_callbacks):
    late, fresh = two
    client = login(world.users["finance"])
    url = "/admin/finance/receivableinvoice/"
    response = client.post(url, {"action": "download_pdfs", "_selected_action": [late.pk, fresh.pk]})
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert sorted(names) == sorted([f"invoices/{late.number}.pdf", f"invoices/{fresh.number}.pdf"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "email_to_customer", "_selected_action": [late.pk, fresh.pk]})
    assert [m.to for m in mail.outbox] == [[world.customers[0].email]]  # the other has no address
    assert list(EmailLog.objects.values_list("invoice_id", "status")) == [(late.pk, "SENT")]
    log_page = client.get("/admin/finance/emaillog/")
    assert log_page.status_code == 200 and world.customers[0].email in log_page.content.decode()


def test_auditor_cannot_email_but_reads_pages(two, world):
    late, fresh = two
    client = login(world.users["auditor"])
    assert client.post("/admin/finance/receivableinvoice/",
                       {"action": "email_to_customer", "_selected_action": [late.pk]}).status_code == 403  # fmt: skip
    assert not EmailLog.objects.exists()
    ageing = client.get("/admin/finance/receivableinvoice/ageing/", {"as_of": days_ago(0).isoformat()})
    assert ageing.status_code == 200 and ageing.context["ageing"].total == late.total - 20 + fresh.total
    exports = client.get("/admin/finance/receivableinvoice/exports/")
    assert exports.status_code == 200
    csv = client.get("/admin/finance/receivableinvoice/exports/invoice-register/",
                     {"from": days_ago(60).isoformat(), "to": days_ago(0).isoformat()})  # fmt: skip
    assert csv.status_code == 200
    assert late.number in b"".join(csv.streaming_content).decode()
    bad = client.get("/admin/finance/receivableinvoice/exports/accounting/", {"from": "2026-01-01", "to": "x"})
    assert bad.status_code == 400


def test_other_staff_do_not_see_finance(world):
    for role in ("supervisor", "depot_staff"):
        assert login(world.users[role]).get("/admin/finance/receivableinvoice/").status_code == 403
