from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.models import (
    CustomerMeter,
    CustomerPrice,
    CylinderTypePrice,
    ImmutableError,
    Invoice,
    InvoiceLine,
    MeterReading,
    ServiceItem,
    ServiceItemPrice,
)
from apps.billing.pricing import PriceMissing, gst_rate_on, money, totals
from apps.billing.services import MeterReadingDecreased
from apps.billing.tests.helpers import deliver, load_vehicle, on_server_date, sgt
from apps.core.exceptions import ApplicationError, Forbidden
from apps.core.models import Sequence
from apps.deliveries.models import Delivery
from apps.inventory.models import StockMove

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=50)
    return world


def test_three_at_24_99_rounds_half_up(loaded):
    inv = deliver(loaded).invoice
    assert (inv.subtotal, inv.gst_rate, inv.gst_amount, inv.total) == (
        Decimal("74.97"), Decimal("0.0900"), Decimal("6.75"), Decimal("81.72"),
    )  # fmt: skip


def test_gst_is_computed_once_on_the_subtotal_half_up():
    # 0.50 x 9% = 0.045 -> 0.05 (banker's rounding would give 0.04)
    assert totals([Decimal("0.50")], Decimal("0.09")) == (Decimal("0.50"), Decimal("0.05"), Decimal("0.55"))
    # per-line GST would be 3 x round(0.045) = 0.15; on the subtotal it is round(0.135) = 0.14
    assert totals([Decimal("0.50")] * 3, Decimal("0.09"))[1] == Decimal("0.14")
    assert money(Decimal("2.675")) == Decimal("2.68") and money(Decimal("-2.675")) == Decimal("-2.68")


def test_many_lines_add_up_to_the_cent(loaded):
    w = loaded
    CustomerPrice.objects.create(
        customer=w.customers[0], cylinder_type=w.types[1], valid_from=date(2020, 1, 1), price=Decimal("26.33")
    )
    fee = ServiceItem.objects.get(code="DELIVERY_FEE")
    install = ServiceItem.objects.get(code="INSTALLATION_FEE")
    d = deliver(
        w,
        lines=[
            {"cylinder_type": w.types[0], "delivered_full": 7, "returned_empty": 0},
            {"cylinder_type": w.types[1], "delivered_full": 11, "returned_empty": 0},
            {"cylinder_type": w.types[2], "delivered_full": 1, "returned_empty": 0},
        ],
        service_lines=[
            {"service_item": fee, "quantity": Decimal("1")},
            {"service_item": install, "quantity": Decimal("2")},
        ],
        occurred_at=sgt(2026, 2, 3, 9, 0),
    )
    inv = d.invoice
    lines = list(inv.lines.order_by("position"))
    assert [(x.description, x.quantity, x.unit_price, x.amount) for x in lines] == [
        ("LPG refill 12.7 kg", 7, Decimal("24.99"), Decimal("174.93")),
        ("LPG refill 14 kg", 11, Decimal("26.33"), Decimal("289.63")),
        ("LPG refill 50 kg", 1, Decimal("92.00"), Decimal("92.00")),
        ("Delivery fee", 1, Decimal("5.00"), Decimal("5.00")),
        ("Installation fee", 2, Decimal("30.00"), Decimal("60.00")),
    ]
    assert inv.subtotal == sum(x.amount for x in lines) == Decimal("621.56")
    assert inv.gst_amount == Decimal("55.94")  # 621.56 x 9% = 55.9404
    assert inv.total == inv.subtotal + inv.gst_amount == Decimal("677.50")


@pytest.mark.parametrize(
    ("when", "rate"),
    [
        (sgt(2022, 12, 31, 23, 59), Decimal("0.0700")),
        (sgt(2023, 1, 1, 0, 1), Decimal("0.0800")),
        (sgt(2023, 12, 31, 23, 59), Decimal("0.0800")),
        (sgt(2024, 1, 1, 0, 30), Decimal("0.0900")),  # 2023-12-31 16:30 UTC: Singapore date decides
        (sgt(2026, 7, 1, 12, 0), Decimal("0.0900")),
    ],
)
def test_gst_rate_by_delivery_date(loaded, when, rate):
    """GST by the date of supply (the delivery's Singapore date); the invoice
    is issued (numbered) on the server's date."""
    inv = deliver(loaded, occurred_at=when).invoice
    assert inv.gst_rate == rate == gst_rate_on(when.date())
    assert inv.gst_amount == money(Decimal("74.97") * rate)
    assert inv.supply_date == when.date()
    assert inv.issue_date == timezone.localdate()


