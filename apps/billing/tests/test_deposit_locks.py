"""Deposits keep the one lock order (apps/core/locks.py): the customer's
deposit holdings and the invoices a refund credits are entity rows, locked
before the delivery's balances; the numbers last."""

from datetime import date
from decimal import Decimal

import pytest

from apps.billing.models import DepositRate
from apps.billing.tests.helpers import deliver, delivery_body
from apps.core.testing.world import api_client_for
from apps.core.tests.test_lock_order import ROW_LOCKS, SqlTrace, check, w  # noqa: F401  (w: the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def _before_balances(doc, *tables: str) -> None:
    if ROW_LOCKS:
        locked = [table for table, _ in doc.locks()]
        for table in tables:
            assert locked.index(table) < locked.index("inventory_stockbalance"), locked


def test_a_delivery_charging_then_one_refunding_deposits(w):  # noqa: F811
    ct = w.gas
    DepositRate.objects.create(cylinder_type=ct, valid_from=date(2020, 1, 1), amount=Decimal("45.35"))
    client = api_client_for(w.users["driver"])
    body = delivery_body(w, lines=[{"cylinder_type": ct.pk, "delivered_full": 3, "returned_empty": 0}])
    with SqlTrace() as trace:
        r = client.post("/api/deliveries/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["invoice"]["deposit_total"] == "136.05"
    doc = check(trace, "billing_depositholding", "inventory_stockbalance", "billing_sequence")
    _before_balances(doc, "billing_depositholding")
    deliver(w, lines=[{"cylinder_type": ct, "delivered_full": 1, "returned_empty": 0}])  # a second invoice
    body = delivery_body(w, lines=[{"cylinder_type": ct.pk, "delivered_full": 0, "returned_empty": 4}])
    with SqlTrace() as trace:
        r = client.post("/api/deliveries/", body, format="json")
    assert r.status_code == 201, r.json()
    # 4 back: 1 refunded on the newest invoice, 3 on the first (two credit notes)
    assert r.json()["deposit_credit_note"]["total"] == "136.05"
    doc = check(trace, "billing_depositholding", "billing_invoice", "inventory_stockbalance", "billing_sequence")
    _before_balances(doc, "billing_depositholding", "billing_invoice")
