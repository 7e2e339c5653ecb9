"""Gapless invoice numbers under fire: 40 real threads post deliveries at once
through the API; a quarter fail AFTER their invoice number was taken (the
delivery's final audit step raises), so their transactions roll back and give
the number back. The issued numbers must be exactly 1..N."""

import time
import uuid

import pytest
from django.db import connection

from apps.audit.enums import AuditAction
from apps.billing.models import Invoice
from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.core.models import Sequence
from apps.core.testing.threads import run_concurrently
from apps.deliveries import services as deliveries_services
from apps.deliveries.models import Delivery
from apps.inventory.models import StockBalance, StockMove
from apps.inventory.selectors import balance_drift

THREADS = 40
DOOMED_EVERY = 4  # a quarter


class Doomed(RuntimeError):
    pass


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_forty_concurrent_deliveries_issue_gapless_numbers(monkeypatch, settings):
    from apps.core.testing.world import api_client_for, build_world

    settings.BILLING_RENDER_PDF_ON_ISSUE = False  # numbering is under test here, not PDFs
    world = build_world()
    load_vehicle(world, quantity=THREADS + 5, types=[world.gas])
    driver = world.users["driver"]

    doomed_customer = world.customers[0]  # every delivery to this customer fails late
    taken_by_doomed: list[str] = []
    real_audit = deliveries_services.audit_record

    def audit_then_maybe_fail(**kwargs):
        row = real_audit(**kwargs)
        if kwargs["action"] == AuditAction.DELIVERY_CREATED and kwargs["after"]["customer"] == doomed_customer.pk:
            # The invoice (and its number) exists in this transaction: fail now.
            assert Invoice.objects.filter(number=kwargs["after"]["invoice"]).exists()
            taken_by_doomed.append(kwargs["after"]["invoice"])
            raise Doomed("forced failure after the number was taken")
        return row

    monkeypatch.setattr(deliveries_services, "audit_record", audit_then_maybe_fail)

    def worker(i: int):
        customer = doomed_customer if i % DOOMED_EVERY == 0 else world.customers[1 + i % 2]
        client = api_client_for(driver)
        # The test client's exception signal is process-wide: one thread's failure would
        # be re-raised in every other thread's client. Read the answer's status instead.
        client.raise_request_exception = False
        body = delivery_body(world, customer=customer.pk, lines=[
            {"cylinder_type": world.gas.pk, "delivered_full": 1, "returned_empty": 0}
        ])  # fmt: skip
        r = client.post("/api/deliveries/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
        return ("doomed", r.status_code) if r.status_code == 500 else (r.status_code, r.json())

    started = time.perf_counter()
    outcomes = run_concurrently(worker, THREADS)
    results = [(i, ("error", repr(o)) if isinstance(o, Exception) else o) for i, o in enumerate(outcomes)]
    elapsed = time.perf_counter() - started
    print(f"\n{THREADS} concurrent deliveries on {connection.vendor}: {elapsed:.2f}s")

    doomed = THREADS // DOOMED_EVERY
    ok = [body for _, (status, body) in results if status == 201]
    failed = [outcome for _, outcome in results if outcome[0] == "doomed"]
    assert len(results) == THREADS
    assert len(failed) == doomed, [o for _, o in results if o[0] not in (201, "doomed")]
    assert len(ok) == THREADS - doomed
    assert len(taken_by_doomed) == doomed  # each failure had really taken a number

    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    prefix = numbers[0][:9]  # INV-YYYY-
    assert all(n.startswith(prefix) for n in numbers)
    assert [int(n[-6:]) for n in numbers] == list(range(1, THREADS - doomed + 1))
    assert sorted(b["invoice"]["number"] for b in ok) == numbers
    assert Sequence.objects.get(slug=f"invoice/{prefix[4:8]}").current_value == THREADS - doomed
    # Rolled-back deliveries left nothing behind.
    assert Delivery.objects.count() == THREADS - doomed
    assert StockMove.objects.filter(document_type="distribution.delivery").count() == THREADS - doomed
    truck = StockBalance.objects.get(location__vehicle=world.vehicle, cylinder_type=world.gas)
    assert truck.full_qty == THREADS + 5 - (THREADS - doomed)
    assert balance_drift() == []
