"""GET /api/customers/prices/, GET /api/company/ and GET /api/paynow/payload/:
what the driver's phone caches so its figures are the invoice's."""

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.conf import settings

from apps.billing.models import CustomerPrice, CylinderTypePrice, GstRate, ServiceItem, ServiceItemPrice
from apps.billing.paynow import paynow_crc_ok, paynow_payload
from apps.billing.tests.helpers import deliver, load_vehicle, sgt
from apps.core.tests.factories import CustomerFactory

URL = "/api/customers/prices/"
VECTORS = Path(settings.BASE_DIR) / "frontend/src/features/delivery/__fixtures__/paynow-vectors.json"


def pick(schedule: list[dict], day: date) -> dict | None:
    """What the phone does (frontend/src/features/delivery/prices.ts): the
    latest row on or before ``day``; a row without a date is the base."""
    best = None
    for row in schedule:
        if row["valid_from"] is None or date.fromisoformat(row["valid_from"]) <= day:
            best = row
    return best


def phone_quote(data: dict, customer_id: int, lines: list[tuple[int, int]], day: date) -> dict:
    """The phone's preview, written again here from the answer alone: line =
    qty x price, GST once on the subtotal, half-up."""
    customer = next(c for c in data["customers"] if c["id"] == customer_id)
    types = {t["id"]: t for t in data["cylinder_types"]}
    cent = Decimal("0.01")
    amounts = []
    for type_id, qty in lines:
        own = pick(customer["prices"].get(str(type_id), []), day)
        row = own or pick(types[type_id]["prices"], day)
        amounts.append((Decimal(row["price"]) * qty).quantize(cent, ROUND_HALF_UP))
    subtotal = sum(amounts, Decimal("0"))
    rate = Decimal(pick(data["gst_rates"], day)["rate"])
    gst = (subtotal * rate).quantize(cent, ROUND_HALF_UP)
    return {"subtotal": subtotal, "gst": gst, "total": subtotal + gst, "amounts": amounts}


@pytest.mark.django_db
def test_contract_customer_quote_equals_the_invoice(world, api):
    contract = world.customers[0]
    # a contract price (21.49 instead of the 24.99 list price) and a dated list-price rise for 14 kg
    CustomerPrice.objects.create(
        customer=contract, cylinder_type=world.gas, valid_from=date(2025, 3, 1), price=Decimal("21.49")
    )
    CylinderTypePrice.objects.create(cylinder_type=world.types[1], valid_from=date(2025, 7, 1), price=Decimal("27.85"))
    load_vehicle(world)
    when = sgt(2026, 1, 19, 10, 30)
    answer = api(world.users["driver"]).get(URL, {"date": "2026-01-19"})
    assert answer.status_code == 200, answer.content
    data = answer.json()
    lines = [(world.gas.pk, 7), (world.types[1].pk, 3)]
    quote = phone_quote(data, contract.pk, lines, date(2026, 1, 19))
    delivery = deliver(
        world,
        customer=contract,
        lines=[
            {"cylinder_type": world.gas, "delivered_full": 7, "returned_empty": 7},
            {"cylinder_type": world.types[1], "delivered_full": 3, "returned_empty": 0},
        ],
        occurred_at=when,
    )
    invoice = delivery.invoice
    assert quote["amounts"] == [Decimal("150.43"), Decimal("83.55")]
    assert (quote["subtotal"], quote["gst"], quote["total"]) == (invoice.subtotal, invoice.gst_amount, invoice.total)
    assert invoice.total == Decimal("255.04")  # 233.98 + 21.06 (21.0582 half-up)
    # a customer without own prices pays the list price
    other = next(c for c in data["customers"] if c["id"] == world.customers[1].pk)
    assert other["prices"] == {}


