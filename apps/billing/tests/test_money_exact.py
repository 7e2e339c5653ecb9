"""Money is exact on every database (issue 14).

SQLite stores NUMERIC columns as doubles, so a CHECK written as
``total = subtotal + gst_amount`` compared floats and refused about a quarter
of all real totals (192.50 + 17.33 != 209.83) with a 500. The checks now
compare whole cents (``ROUND(x * 100)``), exact on SQLite, MariaDB and
PostgreSQL. These tests drive the real constraints and the real services."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.billing.enums import InvoiceStatus
from apps.billing.models import CreditNote, CustomerPrice, DepositRate, Invoice
from apps.billing.pricing import line_amount, money, split_gross, totals
from apps.billing.services import credit_note_create, payment_record
from apps.billing.tests.helpers import deliver, delivery_body, load_vehicle, post_delivery
from apps.core.tests.factories import CustomerFactory, UserFactory

RATE = Decimal("0.0900")
CENTS = range(1, 100_001)  # 0.01 ... 1,000.00


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=40)
    return world


def _walk_invoice(
    n: int, *, customer, user, today, total, subtotal, gst, paid, credited, deposit=Decimal(0), refunded=Decimal(0)
) -> Invoice:
    return Invoice(
        number=f"WALK-{n:06d}",
        customer=customer,
        customer_name="Walk",
        customer_address="1 Walk Road",
        issue_date=today,
        supply_date=today,
        due_date=today,
        payment_terms="Cash on delivery",
        payment_method="CHEQUE",
        subtotal=subtotal,
        gst_rate=RATE,
        gst_amount=gst,
        deposit_total=deposit,
        total=total,
        amount_paid=paid,
        amount_credited=credited,
        amount_refunded=refunded,
        status=InvoiceStatus.PAID,
        created_by=user,
    )


def _settled_split(total: Decimal) -> tuple[Decimal, Decimal]:
    """An awkward split of ``total`` into paid + credited that adds up exactly."""
    credited = money(total * Decimal("0.1111"))
    return total - credited, credited


def _insert(model, rows: list[dict], chunk: int = 1000) -> None:
    """INSERT ``rows`` into ``model``'s table, ``chunk`` rows per statement:
    plain SQL, so the database's own CHECK constraints judge every row."""
    cols = list(rows[0])
    fields = [model._meta.get_field(c) for c in cols]
    qn = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    )
    one = "({})".format(", ".join(["%s"] * len(cols)))
    first = rows[0]
    constant = {c: f.get_db_prep_save(first[c], connection) for c, f in zip(cols, fields, strict=True)}
    varying = [(i, f) for i, (c, f) in enumerate(zip(cols, fields, strict=True)) if any(r[c] != first[c] for r in rows)]
    template = [constant[c] for c in cols]
    params = []
    for row in rows:
        values = list(template)
        for i, f in varying:
            values[i] = f.get_db_prep_save(row[cols[i]], connection)
        params.append(values)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        # Django binds psycopg parameters client-side (Python formats every
        # literal); a plain psycopg cursor on the same connection and
        # transaction binds them server-side, several times faster here.
        import psycopg

        cursor = psycopg.Cursor(connection.connection)
    else:
        cursor = connection.cursor()
    with cursor:
        for start in range(0, len(params), chunk):
            batch = params[start : start + chunk]
            cursor.execute(head + ", ".join([one] * len(batch)), [v for values in batch for v in values])


