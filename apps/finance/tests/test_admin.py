"""Finance in the Django admin: receivables with outstanding and overdue, the
ZIP and e-mail actions, the ageing and exports pages, the e-mail log."""

import io
import zipfile
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client

from apps.audit.models import AuditLog
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


def test_statements_page_emails_the_ticked_customers(two, world, django_capture_on_commit_callbacks):
    late, fresh = two
    client = login(world.users["finance"])
    url = "/admin/finance/receivableinvoice/statements/"
    period = {"from": days_ago(60).isoformat(), "to": days_ago(0).isoformat()}
    page = client.get(url, period)
    assert page.status_code == 200
    listed = {row.customer_id: email for row, email in page.context["rows"]}
    audit = AuditLog.objects.filter(action="finance.report", entity_type="finance.statements").get()
    assert audit.after["rows"] == 2 and audit.user == world.users["finance"]
    assert listed == {late.customer_id: world.customers[0].email, fresh.customer_id: ""}
    pdf = client.get(f"{url}{late.customer_id}/pdf/", {**period, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {**period, "customer": [late.customer_id, fresh.customer_id]})
    assert sent.status_code == 302
    assert [m.to for m in mail.outbox] == [[world.customers[0].email]]  # the other has no address: refused
    ((name, data, mimetype),) = mail.outbox[0].attachments
    assert mimetype == "application/pdf" and data[:5] == b"%PDF-"
    log = EmailLog.objects.get()
    assert (log.kind, log.customer_id, log.status, log.period_from.isoformat()) == (
        "STATEMENT",
        late.customer_id,
        "SENT",
        period["from"],
    )
    assert client.get(url, {"from": period["to"], "to": period["from"]}).status_code == 400
    auditor = login(world.users["auditor"])
    assert auditor.get(url, period).status_code == 200
    assert auditor.post(url, {**period, "customer": [late.customer_id]}).status_code == 403
    assert EmailLog.objects.count() == 1


def test_email_log_is_listed_on_the_invoice_with_the_next_attempt(two, world, settings):
    from apps.finance import services

    late, fresh = two
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}  # fmt: skip
    log = EmailLog.objects.create(kind="INVOICE", invoice=late, customer=late.customer, to_address="ap@x.example",
                                  subject="s", requested_by=world.users["finance"])  # fmt: skip
    with pytest.raises(OSError):
        services.email_attempt(log_id=log.pk, final=False)  # refused: stays QUEUED for the retry
    log.refresh_from_db()
    assert log.status == "QUEUED" and log.attempts == 1 and log.last_error
    expected = log.last_attempt_at + timedelta(seconds=settings.FINANCE_EMAIL_RETRY_BASE_SECONDS)
    page = login(world.users["finance"]).get(f"/admin/finance/receivableinvoice/{late.pk}/change/")
    assert page.status_code == 200
    (inline,) = [f for f in page.context["inline_admin_formsets"] if f.formset.model is EmailLog]
    assert [form.original.pk for form in inline] == [log.pk]
    assert "ap@x.example" in page.content.decode() and "Connection" in page.content.decode()
    from conftest import api_client_for

    body = api_client_for(world.users["auditor"]).get(f"/api/email-log/{log.pk}/").json()
    assert body["attempts"] == 1 and body["last_error"]
    assert datetime.fromisoformat(body["next_attempt_at"]) == expected
