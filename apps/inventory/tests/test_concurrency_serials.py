"""Two documents moving the same serial from one place at once (real threads,
real HTTP stack): exactly one succeeds, the other is refused with 422
``serial_not_here`` (never a 5xx, never both), the serial ends in exactly one
place and the balances agree with the ledger and the serials."""

from collections import Counter

import pytest
from django.core.management import call_command

from apps.core.testing.threads import run_concurrently
from apps.core.testing.world import api_client_for, build_world
from apps.depots.models import Equipment
from apps.inventory.locations import location_for_depot, location_for_vehicle
from apps.inventory.models import EquipmentMove
from apps.inventory.selectors import balance_drift, serial_drift
from apps.inventory.tests.serial_helpers import balance, serialised_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_two_trucks_collect_the_same_serial_at_once_one_wins():
    world = build_world(stock=0)
    kind, serials = serialised_world(world, count=7)
    drivers = [world.users["driver"], world.users["driver2"]]
    vehicles = [world.vehicle, world.vehicle2]

    for round_ in range(3):  # a few rounds: the race is won by either side
        wanted = serials[2 * round_ : 2 * round_ + 2]

        def work(i, wanted=wanted):
            # the same two serials, listed in opposite orders
            body = {
                "vehicle": vehicles[i].pk,
                "items": [
                    {
                        "depot": world.depot.pk,
                        "cylinder_type": kind.pk,
                        "quantity": 2,
                        "movement_type": "COLLECTION",
                        "serials": wanted if i == 0 else wanted[::-1],
                    }
                ],
            }
            response = api_client_for(drivers[i]).post("/api/distributions/", body, format="json")
            return response.status_code, response.json()

        results = run_concurrently(work, 2)
        assert [r for r in results if isinstance(r, Exception)] == []
        assert Counter(status for status, _ in results) == {201: 1, 422: 1}, results
        [(_, refused)] = [r for r in results if r[0] == 422]
        assert refused["code"] == "serial_not_here" and "items" in refused["fields"]
        winner = 0 if results[0][0] == 201 else 1
        truck = location_for_vehicle(vehicles[winner])
        for serial in wanted:
            row = Equipment.objects.get(serial_number=serial)
            assert (row.location_id, row.state) == (truck.pk, "FULL")
            assert EquipmentMove.objects.filter(equipment=row, stock_move__movement_type="COLLECTION").count() == 1

    depot = location_for_depot(world.depot)
    assert balance(depot, kind) == (1, 0)
    assert sum(balance(location_for_vehicle(v), kind)[0] for v in vehicles) == 6
    assert serial_drift() == [] and balance_drift() == []
    call_command("reconcile_inventory")


def test_many_documents_race_for_one_serial_exactly_one_moves_it():
    world = build_world(stock=0)
    kind, serials = serialised_world(world, count=3)
    driver = world.users["driver"]

    def work(i):
        body = {
            "vehicle": world.vehicle.pk,
            "items": [
                {
                    "depot": world.depot.pk,
                    "cylinder_type": kind.pk,
                    "quantity": 1,
                    "movement_type": "COLLECTION",
                    "serials": [serials[1]],
                }
            ],
        }
        response = api_client_for(driver).post("/api/distributions/", body, format="json")
        return response.status_code, response.json()

    results = run_concurrently(work, 6)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Counter(status for status, _ in results) == {201: 1, 422: 5}, results
    assert {body["code"] for status, body in results if status == 422} == {"serial_not_here"}
    assert balance(location_for_vehicle(world.vehicle), kind) == (1, 0)
    assert serial_drift() == [] and balance_drift() == []
