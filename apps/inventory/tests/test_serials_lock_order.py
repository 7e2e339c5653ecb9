"""The serials' Equipment rows are entity rows: locked before the balances,
in one statement, in the document's one transaction (the checker of
apps/core/tests/test_lock_order.py, on a serialised load, delivery and reversal)."""

import pytest

from apps.core.testing.world import api_client_for, build_world
from apps.core.tests.test_lock_order import ROW_LOCKS, SqlTrace, check
from apps.inventory.tests.serial_helpers import serialised_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_serialised_documents_lock_serials_then_balances_then_the_number(settings):
    settings.BILLING_RENDER_PDF_ON_ISSUE = False
    world = build_world(stock=0)
    kind, serials = serialised_world(world, count=5)
    driver = api_client_for(world.users["driver"])
    body = {
        "vehicle": world.vehicle.pk,
        "items": [
            {
                "depot": world.depot.pk,
                "cylinder_type": kind.pk,
                "quantity": 3,
                "movement_type": "COLLECTION",
                "serials": serials[:3],
            }
        ],
    }
    with SqlTrace() as trace:
        r = driver.post("/api/distributions/", body, format="json")
    assert r.status_code == 201, r.json()
    doc = check(trace, "depots_equipment", "inventory_stockbalance", "billing_sequence")
    if ROW_LOCKS:
        locked = [table for table, _ in doc.locks()]
        assert locked.index("depots_equipment") < locked.index("inventory_stockbalance")
        equipment_locks = [s for s in doc.statements if s == ("lock", "depots_equipment")]
        assert len(equipment_locks) == 1  # every serial of the document in one statement

    delivery = {
        "customer": world.customers[0].pk,
        "vehicle": world.vehicle.pk,
        "payment_method": "CHEQUE",
        "lines": [{"cylinder_type": kind.pk, "delivered_full": 2, "delivered_serials": serials[:2]}],
    }
    with SqlTrace() as trace:
        r = driver.post("/api/deliveries/", delivery, format="json")
    assert r.status_code == 201, r.json()
    check(trace, "depots_equipment", "inventory_stockbalance", "billing_sequence")

    supervisor = api_client_for(world.users["supervisor"])
    [dist] = supervisor.get("/api/distributions/").json()["results"]
    with SqlTrace() as trace:
        r = supervisor.post(f"/api/distributions/{dist['id']}/reverse/", {"reason": "wrong truck"}, format="json")
    assert r.status_code == 422 and r.json()["code"] == "serial_not_here"  # two of them are at the customer now
