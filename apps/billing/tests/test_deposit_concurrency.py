"""Real threads: deliveries of one cylinder type to one customer at once
never charge a deposit twice nor refund one twice. They queue on the
customer's deposit holding row (MariaDB, PostgreSQL) or the database lock
(SQLite), and each reads the customer's balance after that lock."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.billing.models import DepositHolding, DepositMove, DepositRate, InvoiceLine
from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.core.testing.threads import run_concurrently
from apps.core.testing.world import api_client_for, build_world
from apps.core.tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

RATE = Decimal("45.35")
ROUNDS = 3


def test_concurrent_deliveries_charge_and_refund_each_deposit_once(settings):
    settings.BILLING_RENDER_PDF_ON_ISSUE = False
    world = build_world(stock=200)
    load_vehicle(world, quantity=60)
    ct = world.gas
    DepositRate.objects.create(cylinder_type=ct, valid_from=date(2020, 1, 1), amount=RATE)
    client_count = 3
    clients = [api_client_for(world.users["driver"]) for _ in range(client_count)]
    for _ in range(ROUNDS):
        customer = CustomerFactory()

        def first(i, customer=customer):
            body = delivery_body(
                world,
                customer=customer.pk,
                payment_method="CHEQUE",
                lines=[{"cylinder_type": ct.pk, "delivered_full": 2, "returned_empty": 0}],
            )
            r = clients[i].post("/api/deliveries/", body, format="json")
            return r.status_code, r.json()

        results = run_concurrently(first, client_count)
        assert [r[0] for r in results] == [201] * client_count, results
        h = DepositHolding.objects.get(customer=customer, cylinder_type=ct)
        assert (h.units, h.amount) == (6, RATE * 6)  # the first time for each: 2 each, never 4 or 0
        assert [r[1]["invoice"]["deposit_total"] for r in results] == ["90.70"] * client_count

        # one returns 2, one swaps 2 for 2, one brings 2 more: held 6 -> 6, covered 6 whatever the order
        lines = [(0, 2), (2, 2), (2, 0)]

        def second(i, customer=customer):
            full, empty = lines[i]
            body = delivery_body(
                world,
                customer=customer.pk,
                payment_method="CASH",
                lines=[{"cylinder_type": ct.pk, "delivered_full": full, "returned_empty": empty}],
            )
            r = clients[i].post("/api/deliveries/", body, format="json")
            return r.status_code, r.json()

        results = run_concurrently(second, client_count)
        assert [r[0] for r in results] == [201] * client_count, results
        h.refresh_from_db()
        ledger = DepositMove.objects.filter(customer=customer).aggregate(u=Sum("units"), a=Sum("amount"))
        assert (h.units, h.amount) == (ledger["u"], ledger["a"]) == (6, RATE * 6)
        invoiced = InvoiceLine.objects.filter(invoice__customer=customer, kind="DEPOSIT").aggregate(s=Sum("amount"))[
            "s"
        ]
        refunded = -(DepositMove.objects.filter(customer=customer, units__lt=0).aggregate(s=Sum("amount"))["s"] or 0)
        assert invoiced - refunded == RATE * 6
