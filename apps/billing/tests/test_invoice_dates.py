"""Issue date vs supply date (issue 17): an offline delivery signed days ago
is invoiced on the server's date, numbered after the invoices already
issued, and carries its delivery date as the date of supply (GST by it)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.models import Invoice
from apps.billing.tests.helpers import deliver, delivery_body, load_vehicle, on_server_date, post_delivery, sgt
from apps.sync.tests.signing import PhoneKey, register_device


@pytest.fixture
def loaded(world):
    load_vehicle(world, quantity=30)
    return world


def test_an_event_signed_six_days_ago_is_issued_today_after_the_earlier_numbers(loaded, api):
    w = loaded
    today = timezone.localdate()
    driver = api(w.users["driver"])
    online = post_delivery(driver, delivery_body(w))  # issued today, number 1
    assert online.status_code == 201, online.content
    phone = PhoneKey()
    device = register_device(driver, phone)
    six_days_ago = timezone.now() - timedelta(days=6)
    event = phone.event(
        "delivery.create",
        delivery_body(w, customer=w.customers[1].pk, payment_method="CHEQUE"),
        occurred_at=six_days_ago,
    )
    res = driver.post("/api/sync/", {"device": device, "events": [event]}, format="json")
    [answer] = res.json()["results"]
    assert answer["status"] == "applied", answer
    late = Invoice.objects.get(pk=answer["result"]["invoice"]["id"])
    first = Invoice.objects.get(pk=online.json()["invoice"]["id"])
    assert late.issue_date == today and late.supply_date == timezone.localdate(six_days_ago)
    assert late.number > first.number and late.number.endswith("-000002")
    # numbers rise with the issue date across the whole series
    rows = list(Invoice.objects.order_by("number").values_list("issue_date", flat=True))
    assert rows == sorted(rows)
    # both dates everywhere finance looks: the API (detail, list, filters) ...
    finance = api(w.users["finance"])
    detail = finance.get(f"/api/invoices/{late.pk}/").json()
    assert (detail["issue_date"], detail["supply_date"]) == (str(today), str(late.supply_date))
    listed = finance.get(f"/api/invoices/?supplied_to={late.supply_date}").json()["results"]
    assert [(i["number"], i["issue_date"], i["supply_date"]) for i in listed] == [
        (late.number, str(today), str(late.supply_date))
    ]


def test_gst_follows_the_supply_date_and_the_series_the_issue_date(loaded, monkeypatch):
    """Delivered offline on 28 Dec 2023 (GST 8%), synced on 3 Jan 2024 (9%
    by then): GST 8%, numbered in 2024's series, issued 3 Jan 2024."""
    w = loaded
    on_server_date(monkeypatch, date(2024, 1, 3))
    inv = deliver(w, occurred_at=sgt(2023, 12, 28, 15, 0)).invoice
    assert (inv.issue_date, inv.supply_date, inv.gst_rate) == (date(2024, 1, 3), date(2023, 12, 28), Decimal("0.0800"))
    assert inv.number == "INV-2024-000001"
    assert inv.gst_amount == Decimal("6.00")  # 74.97 x 8% = 5.9976
    assert inv.due_date == inv.issue_date  # cash terms: due when issued


def test_supply_date_cannot_be_edited(loaded):
    from apps.billing.models import ImmutableError

    inv = deliver(loaded).invoice
    inv.supply_date = inv.supply_date - timedelta(days=1)
    with pytest.raises(ImmutableError):
        inv.save()
    with pytest.raises(ImmutableError):
        Invoice.objects.filter(pk=inv.pk).update(supply_date=date(2020, 1, 1))