def test_numbering_restarts_each_singapore_year(loaded, monkeypatch):
    """The series year is the issue date's (the server's Singapore date when
    the number is taken): a 2025 delivery synced in January 2026 is numbered
    in 2026's series, after the invoices already issued, supply date 2025."""
    numbers = []
    for server_day, when in (
        (date(2025, 12, 31), sgt(2025, 12, 31, 23, 58)),
        (date(2025, 12, 31), sgt(2025, 12, 31, 23, 59)),
        (date(2026, 1, 1), sgt(2026, 1, 1, 0, 1)),  # 2025-12-31 16:01 UTC
        (date(2026, 1, 2), sgt(2026, 1, 2, 8, 0)),
        (date(2026, 1, 2), sgt(2025, 12, 30, 8, 0)),  # a late (offline) 2025 delivery
    ):
        on_server_date(monkeypatch, server_day)
        inv = deliver(loaded, occurred_at=when).invoice
        numbers.append((inv.number, inv.issue_date, inv.supply_date))
    assert numbers == [
        ("INV-2025-000001", date(2025, 12, 31), date(2025, 12, 31)),
        ("INV-2025-000002", date(2025, 12, 31), date(2025, 12, 31)),
        ("INV-2026-000001", date(2026, 1, 1), date(2026, 1, 1)),
        ("INV-2026-000002", date(2026, 1, 2), date(2026, 1, 2)),
        ("INV-2026-000003", date(2026, 1, 2), date(2025, 12, 30)),
    ]
    assert dict(Sequence.objects.filter(slug__startswith="invoice/").values_list("slug", "current_value")) == {
        "invoice/2025": 2,
        "invoice/2026": 3,
    }


def test_dated_prices_customer_over_list_over_type(loaded):
    w = loaded
    CylinderTypePrice.objects.create(cylinder_type=w.gas, valid_from=date(2026, 3, 1), price=Decimal("26.00"))
    CustomerPrice.objects.create(
        customer=w.customers[1], cylinder_type=w.gas, valid_from=date(2026, 5, 1), price=Decimal("22.50")
    )

    def unit(customer, when):
        d = deliver(w, customer=customer, lines=[{"cylinder_type": w.gas, "delivered_full": 1}], occurred_at=when)
        return d.invoice.lines.get().unit_price

    assert unit(w.customers[0], sgt(2026, 2, 28, 12, 0)) == Decimal("24.99")  # CylinderType.list_price
    assert unit(w.customers[0], sgt(2026, 3, 1, 0, 5)) == Decimal("26.00")  # dated list price
    assert unit(w.customers[1], sgt(2026, 4, 30, 12, 0)) == Decimal("26.00")
    assert unit(w.customers[1], sgt(2026, 5, 1, 9, 0)) == Decimal("22.50")  # customer price from its date


def test_service_without_price_on_the_date_is_refused(loaded):
    w = loaded
    item = ServiceItem.objects.create(code="LEAK_CHECK", name="Leak check")
    ServiceItemPrice.objects.create(service_item=item, valid_from=date(2026, 6, 1), price=Decimal("15.00"))
    with pytest.raises(PriceMissing):
        deliver(w, service_lines=[{"service_item": item, "quantity": 1}], occurred_at=sgt(2026, 5, 31, 9, 0))
    assert (
        not Delivery.objects.exists() and not StockMove.objects.filter(document_type="distribution.delivery").exists()
    )
    d = deliver(w, service_lines=[{"service_item": item, "quantity": 1}], occurred_at=sgt(2026, 6, 1, 9, 0))
    assert d.invoice.lines.get(kind="SERVICE").amount == Decimal("15.00")


def test_credit_terms_and_due_date(loaded, monkeypatch):
    w = loaded
    on_server_date(monkeypatch, date(2026, 1, 20))
    cust = w.customers[2]
    cust.payment_terms, cust.credit_term_days = "CREDIT", 30
    cust.save()
    inv = deliver(w, customer=cust, payment_method="CREDIT", occurred_at=sgt(2026, 1, 20, 10, 0)).invoice
    assert (inv.issue_date, inv.due_date, inv.payment_terms) == (date(2026, 1, 20), date(2026, 2, 19), "Net 30 days")
    assert (inv.customer_name, inv.customer_address, inv.customer_uen) == (cust.name, cust.site_address, cust.uen)
    cash = deliver(w, occurred_at=sgt(2026, 1, 20, 11, 0)).invoice
    assert cash.due_date == cash.issue_date and cash.payment_terms == "Cash on delivery"
    with pytest.raises(ApplicationError) as err:
        deliver(w, payment_method="CREDIT")
    assert err.value.code == "credit_not_allowed"


# -- meters ------------------------------------------------------------------------


@pytest.fixture
def metered(loaded):
    CustomerMeter.objects.create(customer=loaded.customers[0], serial_number="MTR-001", unit_rate=Decimal("3.1500"))
    return loaded


