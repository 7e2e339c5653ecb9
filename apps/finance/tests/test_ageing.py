"""Ageing at the bucket boundaries, with partial payments and a credit note
dated before and after ``as_of``."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.audit.models import AuditLog
from apps.finance.selectors import ageing_report
from apps.finance.tests.helpers import (
    credit_customer,
    credit_one,
    cylinders,
    days_ago,
    gst,
    invoice_on,
    load_vehicle,
    pay,
    today,
)

pytestmark = pytest.mark.django_db

PRICE = Decimal("24.99")  # the 12.7 kg list price
# days past due at as_of = today -> expected bucket; the quantity differs per
# invoice so each bucket's figure shows which invoices landed in it. (No 7 x
# 24.99: on main SQLite's float CHECK refuses 174.93 + 15.74 = 190.67; the
# money helper is fixing that.)
CASES = [(0, "current"), (1, "1_30"), (30, "1_30"), (31, "31_60"), (60, "31_60"), (61, "61_90"), (90, "61_90"),
         (91, "over_90")]  # fmt: skip
QTY = [1, 2, 3, 4, 5, 6, 8, 9]


def total_for(qty: int) -> Decimal:
    sub = PRICE * qty
    return sub + gst(sub, "0.09")


@pytest.fixture
def book(world):
    load_vehicle(world, quantity=70)
    customer = credit_customer(world.customers[0], days=30)
    invoices = {}
    for qty, (late, _bucket) in zip(QTY, CASES, strict=True):
        invoices[late] = invoice_on(world, days_ago(30 + late), customer=customer, lines=cylinders(world, qty))
    invoices["new"] = invoice_on(world, today(), customer=customer, lines=cylinders(world, 10))
    # a partial payment before as_of, one after it (future-dated), a credit note today
    pay(world, invoices[31], "10.05", days_ago(3))
    pay(world, invoices[61], "20.00", today() + timedelta(days=1))
    credit_one(world, invoices[90])  # 24.99 + 2.25 GST = 27.24, dated today
    return customer, invoices


def test_buckets_at_every_boundary_as_of_today(book):
    customer, invoices = book
    report = ageing_report(as_of=today())
    row = report.customers[0]
    by_number = {i.number: i for i in row.invoices}
    for late, bucket in CASES:
        item = by_number[invoices[late].number]
        assert (item.days_past_due, item.bucket) == (late, bucket), late
    assert by_number[invoices["new"].number].days_past_due == -30
    # 9 x 24.99 = 224.91 + 20.24 GST = 245.15 (over 90, untouched)
    assert row.buckets["over_90"] == Decimal("245.15")
    expected = {
        "current": total_for(1) + total_for(10),
        "1_30": total_for(2) + total_for(3),
        "31_60": total_for(4) - Decimal("10.05") + total_for(5),
        "61_90": total_for(6) + total_for(8) - Decimal("27.24"),  # the payment after as_of does not count
        "over_90": total_for(9),
    }
    assert row.buckets == expected
    assert report.totals == expected
    assert report.total == sum(expected.values())


def test_documents_after_as_of_do_not_count(book):
    customer, invoices = book
    report = ageing_report(as_of=today() - timedelta(days=1))
    row = report.customers[0]
    numbers = {i.number for i in row.invoices}
    assert invoices["new"].number not in numbers  # issued after as_of
    by_number = {i.number: i for i in row.invoices}
    assert by_number[invoices[90].number].outstanding == total_for(8)  # credit note dated today: not yet
    assert by_number[invoices[90].number].bucket == "61_90"  # 89 days
    assert by_number[invoices[91].number].bucket == "61_90"  # 90 days
    assert by_number[invoices[0].number].bucket == "current"  # due tomorrow
    assert by_number[invoices[1].number].bucket == "current"  # due today
    assert by_number[invoices[31].number].outstanding == total_for(4) - Decimal("10.05")


def test_fully_settled_invoices_drop_out(book, world):
    customer, invoices = book
    pay(world, invoices[30], str(invoices[30].total), days_ago(2))
    report = ageing_report(as_of=today())
    assert invoices[30].number not in {i.number for i in report.customers[0].invoices}
    assert report.customers[0].buckets["1_30"] == total_for(2)


def test_ageing_api_is_audited_and_scoped(book, api, world):
    customer, invoices = book
    other = credit_customer(world.customers[1], email="")
    invoice_on(world, days_ago(5), customer=other, lines=cylinders(world, 2, type_index=1))
    before = AuditLog.objects.count()
    answer = api(world.users["finance"]).get("/api/reports/ageing/", {"as_of": today().isoformat()})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [c["customer"] for c in body["customers"]] == sorted(
        [customer.pk, other.pk], key=lambda pk: next(c.code for c in world.customers if c.pk == pk)
    )
    assert body["totals"]["over_90"] == "245.15"
    only = api(world.users["auditor"]).get("/api/reports/ageing/", {"as_of": today().isoformat(),
                                                                     "customer": customer.pk})  # fmt: skip
    assert only.status_code == 200
    assert [c["customer"] for c in only.json()["customers"]] == [customer.pk]
    rows = AuditLog.objects.filter(action="finance.report").order_by("id")
    assert AuditLog.objects.count() >= before + 2
    last = rows.last()
    assert last.user == world.users["auditor"]
    assert last.after["report"] == "ageing" and last.after["rows"] == 9 and last.after["customer"] == customer.pk


@pytest.mark.parametrize(
    "params, field",
    [({}, "as_of"), ({"as_of": "2026-02-30"}, "as_of"), ({"as_of": "yesterday"}, "as_of"),
     ({"as_of": "2026-01-31", "customer": "99999999"}, "customer"),
     ({"as_of": "2026-01-31", "customer": "99999999999999999999999"}, "customer")],
)  # fmt: skip
def test_bad_input_is_400_with_fields(world, api, params, field):
    answer = api(world.users["finance"]).get("/api/reports/ageing/", params)
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
