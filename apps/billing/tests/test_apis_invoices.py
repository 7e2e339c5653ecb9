from datetime import date
from decimal import Decimal

import pytest

from apps.audit.models import AuditLog
from apps.billing.models import CreditNote, Invoice, Payment
from apps.billing.tests.helpers import deliver, load_vehicle, on_server_date, sgt
from apps.core.models import Sequence

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=50)
    return world


def test_payments_move_status_and_overpayment_is_refused(loaded, api):
    inv = deliver(loaded).invoice  # 81.72
    finance = api(loaded.users["finance"])
    url = f"/api/invoices/{inv.pk}/payments/"
    r = finance.post(url, {"amount": "50.00", "method": "PAYNOW", "reference": "PN123"}, format="json")
    assert r.status_code == 201 and r.json()["amount"] == "50.00"
    got = finance.get(f"/api/invoices/{inv.pk}/").json()
    assert (got["status"], got["amount_paid"], got["amount_due"]) == ("PARTLY_PAID", "50.00", "31.72")
    over = finance.post(url, {"amount": "31.73", "method": "CASH"}, format="json")
    assert over.status_code == 422 and over.json()["code"] == "overpayment" and over.json()["amount_due"] == "31.72"
    r = finance.post(url, {"amount": "31.72", "method": "CHEQUE", "reference": "CHQ 000123"}, format="json")
    assert r.status_code == 201
    got = finance.get(f"/api/invoices/{inv.pk}/").json()
    assert (got["status"], got["amount_due"], len(got["payments"])) == ("PAID", "0.00", 2)
    assert finance.post(url, {"amount": "0.01", "method": "CASH"}, format="json").json()["code"] == "overpayment"
    assert Payment.objects.count() == 2
    assert AuditLog.objects.filter(action="payment.recorded").count() == 2


