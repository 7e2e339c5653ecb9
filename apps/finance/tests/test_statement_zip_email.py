"""Statements (JSON and PDF), the ZIP of the period's PDFs, e-mail through
Celery (eager here) with Django's test outbox, retries and the e-mail log."""

import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from pypdf import PdfReader

from apps.audit.models import AuditLog
from apps.finance.enums import EmailStatus
from apps.finance.models import EmailLog
from apps.finance.tests.helpers import (
    credit_customer,
    credit_one,
    cylinders,
    days_ago,
    invoice_on,
    key,
    load_vehicle,
    pay,
    today,
)

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def account(world):
    load_vehicle(world, quantity=30)
    customer = credit_customer(world.customers[0], days=30, email="ap@ahsengeatinghouse.example")
    old = invoice_on(world, days_ago(75), customer=customer, lines=cylinders(world, 4))  # 99.96 + 9.00 = 108.96
    pay(world, old, "50.00", days_ago(70))
    first = invoice_on(world, days_ago(20), customer=customer, lines=cylinders(world, 3))  # 74.97 + 6.75 = 81.72
    second = invoice_on(world, days_ago(10), customer=customer, lines=cylinders(world, 5, type_index=1))
    pay(world, first, "31.72", days_ago(5))
    note = credit_one(world, second)  # 27.50 + 2.48 = 29.98, today
    other = invoice_on(world, days_ago(10), customer=credit_customer(world.customers[1], email=""),
                       lines=cylinders(world, 2, type_index=2))  # fmt: skip
    return customer, old, first, second, note, other


def test_statement_running_balance_and_ageing(account, api, world):
    customer, old, first, second, note, other = account
    period = {"from": days_ago(30).isoformat(), "to": today().isoformat()}
    body = api(world.users["finance"]).get(f"/api/customers/{customer.pk}/statement/", period).json()
    assert body["opening_balance"] == "58.96"  # 108.96 - 50.00
    assert [(e["kind"], e["reference"]) for e in body["entries"]] == [
        ("INVOICE", first.number), ("INVOICE", second.number), ("PAYMENT", first.number),
        ("CREDIT_NOTE", note.number)]  # fmt: skip
    # 58.96 + 81.72 + 149.88 (5 x 27.50 + 12.38) - 31.72 - 29.98
    assert [e["balance"] for e in body["entries"]] == ["140.68", "290.56", "258.84", "228.86"]
    assert body["closing_balance"] == "228.86"
    assert body["ageing"] == {"current": "169.90", "1_30": "0.00", "31_60": "58.96", "61_90": "0.00",
                              "over_90": "0.00"}  # fmt: skip
    assert sum(Decimal(v) for v in body["ageing"].values()) == Decimal(body["closing_balance"])


def test_statement_pdf_by_accept_header_and_format(account, api, world):
    customer, old, first, second, note, other = account
    client = api(world.users["finance"])
    period = {"from": days_ago(30).isoformat(), "to": today().isoformat()}
    by_header = client.get(f"/api/customers/{customer.pk}/statement/", period, HTTP_ACCEPT="application/pdf")
    assert by_header.status_code == 200 and by_header["Content-Type"] == "application/pdf"
    text = _pdf_text(by_header.content)
    assert "Statement of Account" in text and first.number in text and "228.86" in text
    by_query = client.get(f"/api/customers/{customer.pk}/statement/", {**period, "format": "pdf"})
    assert by_query.content[:5] == b"%PDF-"
    bad = client.get(f"/api/customers/{customer.pk}/statement/", {"from": period["to"], "to": period["from"]},
                     HTTP_ACCEPT="application/pdf")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["fields"]["to"]
    assert client.get("/api/customers/999999/statement/", period).status_code == 404


def test_zip_holds_exactly_the_periods_pdfs(account, api, world):
    customer, old, first, second, note, other = account
    response = api(world.users["finance"]).get(
        "/api/exports/invoices.zip", {"from": days_ago(20).isoformat(), "to": today().isoformat()}
    )
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    found = {}
    for name in archive.namelist():
        text = _pdf_text(archive.read(name))
        found[name] = set(re.findall(r"(?:INV|CN)-\d{4}-\d{6}", text))
    expected = {first.number, second.number, other.number, note.number}
    assert {n for numbers in found.values() for n in numbers if n in expected | {old.number}} == expected
    assert sorted(found) == sorted(
        [f"invoices/{n}.pdf" for n in (first.number, second.number, other.number)] + [f"credit-notes/{note.number}.pdf"]
    )
    for name, numbers in found.items():
        assert name.rsplit("/", 1)[1][:-4] in numbers
    # one customer only; the missing invoice PDFs were rendered and stored on the way
    only = api(world.users["auditor"]).get("/api/exports/invoices.zip", {"from": days_ago(20).isoformat(),
                                                                         "to": today().isoformat(),
                                                                         "customer": other.customer_id})  # fmt: skip
    names = zipfile.ZipFile(io.BytesIO(b"".join(only.streaming_content))).namelist()
    assert names == [f"invoices/{other.number}.pdf"]
    other.refresh_from_db()
    assert other.pdf and other.pdf_rendered_at
    audit = AuditLog.objects.filter(entity_type="finance.invoices_zip").order_by("id")
    assert [a.after["rows"] for a in audit] == [4, 1]


