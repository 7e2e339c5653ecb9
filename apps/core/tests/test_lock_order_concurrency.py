"""Real threads through the HTTP API: a dispatcher changes an order
(``PATCH /api/orders/{id}/``) while the driver delivers it
(``POST /api/deliveries/`` with that order). Before the one lock order the
delivery took the audit head (inside ``stock_post``) and then the order,
while the order change took the order and then the audit head: a deadlock on
MariaDB/PostgreSQL, answered 503 to the loser. Now both take the order first
(and neither takes the audit head: only the sealer does, after commit);
any deadlock or lock timeout the database still reports is retried by the
write views (``retry_on_conflict``). On SQLite the writers queue on the
database lock (``BEGIN IMMEDIATE``)."""

import logging
import os
import threading
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from apps.billing.tests.helpers import delivery_body, load_vehicle
from apps.core.testing.threads import run_concurrently
from apps.core.testing.world import api_client_for, build_world
from apps.inventory.selectors import balance_drift
from apps.orders.tests.helpers import make_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

ROUNDS = int(os.environ.get("LOCK_ORDER_ROUNDS", "24"))
OK = {
    "delivery": {201, 409},  # 409: the order was closed first (delivered, cancelled)
    "patch": {200, 409},  # 409: order_partly_delivered (lines) or order_closed
}


def test_order_update_against_delivery_create_on_the_same_order(caplog, settings):
    settings.BILLING_RENDER_PDF_ON_ISSUE = False
    caplog.set_level(logging.INFO, logger="apps.core.db")
    world = build_world(stock=200)
    load_vehicle(world, quantity=4 * ROUNDS)
    driver, supervisor = world.users["driver"], world.users["supervisor"]
    outcomes: Counter = Counter()
    orders = []

    for n in range(ROUNDS):
        order = make_order(world, customer=world.customers[n % 3], quantity=3)
        partial = n % 2 == 1  # every other round delivers 2 of the 3 ordered
        change_lines = n % 4 >= 2  # half the changes try new lines (refused once anything was delivered)
        delivery = delivery_body(
            world,
            customer=order.customer_id,
            order=order.pk,
            lines=[{"cylinder_type": world.gas.pk, "delivered_full": 2 if partial else 3, "returned_empty": 1}],
        )
        patch = {"notes": f"round {n}"}
        if change_lines:
            patch["lines"] = [{"cylinder_type": world.gas.pk, "quantity": 4}]
        clients = [api_client_for(driver), api_client_for(supervisor), api_client_for(supervisor)]

        def work(i, delivery=delivery, patch=patch, order=order, clients=clients):
            if i == 0:
                r = clients[0].post("/api/deliveries/", delivery, format="json")
                return "delivery", r.status_code, r.json()
            r = clients[i].patch(f"/api/orders/{order.pk}/", {**patch, "notes": f"{patch['notes']}/{i}"}, format="json")
            return "patch", r.status_code, r.json()

        results = run_concurrently(work, 3)
        assert [r for r in results if isinstance(r, Exception)] == []
        for kind, status, body in results:
            outcomes[(kind, status, body.get("code", "") if status >= 400 else "")] += 1
            assert status in OK[kind], (n, kind, status, body)
        orders.append((order.pk, results))

    # the end state: each order says exactly what was delivered against it
    office = api_client_for(supervisor)
    for order_id, results in orders:
        state = office.get(f"/api/orders/{order_id}/").json()
        delivered = sum(
            line["delivered_full"]
            for kind, status, body in results
            if kind == "delivery" and status == 201
            for line in body["lines"]
        )
        lines = {line["cylinder_type"]: line for line in state["lines"]}
        assert lines[world.gas.pk]["delivered_quantity"] == delivered, (order_id, state)
        remaining = sum(line["quantity"] - line["delivered_quantity"] for line in state["lines"])
        if delivered == 0:
            assert state["status"] in ("PLANNED", "ASSIGNED"), state
        else:
            assert state["status"] == ("DELIVERED" if remaining <= 0 else "PARTLY_DELIVERED"), state
        patched = [body for kind, status, body in results if kind == "patch" and status == 200]
        if patched:  # the last change that went through is what the order says
            assert state["notes"] in {body["notes"] for body in patched}

    assert outcomes[("delivery", 201, "")] == ROUNDS  # every delivery went through (the order was open)
    assert balance_drift() == []
    call_command("reconcile_inventory")  # raises CommandError on drift
    call_command("verify_audit_chain")  # raises on a broken or forked chain
    retries = sum("retrying" in r.getMessage() for r in caplog.records)
    print(f"\n{connection.vendor}: {ROUNDS} rounds, outcomes {dict(outcomes)}, {retries} retried conflicts")


def _someone_waits_on_a_lock() -> bool:
    """PostgreSQL: a backend of this database waits for a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view is read once per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_a_deadlock_loser_on_an_order_change_is_retried_not_503(caplog):
    """Force a real deadlock against ``PATCH /api/orders/{id}/``: a transaction
    holds the order's lines (against the lock order, on purpose), waits until
    the order change (which holds the order and rewrites its lines) queues
    behind it, then asks for the order. The database kills one of the
    two; the order change answers 200 either way (the orders views had no
    retry: their loser answered 503). PostgreSQL aborts the waiter whose
    deadlock_timeout fires first, the order change: there the retry is seen
    in the log. On SQLite the change simply waits for the database lock."""
    from django.db import OperationalError, transaction

    from apps.core.locks import lock_entities, lock_entity
    from apps.orders.models import Order, OrderLine

    caplog.set_level(logging.INFO, logger="apps.core.db")
    world = build_world(stock=0)
    order = make_order(world, quantity=2)
    client = api_client_for(world.users["supervisor"])

    held, outcome = threading.Event(), {}

    def blocker():
        try:
            with transaction.atomic():
                lock_entities(OrderLine.objects.filter(order_id=order.pk))
                held.set()
                if connection.vendor == "sqlite":
                    time.sleep(0.5)  # the change waits for the database lock meanwhile
                elif connection.vendor == "mysql":
                    # InnoDB's lock tables lag here: give the change 2 s to queue (if it has not,
                    # there is no cycle and it simply runs after this transaction)
                    time.sleep(2)
                    lock_entity(Order.objects.filter(pk=order.pk))  # closes the cycle
                else:
                    deadline = time.monotonic() + 30
                    while not _someone_waits_on_a_lock():
                        assert time.monotonic() < deadline, "the order change never queued behind the lines"
                        time.sleep(0.02)
                    lock_entity(Order.objects.filter(pk=order.pk))  # closes the cycle
            outcome["blocker"] = "committed"
        except OperationalError:
            outcome["blocker"] = "deadlock victim"
        finally:
            connection.close()

    def changer():
        held.wait(30)
        try:
            body = {"notes": "changed", "lines": [{"cylinder_type": world.gas.pk, "quantity": 3}]}
            outcome["patch"] = client.patch(f"/api/orders/{order.pk}/", body, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=blocker), threading.Thread(target=changer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    response = outcome["patch"]
    assert response.status_code == 200, response.json()
    assert response.json()["notes"] == "changed"
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    if connection.vendor == "postgresql":  # the change waited first, so its deadlock check fired first
        assert outcome["blocker"] == "committed"
        assert retries, "the order change lost the deadlock, so it must have been retried"
    print(f"\n{connection.vendor}: blocker {outcome['blocker']}, order change 200 after {len(retries)} retries")
    call_command("verify_audit_chain")