@pytest.mark.django_db
def test_every_total_from_one_cent_to_a_thousand_passes_the_real_checks():
    """All 100,000 totals, each split into an awkward deposit part (outside
    the GST base) and the rest into net + GST (as a full credit note splits
    it), settled exactly (paid + credited = total + refunded: every seventh
    also credits its deposit after payment, the refund), inserted into
    billing_invoice and billing_creditnote in one savepoint: every row must
    pass the database's own CHECKs (total adds up, not oversettled)."""
    customer, user, today = CustomerFactory(), UserFactory(role="finance"), timezone.localdate()
    now = timezone.now()
    rows = []
    for n in CENTS:
        total = Decimal(n) / 100
        deposit = Decimal(n * 4567 // 10000) / 100
        net, gst = split_gross(total - deposit, RATE)
        assert net + gst + deposit == total
        paid, credited = _settled_split(total)
        refunded = deposit if n % 7 == 0 else Decimal("0.00")
        credited += refunded
        rows.append(
            {
                "number": f"WALK-{n:06d}",
                "customer": customer.pk,
                "customer_name": "Walk",
                "customer_address": "1 Walk Road",
                "customer_postal_code": "",
                "customer_uen": "",
                "issue_date": today,
                "supply_date": today,
                "due_date": today,
                "payment_terms": "Cash on delivery",
                "payment_method": "CHEQUE",
                "currency": "SGD",
                "subtotal": net,
                "gst_rate": RATE,
                "gst_amount": gst,
                "deposit_total": deposit,
                "total": total,
                "amount_paid": paid,
                "amount_credited": credited,
                "amount_refunded": refunded,
                "status": InvoiceStatus.PAID,
                "pdf": "",
                "created_by": user.pk,
                "created_at": now,
            }
        )
    with transaction.atomic():  # a savepoint inside the test's transaction
        _insert(Invoice, rows)
        walked = Invoice.objects.filter(number__startswith="WALK-")
        # round trip: what the database gives back is what was written, to the cent
        stored = {
            row[0]: row[1:]
            for row in walked.values_list("number", "total", "amount_paid", "amount_credited", "amount_refunded")
        }
        assert len(stored) == len(CENTS)
        for n in CENTS:
            total, paid, credited, refunded = stored[f"WALK-{n:06d}"]
            assert total == Decimal(n) / 100 and paid + credited == total + refunded, n
        # The same 100,000 totals as credit notes (their own "adds up" CHECK).
        ids = dict(walked.values_list("number", "id"))
        _insert(
            CreditNote,
            [
                {
                    "number": f"WALKCN-{row['number'][5:]}",
                    "invoice": ids[row["number"]],
                    "reason": "walk",
                    "issue_date": today,
                    "subtotal": row["subtotal"],
                    "gst_rate": RATE,
                    "gst_amount": row["gst_amount"],
                    "deposit_total": row["deposit_total"],
                    "total": row["total"],
                    "amount_refunded": row["amount_refunded"],
                    "created_by": user.pk,
                    "created_at": now,
                }
                for row in rows
            ],
        )
        assert CreditNote.objects.filter(number__startswith="WALKCN-").count() == len(CENTS)
        if connection.vendor == "sqlite":
            # Why cents: compared as the old CHECK did, SQLite's doubles disagree on many of these
            # exact Decimal sums, all of which the cents CHECK above accepted.
            assert walked.exclude(total=F("subtotal") + F("gst_amount") + F("deposit_total")).count() > 0
        transaction.set_rollback(True)
    assert not Invoice.objects.filter(number__startswith="WALK-").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subtotal", "gst", "total", "paid", "credited", "why", "deposit", "refunded"),
    [
        ("192.50", "17.33", "209.84", "0.00", "0.00", "total one cent above subtotal + GST", "0", "0"),
        ("192.50", "17.33", "209.82", "0.00", "0.00", "total one cent below subtotal + GST", "0", "0"),
        ("449.83", "40.48", "490.31", "435.84", "54.48", "paid + credited one cent over the total", "0", "0"),
        ("0.01", "0.00", "0.01", "0.02", "0.00", "overpaid by a cent", "0", "0"),
        ("192.50", "17.33", "524.84", "0.00", "0.00", "one cent above subtotal + GST + deposits", "315.00", "0"),
        ("192.50", "17.33", "209.83", "0.00", "0.00", "deposits left out of the total", "315.00", "0"),
        ("192.50", "17.33", "524.83", "524.83", "315.00", "a refund one cent short", "315.00", "314.99"),
        ("415.00", "37.35", "437.35", "0.00", "0.00", "negative deposits", "-15.00", "0"),
    ],
)
def test_the_checks_still_refuse_a_cent_off(subtotal, gst, total, paid, credited, why, deposit, refunded):
    """Negative control: the cents CHECKs are not vacuous."""
    customer, user, today = CustomerFactory(), UserFactory(role="finance"), timezone.localdate()
    row = _walk_invoice(
        1,
        customer=customer,
        user=user,
        today=today,
        total=Decimal(total),
        subtotal=Decimal(subtotal),
        gst=Decimal(gst),
        paid=Decimal(paid),
        credited=Decimal(credited),
        deposit=Decimal(deposit),
        refunded=Decimal(refunded),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.bulk_create([row])  # plain INSERT: the database's CHECK decides
    assert not Invoice.objects.exists(), why


@pytest.mark.django_db
def test_seven_14kg_cylinders_at_27_50(loaded, api):
    """Named example from the issue: 7 x 27.50 = 192.50, GST 17.33 (17.325 half-up), 209.83."""
    w = loaded
    body = delivery_body(
        w, payment_method="CHEQUE", lines=[{"cylinder_type": w.types[1].pk, "delivered_full": 7, "returned_empty": 0}]
    )
    r = post_delivery(api(w.users["driver"]), body)
    assert r.status_code == 201, r.content
    inv = r.json()["invoice"]
    assert (inv["subtotal"], inv["gst_amount"], inv["total"], inv["status"]) == ("192.50", "17.33", "209.83", "ISSUED")
    paid = api(w.users["finance"]).post(
        f"/api/invoices/{inv['id']}/payments/",
        {"amount": "209.83", "method": "BANK_TRANSFER"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert paid.status_code == 201, paid.content
    assert Invoice.objects.get(pk=inv["id"]).status == InvoiceStatus.PAID


@pytest.mark.django_db
def test_final_payment_of_435_83_after_a_credit_note_of_54_48(loaded, api):
    """Named example from the issue: invoice 490.31 (449.83 + 40.48), a credit
    note of 54.48 (49.98 + 4.50), then the final payment of 435.83 -> PAID."""
    w = loaded
    customer = w.customers[1]
    CustomerPrice.objects.create(
        customer=customer, cylinder_type=w.types[0], valid_from=date(2020, 1, 1), price=Decimal("49.98")
    )
    CustomerPrice.objects.create(
        customer=customer, cylinder_type=w.types[2], valid_from=date(2020, 1, 1), price=Decimal("79.97")
    )
    body = delivery_body(
        w,
        customer=customer.pk,
        payment_method="CHEQUE",
        lines=[
            {"cylinder_type": w.types[0].pk, "delivered_full": 1, "returned_empty": 0},
            {"cylinder_type": w.types[2].pk, "delivered_full": 5, "returned_empty": 0},
        ],
    )
    r = post_delivery(api(w.users["driver"]), body)
    assert r.status_code == 201, r.content
    inv = r.json()["invoice"]
    assert (inv["subtotal"], inv["gst_amount"], inv["total"]) == ("449.83", "40.48", "490.31")
    finance = api(w.users["finance"])
    line = Invoice.objects.get(pk=inv["id"]).lines.get(cylinder_type=w.types[0])
    cn = finance.post(
        "/api/credit-notes/",
        {"invoice": inv["id"], "reason": "one cylinder leaking", "lines": [{"invoice_line": line.pk, "quantity": "1"}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert cn.status_code == 201, cn.content
    assert (cn.json()["subtotal"], cn.json()["gst_amount"], cn.json()["total"]) == ("49.98", "4.50", "54.48")
    paid = finance.post(
        f"/api/invoices/{inv['id']}/payments/",
        {"amount": "435.83", "method": "CHEQUE", "reference": "OCBC 004411"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert paid.status_code == 201, paid.content
    invoice = Invoice.objects.get(pk=inv["id"])
    assert (invoice.status, invoice.amount_paid, invoice.amount_credited, invoice.amount_due) == (
        InvoiceStatus.PAID,
        Decimal("435.83"),
        Decimal("54.48"),
        Decimal("0.00"),
    )
    # one more cent is refused cleanly (422), never a 500
    more = finance.post(
        f"/api/invoices/{inv['id']}/payments/",
        {"amount": "0.01", "method": "CASH"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert more.status_code == 422 and more.json()["code"] == "overpayment"


class _Rollback(Exception):
    """Ends one hypothesis example, undoing everything it wrote."""


prices = st.one_of(st.none(), st.integers(min_value=1000, max_value=15000).map(lambda c: Decimal(c) / 100))
deliveries = st.lists(
    st.tuples(st.integers(min_value=0, max_value=2), st.integers(min_value=1, max_value=15), prices),
    min_size=1,
    max_size=3,
    unique_by=lambda t: t[0],
)
plans = st.fixed_dictionaries(
    {
        "lines": deliveries,
        "method": st.sampled_from(["CHEQUE", "BANK_TRANSFER", "CASH", "PAYNOW"]),
        "credit_fraction": st.one_of(st.none(), st.floats(min_value=0.0, max_value=0.99)),
        "cuts": st.lists(st.floats(min_value=0.01, max_value=0.99), max_size=3),
        "deposit": st.one_of(st.none(), st.integers(min_value=1, max_value=20000).map(lambda c: Decimal(c) / 100)),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans)
@example(plan={"lines": [(1, 7, None)], "method": "CHEQUE", "credit_fraction": None, "cuts": [], "deposit": None})
@example(plan={"lines": [(1, 7, None)], "method": "CASH", "credit_fraction": None, "cuts": [], "deposit": None})
@example(  # 7 x 14 kg at 27.50 plus 7 deposits of 45.35: 192.50 + 17.33 GST + 317.45 = 527.28
    plan={
        "lines": [(1, 7, None)],
        "method": "CHEQUE",
        "credit_fraction": 0.5,
        "cuts": [0.37],
        "deposit": Decimal("45.35"),
    }
)
@example(  # 490.31; credit 1 x 49.98 = 54.48; the rest 435.83
    plan={
        "lines": [(0, 1, Decimal("49.98")), (2, 5, Decimal("79.97"))],
        "method": "CHEQUE",
        "credit_fraction": 0.0,
        "cuts": [],
        "deposit": None,
    }
)
def test_deliveries_payments_and_credits_settle_to_exactly_zero(loaded, plan):
    """Random deliveries (quantities, contract prices, a deposit per cylinder
    or none), paid at the door or later in random parts after an optional
    partial credit note: GST on the cylinders only, every step passes the
    database's CHECKs, and the last payment leaves exactly 0.00 due with the
    invoice PAID."""
    w = loaded
    try:
        with transaction.atomic():
            customer = w.customers[0]
            if plan["deposit"] is not None:
                for ct in w.types:
                    DepositRate.objects.create(cylinder_type=ct, valid_from=date(2020, 1, 1), amount=plan["deposit"])
            lines = []
            for type_index, qty, price in plan["lines"]:
                ct = w.types[type_index]
                if price is not None:
                    CustomerPrice.objects.create(
                        customer=customer, cylinder_type=ct, valid_from=date(2020, 1, 1), price=price
                    )
                lines.append({"cylinder_type": ct, "delivered_full": qty, "returned_empty": 0})
            delivery = deliver(w, customer=customer, lines=lines, payment_method=plan["method"])
            invoice = Invoice.objects.get(pk=delivery.invoice_id)
            expected = totals(
                [
                    line_amount(qty, price if price is not None else w.types[i].list_price)
                    for i, qty, price in plan["lines"]
                ],
                invoice.gst_rate,
            )
            deposits = Decimal("0.00")
            if plan["deposit"] is not None:
                deposits = sum((line_amount(q, plan["deposit"]) for _, q, _ in plan["lines"]), deposits)
            assert (invoice.subtotal, invoice.gst_amount, invoice.deposit_total, invoice.total) == (
                expected[0],
                expected[1],
                deposits,
                expected[2] + deposits,
            )
            if plan["method"] in ("CASH", "PAYNOW"):  # paid at the door, in full
                assert (invoice.status, invoice.amount_paid, invoice.amount_due) == (
                    InvoiceStatus.PAID,
                    invoice.total,
                    Decimal("0.00"),
                )
                raise _Rollback
            first = invoice.lines.order_by("position").first()
            # never the whole invoice: a credit of everything would leave it CREDITED, not PAID
            creditable = int(first.quantity) - (1 if invoice.lines.count() == 1 else 0)
            if plan["credit_fraction"] is not None and creditable >= 1:
                qty = max(1, min(creditable, int(first.quantity * Decimal(str(plan["credit_fraction"])))))
                if qty:
                    credit_note_create(
                        actor=w.users["finance"],
                        invoice=invoice,
                        reason="damaged",
                        lines=[{"invoice_line": first, "quantity": Decimal(qty)}],
                    )
                    invoice.refresh_from_db()
                    assert invoice.status == InvoiceStatus.PARTLY_CREDITED
            for cut in plan["cuts"]:
                part = money(invoice.amount_due * Decimal(str(cut)))
                if Decimal("0") < part < invoice.amount_due:
                    payment_record(actor=w.users["finance"], invoice=invoice, amount=part, method="CHEQUE")
                    invoice.refresh_from_db()
                    assert invoice.status == InvoiceStatus.PARTLY_PAID
            payment_record(actor=w.users["finance"], invoice=invoice, amount=invoice.amount_due, method="BANK_TRANSFER")
            invoice.refresh_from_db()  # what the database holds, through its CHECKs
            assert invoice.amount_paid + invoice.amount_credited == invoice.total
            assert (invoice.status, invoice.amount_due) == (InvoiceStatus.PAID, Decimal("0.00"))
            raise _Rollback
    except _Rollback:
        pass