@pytest.mark.django_db
def test_schedules_keep_the_row_in_force_and_later_rows(world, api):
    customer = world.customers[0]
    for valid_from, price in [(date(2024, 1, 1), "20.10"), (date(2025, 1, 1), "20.95"), (date(2026, 2, 1), "21.37")]:
        CustomerPrice.objects.create(
            customer=customer, cylinder_type=world.gas, valid_from=valid_from, price=Decimal(price)
        )
    GstRate.objects.get_or_create(valid_from=date(2027, 1, 1), defaults={"rate": Decimal("0.1000")})
    item = ServiceItem.objects.create(code="SAFETY", name="Safety check")
    ServiceItemPrice.objects.create(service_item=item, valid_from=date(2025, 5, 1), price=Decimal("12.35"))
    data = api(world.users["driver"]).get(URL, {"date": "2026-01-19"}).json()
    mine = next(c for c in data["customers"] if c["id"] == customer.pk)
    assert mine["prices"][str(world.gas.pk)] == [
        {"valid_from": "2025-01-01", "price": "20.95"},
        {"valid_from": "2026-02-01", "price": "21.37"},
    ]
    assert pick(mine["prices"][str(world.gas.pk)], date(2026, 2, 1))["price"] == "21.37"
    gas = next(t for t in data["cylinder_types"] if t["id"] == world.gas.pk)
    assert gas["prices"] == [{"valid_from": None, "price": "24.99"}]  # no dated list price: CylinderType.list_price
    assert data["gst_rates"][0] == {"valid_from": "2024-01-01", "rate": "0.0900"}
    assert data["gst_rates"][-1] == {"valid_from": "2027-01-01", "rate": "0.1000"}
    assert next(s for s in data["service_items"] if s["id"] == item.pk)["prices"] == [
        {"valid_from": "2025-05-01", "price": "12.35"}
    ]
    assert {"phone", "latitude", "longitude", "payment_terms", "kind", "site_address"} <= set(mine)


@pytest.mark.django_db
def test_whole_list_in_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    client = api(world.users["driver"])
    client.get(URL)  # warm-up (content types, sessions)
    for _ in range(40):
        c = CustomerFactory()
        CustomerPrice.objects.create(
            customer=c, cylinder_type=world.gas, valid_from=date(2025, 1, 1), price=Decimal("22.41")
        )
    with django_assert_max_num_queries(9):
        data = client.get(URL).json()
    assert data["count"] == len(data["customers"]) == 43


@pytest.mark.django_db
def test_drivers_see_active_customers_only_and_anonymous_is_refused(world, api):
    world.customers[2].is_active = False
    world.customers[2].save(update_fields=["is_active"])
    ids = {c["id"] for c in api(world.users["driver"]).get(URL).json()["customers"]}
    assert world.customers[0].pk in ids and world.customers[2].pk not in ids
    assert api(None).get(URL).status_code == 401


@pytest.mark.django_db
def test_etag_answers_304_until_a_price_changes(world, api):
    client = api(world.users["driver"])
    first = client.get(URL, {"date": "2026-01-19"})
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    again = client.get(URL, {"date": "2026-01-19"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    CustomerPrice.objects.create(
        customer=world.customers[1], cylinder_type=world.gas, valid_from=date(2026, 1, 2), price=Decimal("23.17")
    )
    changed = client.get(URL, {"date": "2026-01-19"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2026-02-30"])
def test_bad_date_is_a_400_with_the_field(world, api, bad):
    answer = api(world.users["driver"]).get(URL, {"date": bad})
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and "date" in answer.json()["fields"]


@pytest.mark.django_db
def test_company_comes_from_settings(world, api, settings):
    settings.COMPANY = {
        **settings.COMPANY,
        "name": "Kallang Gas Pte. Ltd.",
        "gst_reg_no": "M90312345X",
        "uen": "199912345Z",
    }
    answer = api(world.users["driver"]).get("/api/company/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["name"] == "Kallang Gas Pte. Ltd." and body["gst_reg_no"] == "M90312345X"
    assert body["address"] == settings.COMPANY["address"] and body["paynow_uen"] == "199912345Z"
    assert api(None).get("/api/company/").status_code == 401


def test_shared_paynow_vectors_match_billing():
    vectors = json.loads(VECTORS.read_text())["vectors"]
    assert len(vectors) >= 4
    for v in vectors:
        payload = paynow_payload(
            uen=v["uen"],
            amount=Decimal(v["amount"]),
            reference=v["reference"],
            merchant_name=v["merchant_name"],
            city=v["city"],
        )
        assert payload == v["payload"] and paynow_crc_ok(payload)


@pytest.mark.django_db
def test_paynow_payload_endpoint(world, api, settings):
    client = api(world.users["driver"])
    answer = client.get("/api/paynow/payload/", {"amount": "117.18", "reference": "INV-2026-000123"})
    assert answer.status_code == 200
    c = settings.COMPANY
    assert answer.json()["payload"] == paynow_payload(
        uen=c["uen"], amount=Decimal("117.18"), reference="INV-2026-000123", merchant_name=c["name"]
    )
    for params in (
        {"amount": "0", "reference": "X"},
        {"amount": "1.005", "reference": "X"},
        {"amount": "NaN", "reference": "X"},
        {"amount": "5.00"},
    ):
        bad = client.get("/api/paynow/payload/", params)
        assert bad.status_code == 400 and bad.json()["code"] == "invalid", params