def test_meter_consumption_is_billed_and_history_kept(metered):
    w = metered
    first = deliver(w, meter_reading=Decimal("100.000"))
    assert not first.invoice.lines.filter(kind="METER").exists()  # first reading is the baseline
    second = deliver(w, meter_reading=Decimal("112.345"))
    line = second.invoice.lines.get(kind="METER")
    assert (line.quantity, line.unit_price, line.amount) == (Decimal("12.345"), Decimal("3.1500"), Decimal("38.89"))
    assert second.invoice.subtotal == Decimal("74.97") + Decimal("38.89")
    same = deliver(w, meter_reading=Decimal("112.345"))
    assert not same.invoice.lines.filter(kind="METER").exists()
    history = list(
        MeterReading.objects.order_by("id").values_list("reading", "previous_reading", "consumption", "delivery_id")
    )
    assert history == [
        (Decimal("100.000"), None, Decimal("0.000"), first.pk),
        (Decimal("112.345"), Decimal("100.000"), Decimal("12.345"), second.pk),
        (Decimal("112.345"), Decimal("112.345"), Decimal("0.000"), same.pk),
    ]


def test_lower_reading_refused_unless_supervisor_replaces_meter(metered, api):
    w = metered
    deliver(w, meter_reading=Decimal("500"))
    numbers_before = Sequence.objects.get(slug__startswith="invoice/").current_value
    moves_before = StockMove.objects.count()
    from apps.billing.tests.helpers import delivery_body, post_delivery

    r = post_delivery(api(w.users["driver"]), delivery_body(w, meter_reading="499.999"))
    assert r.status_code == 422 and r.json()["code"] == "meter_reading_decreased"
    assert r.json()["last_reading"] == "500.000"
    assert StockMove.objects.count() == moves_before and MeterReading.objects.count() == 1
    assert Sequence.objects.get(slug__startswith="invoice/").current_value == numbers_before
    with pytest.raises(Forbidden):
        deliver(w, meter_reading=Decimal("3"), meter_replacement=True)
    replaced = deliver(w, actor=w.users["supervisor"], meter_reading=Decimal("3"), meter_replacement=True)
    assert not replaced.invoice.lines.filter(kind="METER").exists()
    after = deliver(w, meter_reading=Decimal("10.5"))
    assert after.invoice.lines.get(kind="METER").quantity == Decimal("7.5")
    assert list(MeterReading.objects.values_list("is_replacement", flat=True)) == [False, True, False]
    with pytest.raises(MeterReadingDecreased):
        deliver(w, meter_reading=Decimal("10.4"))


def test_reading_for_customer_without_meter_is_400(loaded, api):
    from apps.billing.tests.helpers import delivery_body, post_delivery

    r = post_delivery(api(loaded.users["driver"]), delivery_body(loaded, meter_reading="12"))
    assert r.status_code == 400 and "meter_reading" in r.json()["fields"]
    assert not Invoice.objects.exists()


# -- immutability ------------------------------------------------------------------


def test_issued_invoice_refuses_edits_and_deletes(loaded):
    inv = deliver(loaded).invoice
    inv.total = Decimal("1.00")
    with pytest.raises(ImmutableError):
        inv.save()
    inv.refresh_from_db()
    inv.customer_name = "Someone else"
    with pytest.raises(ImmutableError):
        inv.save()
    with pytest.raises(ImmutableError):
        Invoice.objects.filter(pk=inv.pk).update(number="INV-1999-000001")
    with pytest.raises(ImmutableError):
        Invoice.objects.filter(pk=inv.pk).delete()
    with pytest.raises(ImmutableError):
        inv.delete()
    line = inv.lines.get()
    line.amount = Decimal("0")
    with pytest.raises(ImmutableError):
        line.save()
    with pytest.raises(ImmutableError):
        InvoiceLine.objects.filter(pk=line.pk).update(amount=0)
    inv.refresh_from_db()
    assert inv.total == Decimal("81.72") and inv.lines.get().amount == Decimal("74.97")


def test_admin_shows_invoices_read_only(loaded, client):
    inv = deliver(loaded).invoice
    client.force_login(loaded.users["admin"])
    page = client.get(f"/admin/billing/invoice/{inv.pk}/change/")
    assert page.status_code == 200 and inv.number.encode() in page.content
    assert b'name="_save"' not in page.content
    before = Invoice.objects.values().get(pk=inv.pk)
    client.post(f"/admin/billing/invoice/{inv.pk}/change/", {"total": "1.00", "customer_name": "X"})
    assert Invoice.objects.values().get(pk=inv.pk) == before
    assert client.post(f"/admin/billing/invoice/{inv.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/billing/invoice/add/").status_code == 403
    assert client.get("/admin/core/sequence/").status_code == 200
    moved = client.get("/admin/billing/sequence/?q=invoice")  # the page before Sequence moved to core
    assert moved.status_code == 302 and moved["Location"] == "/admin/core/sequence/?q=invoice"
    delivery = client.get(f"/admin/distribution/delivery/{inv.delivery.pk}/change/")
    assert (
        delivery.status_code == 302 and delivery["Location"] == f"/admin/deliveries/delivery/{inv.delivery.pk}/change/"
    )
    assert client.get(delivery["Location"]).status_code == 200
