"""Property: any sequence of valid and invalid documents keeps every balance
equal to the sum of its ledger and never below zero at a real location."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.exceptions import ApplicationError
from apps.core.testing.world import build_world
from apps.distribution.services import distribution_create
from apps.inventory.enums import CylinderState, StockDocumentKind
from apps.inventory.locations import location_for_vehicle
from apps.inventory.models import StockBalance
from apps.inventory.selectors import balance_drift
from apps.inventory.services import stock_document_create

DIST_MOVES = ["COLLECTION", "EMPTY_RETURN", "FULL_RETURN"]

item = st.fixed_dictionaries(
    {
        "depot": st.integers(0, 1),
        "type": st.integers(0, 2),
        "quantity": st.integers(1, 60),
        "movement": st.sampled_from(DIST_MOVES),
    }
)
document = st.one_of(
    st.tuples(st.just("distribution"), st.integers(0, 1), st.lists(item, min_size=1, max_size=4)),
    st.tuples(
        st.just("adjustment"),
        st.integers(0, 1),
        st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(["FULL", "EMPTY"]), st.integers(-30, 30).filter(bool)),
            min_size=1,
            max_size=3,
        ),
    ),
    st.tuples(
        st.just("receipt"),
        st.integers(0, 1),
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 40)), min_size=1, max_size=3),
    ),
    st.tuples(
        st.just("dump"),
        st.integers(0, 1),
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 40)), min_size=1, max_size=3),
    ),
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(documents=st.lists(document, min_size=1, max_size=12))
def test_ledger_and_balances_always_agree(django_db_blocker, documents):
    from django.db import transaction

    with transaction.atomic():  # each example starts from the same world and leaves nothing
        world = build_world(stock=50)
        supervisor = world.users["supervisor"]
        depots, vehicles = [world.depot, world.depot2], [world.vehicle, world.vehicle2]
        accepted = refused = 0
        for kind, which, lines in documents:
            try:
                with transaction.atomic():
                    if kind == "distribution":
                        distribution_create(
                            actor=supervisor,
                            vehicle=vehicles[which],
                            items=[
                                {
                                    "depot": depots[i["depot"]],
                                    "cylinder_type": world.types[i["type"]],
                                    "quantity": i["quantity"],
                                    "movement_type": i["movement"],
                                }
                                for i in lines
                            ],
                        )
                    elif kind == "adjustment":
                        stock_document_create(
                            actor=supervisor,
                            kind=StockDocumentKind.ADJUSTMENT,
                            location=location_for_vehicle(vehicles[which]),
                            reason="count",
                            lines=[{"cylinder_type": world.types[t], "state": s, "quantity": q} for t, s, q in lines],
                        )
                    else:
                        stock_document_create(
                            actor=supervisor,
                            kind=StockDocumentKind.RECEIPT if kind == "receipt" else StockDocumentKind.DUMP,
                            depot=depots[which],
                            lines=[{"cylinder_type": world.types[t], "quantity": q} for t, q in lines],
                        )
                accepted += 1
            except ApplicationError:
                refused += 1
            assert balance_drift() == []
            assert not StockBalance.objects.filter(location_is_virtual=False, full_qty__lt=0).exists()
            assert not StockBalance.objects.filter(location_is_virtual=False, empty_qty__lt=0).exists()
        assert accepted + refused == len(documents)
        transaction.set_rollback(True)


def test_states_cover_the_enum():
    assert {s.value for s in CylinderState} == {"FULL", "EMPTY"}