def test_invoice_email_goes_through_the_outbox(account, api, world, django_capture_on_commit_callbacks):
    customer, old, first, second, note, other = account
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(world.users["finance"]).post(f"/api/invoices/{first.pk}/email/", {}, format="json",
                                                  HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "QUEUED" and answer.json()["to_address"] == customer.email
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ap@ahsengeatinghouse.example"] and first.number in message.subject
    ((name, data, mimetype),) = message.attachments
    assert (name, mimetype) == (f"{first.number}.pdf", "application/pdf")
    assert first.number in _pdf_text(data)
    log = EmailLog.objects.get()
    assert (log.status, log.attempts, log.invoice_id) == (EmailStatus.SENT, 1, first.pk) and log.sent_at
    listed = api(world.users["auditor"]).get("/api/email-log/", {"invoice": first.pk}).json()
    assert [row["status"] for row in listed["results"]] == ["SENT"]
    actions = list(AuditLog.objects.filter(entity_type="finance.emaillog").values_list("action", flat=True))
    assert sorted(actions) == ["finance.email_queued", "finance.email_sent"]


def test_statement_email_to_another_address(account, api, world, django_capture_on_commit_callbacks):
    customer, *_ = account
    body = {"from": days_ago(30).isoformat(), "to": today().isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(world.users["admin"]).post(
            f"/api/customers/{customer.pk}/statement/email/?from={body['from']}&to={body['to']}",
            {"to": "owner@ahseng.example"},
            format="json", HTTP_IDEMPOTENCY_KEY=key(),
        )  # fmt: skip
    assert answer.status_code == 202, answer.content
    (message,) = mail.outbox
    assert message.to == ["owner@ahseng.example"] and "228.86" in message.body
    assert "Statement of Account" in _pdf_text(message.attachments[0][1])


def test_same_key_does_not_send_twice(account, api, world, django_capture_on_commit_callbacks):
    customer, old, first, *_ = account
    client, k = api(world.users["finance"]), key()
    with django_capture_on_commit_callbacks(execute=True):
        one = client.post(f"/api/invoices/{first.pk}/email/", {}, format="json", HTTP_IDEMPOTENCY_KEY=k)
    with django_capture_on_commit_callbacks(execute=True):
        two = client.post(f"/api/invoices/{first.pk}/email/", {}, format="json", HTTP_IDEMPOTENCY_KEY=k)
    assert one.json()["id"] == two.json()["id"] and len(mail.outbox) == 1 and EmailLog.objects.count() == 1


def test_customer_without_email_is_400_and_nothing_queued(account, api, world, django_capture_on_commit_callbacks):
    *_, other = account
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(world.users["finance"]).post(f"/api/invoices/{other.pk}/email/", {}, format="json",
                                                  HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert answer.status_code == 400 and "to" in answer.json()["fields"]
    bad = api(world.users["finance"]).post(f"/api/invoices/{other.pk}/email/", {"to": "not an address"},
                                           format="json", HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert bad.status_code == 400 and "to" in bad.json()["fields"]
    assert not EmailLog.objects.exists() and not mail.outbox
    assert not AuditLog.objects.filter(action="finance.email_queued").exists()


def test_failed_sends_are_retried_then_visible(account, api, world, settings, django_capture_on_commit_callbacks):
    """A real SMTP connection to a closed loopback port: refused every time."""
    customer, old, first, *_ = account
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}  # fmt: skip
    settings.FINANCE_EMAIL_MAX_RETRIES = 2
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(world.users["finance"]).post(f"/api/invoices/{first.pk}/email/", {}, format="json",
                                                  HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert answer.status_code == 202
    log = EmailLog.objects.get()
    assert (log.status, log.attempts) == (EmailStatus.FAILED, 3) and log.failed_at
    assert "Connection" in log.last_error or "refused" in log.last_error.lower()
    assert AuditLog.objects.filter(action="finance.email_failed", entity_id=str(log.pk)).count() == 1


@pytest.mark.parametrize("role", ["auditor", "supervisor", "driver", "depot_staff"])
def test_only_finance_and_admin_send(account, api, world, role):
    customer, old, first, *_ = account
    answer = api(world.users[role]).post(f"/api/invoices/{first.pk}/email/", {}, format="json",
                                         HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert answer.status_code == 403
    st = api(world.users[role]).post(f"/api/customers/{customer.pk}/statement/email/?from=2026-01-01&to=2026-01-31",
                                     {}, format="json",
                                     HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert st.status_code == 403
    assert not EmailLog.objects.exists()


@pytest.mark.parametrize("role", ["supervisor", "driver", "depot_staff"])
@pytest.mark.parametrize("path", ["/api/reports/ageing/?as_of=2026-01-31",
                                  "/api/reports/gst-summary/?from=2026-01-01&to=2026-01-31",
                                  "/api/exports/invoices.zip?from=2026-01-01&to=2026-01-31",
                                  "/api/exports/accounting.csv?system=xero&from=2026-01-01&to=2026-01-31",
                                  "/api/email-log/"])  # fmt: skip
def test_other_roles_cannot_read_finance(world, api, role, path):
    assert api(world.users[role]).get(path).status_code == 403


def test_due_dates_cross_month(account):
    customer, old, first, *_ = account
    assert first.due_date == first.issue_date + timedelta(days=30)


@pytest.mark.parametrize(
    "query, body, field",
    [("", {}, "from"), ("?from=2026-01-31", {}, "to"), ("?from=2026-01-31&to=2026-01-01", {}, "to"),
     ("?from=2026-02-30&to=2026-03-01", {}, "from"), ("?from=2026-01-01&to=2026-01-31", {"to": "nobody"}, "to"),
     ("?from=2026-01-01&to=2026-01-31", {"to": ["a@b.example"]}, "to")],
)  # fmt: skip
def test_statement_email_bad_input_is_400_with_fields(account, api, world, query, body, field,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    customer, *_ = account
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(world.users["finance"]).post(f"/api/customers/{customer.pk}/statement/email/{query}", body,
                                                  format="json", HTTP_IDEMPOTENCY_KEY=key())  # fmt: skip
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["fields"]
    assert not EmailLog.objects.exists() and not mail.outbox
    assert not AuditLog.objects.filter(action__startswith="finance.").exists()


def test_statement_email_customer_without_address(account, api, world, django_capture_on_commit_callbacks):
    *_, other = account
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(world.users["finance"]).post(
            f"/api/customers/{other.customer_id}/statement/email/?from=2026-01-01&to=2026-01-31", {},
            format="json", HTTP_IDEMPOTENCY_KEY=key(),
        )  # fmt: skip
    assert answer.status_code == 400 and "to" in answer.json()["fields"]
    assert not EmailLog.objects.exists() and not mail.outbox
    assert (
        api(world.users["finance"])
        .post(
            "/api/customers/99999999/statement/email/?from=2026-01-01&to=2026-01-31",
            {},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key(),
        )
        .status_code
        == 404
    )


PERIOD = "from=2026-01-01&to=2026-01-31"


@pytest.mark.parametrize(
    "path, entity",
    [("/api/reports/ageing/?as_of=2026-01-31", "finance.ageing"),
     (f"/api/reports/gst-summary/?{PERIOD}", "finance.gst_summary"),
     (f"/api/reports/gst-summary/?{PERIOD}&format=csv", "finance.gst_summary"),
     ("/api/customers/{customer}/statement/?" + PERIOD, "finance.statement"),
     ("/api/customers/{customer}/statement/?format=pdf&" + PERIOD, "finance.statement"),
     (f"/api/exports/invoice-register.csv?{PERIOD}", "finance.invoice_register"),
     (f"/api/exports/payments.csv?{PERIOD}", "finance.payments"),
     (f"/api/exports/credit-notes.csv?{PERIOD}", "finance.credit_notes"),
     (f"/api/exports/accounting.csv?system=xero&{PERIOD}", "finance.accounting_xero_invoices"),
     (f"/api/exports/accounting.csv?system=xero&kind=payments&{PERIOD}", "finance.accounting_xero_payments"),
     (f"/api/exports/accounting.csv?system=quickbooks&{PERIOD}", "finance.accounting_quickbooks_invoices"),
     (f"/api/exports/accounting.csv?system=quickbooks&kind=payments&{PERIOD}",
      "finance.accounting_quickbooks_payments"),
     (f"/api/exports/invoices.zip?{PERIOD}", "finance.invoices_zip")],
)  # fmt: skip
def test_every_report_and_export_writes_one_audit_record(account, api, world, path, entity):
    customer, *_ = account
    last = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = api(world.users["auditor"]).get(path.format(customer=customer.pk))
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    new = AuditLog.objects.filter(id__gt=last)
    finance = [a for a in new if a.action.startswith("finance.")]
    assert len(finance) == 1, [a.action for a in new]
    (record,) = finance
    assert record.entity_type == entity and record.user == world.users["auditor"]
    is_file = any(mark in path for mark in (".csv", ".zip", "format=csv", "format=pdf"))
    assert record.action == ("finance.export" if is_file else "finance.report")
    assert isinstance(record.after["rows"], int)
    assert record.after.get("from") == "2026-01-01" or record.after.get("as_of") == "2026-01-31"