@pytest.mark.parametrize(
    "body",
    [{"amount": "-5", "method": "CASH"}, {"amount": "0", "method": "CASH"}, {"amount": "x", "method": "CASH"},
     {"amount": "5.00", "method": "GOLD"}, {"amount": "5.001", "method": "CASH"}, {"method": "CASH"}, {}],
)  # fmt: skip
def test_bad_payments_are_400(loaded, api, body):
    inv = deliver(loaded).invoice
    r = api(loaded.users["finance"]).post(f"/api/invoices/{inv.pk}/payments/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid" and r.json()["fields"]
    assert not Payment.objects.exists()


def test_payment_roles(loaded, api):
    inv = deliver(loaded).invoice
    body = {"amount": "1.00", "method": "CASH"}
    assert api(loaded.users["depot_staff"]).post(f"/api/invoices/{inv.pk}/payments/", body).status_code == 403
    assert (
        api(loaded.users["driver"]).post(f"/api/invoices/{inv.pk}/payments/", body).status_code == 201
    )  # own delivery
    assert api(loaded.users["driver2"]).post(f"/api/invoices/{inv.pk}/payments/", body).status_code == 404


def test_full_credit_note_is_numbered_and_credits_what_is_left(loaded, api):
    inv = deliver(loaded, occurred_at=sgt(2026, 3, 1, 9, 0)).invoice
    finance = api(loaded.users["finance"])
    finance.post(f"/api/invoices/{inv.pk}/payments/", {"amount": "20.00", "method": "CASH"}, format="json")
    r = finance.post("/api/credit-notes/", {"invoice": inv.pk, "reason": "Wrong cylinder size"}, format="json")
    assert r.status_code == 201, r.content
    note = r.json()
    assert note["number"].startswith("CN-") and note["number"].endswith("-000001")
    assert note["total"] == "61.72"
    assert Decimal(note["subtotal"]) + Decimal(note["gst_amount"]) == Decimal("61.72")
    inv.refresh_from_db()
    assert (inv.amount_paid, inv.amount_credited, inv.status) == (Decimal("20.00"), Decimal("61.72"), "PAID")
    again = finance.post("/api/credit-notes/", {"invoice": inv.pk, "reason": "again"}, format="json")
    assert again.status_code == 422 and again.json()["code"] == "credit_exceeds_remaining"
    assert Sequence.objects.get(slug__startswith="credit_note/").current_value == 1


def test_partial_credit_by_lines_never_exceeds_invoice(loaded, api):
    w = loaded
    inv = deliver(w, lines=[
        {"cylinder_type": w.types[0], "delivered_full": 3},
        {"cylinder_type": w.types[1], "delivered_full": 2},
    ]).invoice  # fmt: skip
    l1, l2 = inv.lines.order_by("position")
    finance = api(w.users["finance"])
    r = finance.post(
        "/api/credit-notes/",
        {"invoice": inv.pk, "reason": "1 refused", "lines": [{"invoice_line": l1.pk, "quantity": "1"}]},
        format="json",
    )
    assert r.status_code == 201
    assert (r.json()["subtotal"], r.json()["gst_amount"], r.json()["total"]) == ("24.99", "2.25", "27.24")
    inv.refresh_from_db()
    assert inv.status == "PARTLY_CREDITED" and inv.amount_due == inv.total - Decimal("27.24")
    too_many = finance.post(
        "/api/credit-notes/",
        {"invoice": inv.pk, "reason": "x", "lines": [{"invoice_line": l1.pk, "quantity": "3"}]},
        format="json",
    )
    assert too_many.status_code == 400 and "lines" in too_many.json()["fields"]
    other = deliver(w).invoice.lines.get()
    foreign = finance.post(
        "/api/credit-notes/",
        {"invoice": inv.pk, "reason": "x", "lines": [{"invoice_line": other.pk, "quantity": "1"}]},
        format="json",
    )
    assert foreign.status_code == 400
    rest = finance.post("/api/credit-notes/", {"invoice": inv.pk, "reason": "rest", "lines": [
        {"invoice_line": l1.pk, "quantity": "2"}, {"invoice_line": l2.pk, "quantity": "2"},
    ]}, format="json")  # fmt: skip
    assert rest.status_code == 201, rest.content
    inv.refresh_from_db()
    assert inv.amount_credited <= inv.total and inv.status == "CREDITED"
    assert [n.number[-6:] for n in CreditNote.objects.order_by("id")] == ["000001", "000002"]


@pytest.mark.parametrize(
    "body",
    [{}, {"invoice": 999999, "reason": "x"}, {"invoice": "abc", "reason": "x"}, {"reason": "x"},
     {"invoice": None, "reason": "x"}, "no_reason", "bad_lines", "negative_line"],
)  # fmt: skip
def test_bad_credit_notes_are_400(loaded, api, body):
    inv = deliver(loaded).invoice
    line = inv.lines.get()
    special = {
        "no_reason": {"invoice": inv.pk, "reason": ""},
        "bad_lines": {"invoice": inv.pk, "reason": "x", "lines": []},
        "negative_line": {"invoice": inv.pk, "reason": "x", "lines": [{"invoice_line": line.pk, "quantity": "-1"}]},
    }
    r = api(loaded.users["finance"]).post(
        "/api/credit-notes/", special.get(body, body) if isinstance(body, str) else body, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid" and r.json()["fields"]
    assert not CreditNote.objects.exists()


def test_credit_notes_are_office_only(loaded, api):
    inv = deliver(loaded).invoice
    for role in ("driver", "depot_staff"):
        r = api(loaded.users[role]).post("/api/credit-notes/", {"invoice": inv.pk, "reason": "x"}, format="json")
        assert r.status_code == 403
    assert not CreditNote.objects.exists()


def test_invoice_list_filters(loaded, api, monkeypatch):
    w = loaded
    on_server_date(monkeypatch, date(2026, 1, 5))
    a = deliver(w, occurred_at=sgt(2026, 1, 5, 9, 0)).invoice
    on_server_date(monkeypatch, date(2026, 2, 5))
    b = deliver(w, customer=w.customers[1], occurred_at=sgt(2026, 2, 5, 9, 0)).invoice
    on_server_date(monkeypatch, date(2026, 3, 5))
    c = deliver(w, occurred_at=sgt(2026, 3, 5, 9, 0)).invoice
    finance = api(w.users["finance"])
    finance.post(f"/api/invoices/{c.pk}/payments/", {"amount": str(c.total), "method": "CASH"}, format="json")

    def ids(query):
        r = finance.get(f"/api/invoices/?{query}")
        assert r.status_code == 200, r.content
        return sorted(i["id"] for i in r.json()["results"])

    assert ids(f"customer={w.customers[0].pk}") == sorted([a.pk, c.pk])
    assert ids("status=PAID") == [c.pk]
    assert ids("status=ISSUED") == sorted([a.pk, b.pk])
    assert ids("issued_from=2026-02-01") == sorted([b.pk, c.pk])
    assert ids("issued_from=2026-02-01&issued_to=2026-02-28") == [b.pk]
    assert ids("supplied_from=2026-02-01&supplied_to=2026-02-28") == [b.pk]
    for bad in ("issued_from=yesterday", "status=LOST", "customer=abc", "customer=99999999999999999999999"):
        r = finance.get(f"/api/invoices/?{bad}")
        assert r.status_code == 400 and r.json()["code"] == "invalid", bad
    detail = finance.get(f"/api/invoices/{a.pk}/").json()
    assert detail["delivery"] == a.delivery.pk and detail["lines"][0]["amount"] == "74.97"
    assert Invoice.objects.count() == 3
