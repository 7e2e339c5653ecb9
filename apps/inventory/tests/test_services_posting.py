"""The posting service: each movement type moves exactly what it should,
refusals leave nothing behind, reversals compensate without editing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from apps.audit.models import AuditLog
from apps.core.exceptions import Forbidden, InvalidMovement, ValidationFailed
from apps.core.models import Sequence
from apps.distribution.models import DistributionHeader
from apps.distribution.services import distribution_create, distribution_reverse
from apps.inventory.enums import CylinderState, LocationKind, MovementType, StockDocumentKind
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.locations import location_for_customer, location_for_depot, location_for_vehicle, virtual_location
from apps.inventory.models import ImmutableError, StockBalance, StockDocument, StockMove
from apps.inventory.move_line import MoveLine
from apps.inventory.selectors import balance_drift
from apps.inventory.services import stock_document_create, stock_document_reverse, stock_post

pytestmark = pytest.mark.django_db

FULL, EMPTY = CylinderState.FULL, CylinderState.EMPTY


def snapshot() -> dict:
    return {(b.location_id, b.cylinder_type_id): (b.full_qty, b.empty_qty) for b in StockBalance.objects.all()}


def changed(before: dict, after: dict) -> dict:
    keys = set(before) | set(after)
    return {
        k: (before.get(k, (0, 0)), after.get(k, (0, 0))) for k in keys if before.get(k, (0, 0)) != after.get(k, (0, 0))
    }


def post(world, movement, state, qty, src, dst, ct=None):
    with transaction.atomic():
        return stock_post(
            actor=world.users["admin"],
            document_type="test.doc",
            document_id=1,
            lines=[MoveLine(movement, (ct or world.gas).pk, state, qty, src, dst)],
        )


def seed_vehicle_and_customer(world):
    """Put 10 full and 4 empty on the truck and 5 full, 3 empty at the customer."""
    depot, truck, site = (
        location_for_depot(world.depot),
        location_for_vehicle(world.vehicle),
        location_for_customer(world.customers[0]),
    )
    post(world, MovementType.COLLECTION, FULL, 20, depot, truck)
    post(world, MovementType.DELIVERY, FULL, 10, truck, site)
    post(world, MovementType.RETURN, FULL, 5, site, truck)  # refused delivery brought back
    adjust = virtual_location(LocationKind.ADJUSTMENT)
    post(world, MovementType.ADJUSTMENT, EMPTY, 4, adjust, truck)
    post(world, MovementType.ADJUSTMENT, EMPTY, 3, adjust, site)
    return depot, truck, site


CASES = [
    # movement, state, from, to
    (MovementType.COLLECTION, FULL, "depot", "truck"),
    (MovementType.EMPTY_RETURN, EMPTY, "truck", "depot"),
    (MovementType.FULL_RETURN, FULL, "truck", "depot"),
    (MovementType.DELIVERY, FULL, "truck", "site"),
    (MovementType.RETURN, EMPTY, "site", "truck"),
    (MovementType.RETURN, FULL, "site", "truck"),
    (MovementType.TRANSFER, FULL, "depot", "depot2"),
    (MovementType.TRANSFER, EMPTY, "depot", "depot2"),
    (MovementType.RECEIPT, FULL, "plant", "depot"),
    (MovementType.DUMP, EMPTY, "depot", "plant"),
    (MovementType.ADJUSTMENT, FULL, "adjust", "truck"),
    (MovementType.ADJUSTMENT, EMPTY, "site", "adjust"),
    (MovementType.WRITE_OFF, FULL, "depot", "writeoff"),
    (MovementType.WRITE_OFF, EMPTY, "truck", "writeoff"),
    (MovementType.CONSUMPTION, FULL, "site", "consumed"),
    (MovementType.CONSUMPTION, EMPTY, "consumed", "site"),
]


@pytest.mark.parametrize("movement,state,src,dst", CASES)
def test_each_movement_changes_exactly_its_two_balances(world, movement, state, src, dst):
    depot, truck, site = seed_vehicle_and_customer(world)
    if movement == MovementType.DUMP or (movement == MovementType.TRANSFER and state == EMPTY):
        post(world, MovementType.EMPTY_RETURN, EMPTY, 2, truck, depot)
    places = {
        "depot": depot, "depot2": location_for_depot(world.depot2), "truck": truck, "site": site,
        "plant": virtual_location(LocationKind.PLANT), "adjust": virtual_location(LocationKind.ADJUSTMENT),
        "writeoff": virtual_location(LocationKind.WRITE_OFF),
        "consumed": virtual_location(LocationKind.CONSUMPTION),
    }  # fmt: skip
    before = snapshot()
    post(world, movement, state, 2, places[src], places[dst])
    diff = changed(before, snapshot())
    slot = 0 if state == FULL else 1
    key_from, key_to = (places[src].pk, world.gas.pk), (places[dst].pk, world.gas.pk)
    assert set(diff) == {key_from, key_to}
    assert diff[key_from][1][slot] == diff[key_from][0][slot] - 2
    assert diff[key_to][1][slot] == diff[key_to][0][slot] + 2
    other = 1 - slot
    assert diff[key_from][1][other] == diff[key_from][0][other]
    assert diff[key_to][1][other] == diff[key_to][0][other]
    assert balance_drift() == []


@pytest.mark.parametrize(
    "movement,state,src,dst",
    [
        (MovementType.COLLECTION, FULL, "truck", "depot"),  # wrong direction
        (MovementType.COLLECTION, EMPTY, "depot", "truck"),  # wrong state
        (MovementType.DELIVERY, FULL, "depot", "site"),  # deliveries leave from a vehicle
        (MovementType.RECEIPT, FULL, "depot", "truck"),
        (MovementType.DUMP, FULL, "depot", "plant"),
        (MovementType.TRANSFER, FULL, "depot", "truck"),
        (MovementType.ADJUSTMENT, FULL, "depot", "truck"),  # adjustment needs the virtual side
        (MovementType.WRITE_OFF, FULL, "writeoff", "depot"),
        (MovementType.CONSUMPTION, FULL, "truck", "consumed"),  # gas is used at customer sites only
        (MovementType.CONSUMPTION, EMPTY, "site", "consumed"),  # fulls are consumed, empties come back
    ],
)
def test_movement_rules_refuse_wrong_locations(world, movement, state, src, dst):
    depot, truck, site = seed_vehicle_and_customer(world)
    places = {
        "depot": depot,
        "truck": truck,
        "site": site,
        "plant": virtual_location(LocationKind.PLANT),
        "writeoff": virtual_location(LocationKind.WRITE_OFF),
        "consumed": virtual_location(LocationKind.CONSUMPTION),
    }
    before, moves = snapshot(), StockMove.objects.count()
    with pytest.raises(InvalidMovement):
        post(world, movement, state, 1, places[src], places[dst])
    assert snapshot() == before and StockMove.objects.count() == moves


def test_refused_distribution_leaves_nothing_behind(world):
    """Short on one line: no header, no item, no move, no balance change, no number."""
    driver = world.users["driver"]
    before = snapshot()
    counts = (StockMove.objects.count(), DistributionHeader.objects.count(), AuditLog.objects.count())
    with pytest.raises(InsufficientStock) as err:
        distribution_create(
            actor=driver,
            vehicle=world.vehicle,
            items=[
                {"depot": world.depot, "cylinder_type": world.types[0], "quantity": 5, "movement_type": "COLLECTION"},
                {"depot": world.depot, "cylinder_type": world.types[1], "quantity": 101, "movement_type": "COLLECTION"},
                {"depot": world.depot, "cylinder_type": world.types[2], "quantity": 3, "movement_type": "EMPTY_RETURN"},
            ],
        )
    # every short line is listed, not just the first
    short = {(s["cylinder_type"], s["state"]) for s in err.value.shortages}
    assert short == {(world.types[1].pk, FULL), (world.types[2].pk, EMPTY)}
    assert {s["available"] for s in err.value.shortages} == {100, 0}
    assert snapshot() == before
    assert (StockMove.objects.count(), DistributionHeader.objects.count(), AuditLog.objects.count()) == counts
    assert not Sequence.objects.filter(slug__startswith="distribution/").exists()
    # and the next successful one takes number 0001
    ok = distribution_create(
        actor=driver,
        vehicle=world.vehicle,
        items=[{"depot": world.depot, "cylinder_type": world.gas, "quantity": 5, "movement_type": "COLLECTION"}],
    )
    assert ok.number.endswith("-0001")


def test_distribution_moves_and_totals(world):
    driver = world.users["driver"]
    truck = location_for_vehicle(world.vehicle)
    first = distribution_create(
        actor=driver,
        vehicle=world.vehicle,
        items=[{"depot": world.depot, "cylinder_type": world.gas, "quantity": 12, "movement_type": "COLLECTION"}],
    )
    second = distribution_create(
        actor=driver,
        vehicle=world.vehicle,
        items=[
            {"depot": world.depot, "cylinder_type": world.gas, "quantity": 2, "movement_type": "FULL_RETURN"},
        ],
    )
    assert first.total_collection == 12 and second.total_return == 2
    assert first.number.endswith("-0001") and second.number.endswith("-0002")
    bal = StockBalance.objects.get(location=truck, cylinder_type=world.gas)
    assert (bal.full_qty, bal.empty_qty) == (10, 0)
    assert StockBalance.objects.get(location__depot=world.depot, cylinder_type=world.gas).full_qty == 90


def test_driver_cannot_load_someone_elses_truck(world):
    with pytest.raises(Forbidden):
        distribution_create(
            actor=world.users["driver"],
            vehicle=world.vehicle2,
            items=[{"depot": world.depot, "cylinder_type": world.gas, "quantity": 1, "movement_type": "COLLECTION"}],
        )


def test_depot_staff_only_at_own_depot(world):
    staff = world.users["depot_staff"]
    with pytest.raises(Forbidden):
        distribution_create(
            actor=staff,
            vehicle=world.vehicle,
            items=[{"depot": world.depot2, "cylinder_type": world.gas, "quantity": 1, "movement_type": "COLLECTION"}],
        )
    ok = distribution_create(
        actor=staff,
        vehicle=world.vehicle,
        items=[{"depot": world.depot, "cylinder_type": world.gas, "quantity": 1, "movement_type": "COLLECTION"}],
    )
    assert ok.number


def test_reversal_compensates_and_links(world):
    header = distribution_create(
        actor=world.users["driver"],
        vehicle=world.vehicle,
        items=[{"depot": world.depot, "cylinder_type": world.gas, "quantity": 7, "movement_type": "COLLECTION"}],
    )
    before_moves = list(
        StockMove.objects.filter(document_id=header.pk, document_type="distribution.distributionheader").values()
    )
    reversed_header = distribution_reverse(
        actor=world.users["supervisor"], header=header, reason="loaded onto wrong truck"
    )
    assert reversed_header.status == "reversed"
    assert StockBalance.objects.get(location__depot=world.depot, cylinder_type=world.gas).full_qty == 100
    assert StockBalance.objects.get(location__vehicle=world.vehicle, cylinder_type=world.gas).full_qty == 0
    original = StockMove.objects.get(pk=before_moves[0]["id"])
    compensating = original.reversed_by
    assert (compensating.from_location_id, compensating.to_location_id) == (
        original.to_location_id,
        original.from_location_id,
    )
    # the original row is untouched
    assert list(StockMove.objects.filter(pk=original.pk).values()) == before_moves
    doc = StockDocument.objects.get(kind=StockDocumentKind.REVERSAL)
    assert doc.number.startswith("REV-") and doc.reverses_document_id == header.pk
    with pytest.raises(ValidationFailed):
        distribution_reverse(actor=world.users["supervisor"], header=header, reason="again")
    assert balance_drift() == []


def test_reversal_refused_when_stock_has_moved_on(world):
    header = distribution_create(
        actor=world.users["driver"],
        vehicle=world.vehicle,
        items=[{"depot": world.depot, "cylinder_type": world.gas, "quantity": 7, "movement_type": "COLLECTION"}],
    )
    truck = location_for_vehicle(world.vehicle)
    post(world, MovementType.DELIVERY, FULL, 5, truck, location_for_customer(world.customers[0]))
    with pytest.raises(InsufficientStock):
        distribution_reverse(actor=world.users["supervisor"], header=header, reason="oops")
    assert DistributionHeader.objects.get(pk=header.pk).status == "confirmed"


def test_only_supervisor_reverses(world):
    doc = StockDocument.objects.filter(kind=StockDocumentKind.RECEIPT).first()
    with pytest.raises(Forbidden):
        stock_document_reverse(
            actor=world.users["depot_staff"], document_type="inventory.stockdocument", document_id=doc.pk, reason="x"
        )


def test_adjustment_and_write_off_need_supervisor_and_reason(world):
    truck = location_for_vehicle(world.vehicle)
    line = [{"cylinder_type": world.gas, "state": FULL, "quantity": 3}]
    with pytest.raises(ValidationFailed):
        stock_document_create(
            actor=world.users["supervisor"], kind=StockDocumentKind.ADJUSTMENT, location=truck, lines=line, reason=" "
        )
    with pytest.raises(Forbidden):
        stock_document_create(
            actor=world.users["depot_staff"],
            kind=StockDocumentKind.ADJUSTMENT,
            location=truck,
            lines=line,
            reason="found",
        )
    found = stock_document_create(
        actor=world.users["supervisor"],
        kind=StockDocumentKind.ADJUSTMENT,
        location=truck,
        lines=line,
        reason="found on truck",
    )
    assert found.number.startswith("ADJ-")
    lost = stock_document_create(
        actor=world.users["supervisor"],
        kind=StockDocumentKind.ADJUSTMENT,
        location=truck,
        lines=[{"cylinder_type": world.gas, "state": FULL, "quantity": -1}],
        reason="miscount",
    )
    assert lost.number.startswith("ADJ-")
    stock_document_create(
        actor=world.users["supervisor"],
        kind=StockDocumentKind.WRITE_OFF,
        location=truck,
        lines=[{"cylinder_type": world.gas, "state": FULL, "quantity": 2}],
        reason="condemned: dented valve",
    )
    assert StockBalance.objects.get(location=truck, cylinder_type=world.gas).full_qty == 0
    with pytest.raises(InsufficientStock):
        stock_document_create(
            actor=world.users["supervisor"],
            kind=StockDocumentKind.WRITE_OFF,
            location=truck,
            lines=[{"cylinder_type": world.gas, "state": FULL, "quantity": 1}],
            reason="lost",
        )
    assert virtual_location(LocationKind.WRITE_OFF).balances.get(cylinder_type=world.gas).full_qty == 2


def test_transfer_receipt_dump(world):
    staff = world.users["depot_staff"]
    stock_document_create(
        actor=staff,
        kind=StockDocumentKind.TRANSFER,
        depot=world.depot,
        to_depot=world.depot2,
        lines=[{"cylinder_type": world.gas, "state": FULL, "quantity": 30}],
    )
    assert StockBalance.objects.get(location__depot=world.depot2, cylinder_type=world.gas).full_qty == 130
    with pytest.raises(Forbidden):  # from another depot
        stock_document_create(
            actor=staff,
            kind=StockDocumentKind.RECEIPT,
            depot=world.depot2,
            lines=[{"cylinder_type": world.gas, "quantity": 1}],
        )
    with pytest.raises(InsufficientStock):  # no empties at the depot yet
        stock_document_create(
            actor=staff,
            kind=StockDocumentKind.DUMP,
            depot=world.depot,
            lines=[{"cylinder_type": world.gas, "quantity": 1}],
        )
    with pytest.raises(ValidationFailed):  # a receipt brings fulls only
        stock_document_create(
            actor=staff,
            kind=StockDocumentKind.RECEIPT,
            depot=world.depot,
            lines=[{"cylinder_type": world.gas, "state": EMPTY, "quantity": 1}],
        )


def test_depot_staff_transfer_counts_the_sending_depot_only(world):
    """Issue 17: Tuas staff recorded a transfer out of Senoko into Tuas. The
    sending depot must be the staff's own; receiving does not count."""
    staff = world.users["depot_staff"]  # at world.depot
    before = snapshot(), StockDocument.objects.count(), AuditLog.objects.count()
    for kind, where in (
        (StockDocumentKind.TRANSFER, {"depot": world.depot2, "to_depot": world.depot}),
        (StockDocumentKind.RECEIPT, {"depot": world.depot2}),
        (StockDocumentKind.DUMP, {"depot": world.depot2}),
    ):
        with pytest.raises(Forbidden) as info:
            stock_document_create(
                actor=staff, kind=kind, lines=[{"cylinder_type": world.gas, "state": FULL, "quantity": 7}], **where
            )
        assert info.value.code == "depot_scope" and info.value.status_code == 403
    assert (snapshot(), StockDocument.objects.count(), AuditLog.objects.count()) == before
    staff.depot = None  # depot staff without a depot write nowhere
    with pytest.raises(Forbidden):
        stock_document_create(
            actor=staff, kind=StockDocumentKind.RECEIPT, depot=world.depot,
            lines=[{"cylinder_type": world.gas, "quantity": 7}],
        )  # fmt: skip


def test_moves_are_immutable(world):
    move = StockMove.objects.first()
    move.quantity = 999
    with pytest.raises(ImmutableError):
        move.save()
    with pytest.raises(ImmutableError):
        move.delete()
    with pytest.raises(ImmutableError):
        StockMove.objects.filter(pk=move.pk).update(quantity=1)
    with pytest.raises(ImmutableError):
        StockMove.objects.all().delete()


def test_database_refuses_negative_real_balance(world):
    """The CHECK constraint is the last line of defence behind the service."""
    row = StockBalance.objects.filter(location_is_virtual=False).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(pk=row.pk).update(full_qty=-1)


def test_reconcile_command_reports_drift(world, capsys):
    call_command("reconcile_inventory")
    assert "No drift" in capsys.readouterr().out
    row = StockBalance.objects.get(location__depot=world.depot, cylinder_type=world.gas)
    StockBalance.objects.filter(pk=row.pk).update(full_qty=row.full_qty + 3)  # simulate corruption
    with pytest.raises(CommandError):
        call_command("reconcile_inventory")
    out = capsys.readouterr().out
    assert f"location {row.location_id}" in out and "difference +3" in out
