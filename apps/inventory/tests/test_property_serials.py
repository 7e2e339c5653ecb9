"""Property: random sequences of serialised moves (collections, deliveries,
returns of empties, empty and full returns, transfers, reversals), valid or
not, keep every serial in exactly one place: where a simple model of the
accepted documents says, where its last move left it, and as many serials at
each real location and state as the balance there. A document is accepted
exactly when the model says every serial is at its source."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.exceptions import ApplicationError
from apps.core.testing.world import build_world
from apps.deliveries.services import CylinderLine, delivery_create
from apps.depots.models import Equipment
from apps.distribution.services import DistributionLine, distribution_create
from apps.inventory.enums import MovementType, StockDocumentKind
from apps.inventory.locations import location_for_customer, location_for_depot, location_for_vehicle
from apps.inventory.selectors import balance_drift, serial_drift
from apps.inventory.services import StockDocumentLine, stock_document_create, stock_document_reverse
from apps.inventory.tests.serial_helpers import serialised_world

N = 9  # serials, all received FULL at the first depot
# serial picks: indexes into the serials at the move's source (mostly), or into all of them
picks = st.tuples(st.sampled_from([True, True, True, False]), st.lists(st.integers(0, N - 1), min_size=1, max_size=4))
op = st.one_of(
    st.tuples(st.just("collect"), st.integers(0, 1), st.integers(0, 1), picks),
    st.tuples(st.just("empty_return"), st.integers(0, 1), st.integers(0, 1), picks),
    st.tuples(st.just("full_return"), st.integers(0, 1), st.integers(0, 1), picks),
    st.tuples(st.just("deliver"), st.integers(0, 1), st.integers(0, 1), picks, picks),
    st.tuples(st.just("transfer"), st.integers(0, 1), st.sampled_from(["FULL", "EMPTY"]), picks),
    st.tuples(st.just("reverse"), st.integers(0, 20)),
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=st.lists(op, min_size=4, max_size=10))
def test_serials_stay_in_one_place_and_agree_with_the_balances(django_db_blocker, ops):
    from django.db import transaction

    with transaction.atomic():  # each example starts from the same world and leaves nothing
        world = build_world(stock=0)
        kind, serials = serialised_world(world, count=N)
        admin, driver, supervisor = world.users["admin"], world.users["driver"], world.users["supervisor"]
        depots = [world.depot, world.depot2]
        vehicles = [world.vehicle, world.vehicle2]
        D = [location_for_depot(d).pk for d in depots]
        V = [location_for_vehicle(v).pk for v in vehicles]
        C = [location_for_customer(c).pk for c in world.customers[:2]]
        model = dict.fromkeys(serials, (D[0], "FULL"))
        documents: list[tuple[str, int, dict]] = []  # accepted: (type, id, serial -> (start, end))
        reversed_docs: set[tuple[str, int]] = set()
        accepted = refused = 0

        def pick(spec, source) -> list[str]:
            aim, indexes = spec
            pool = [s for s in serials if model[s] == source] if aim else serials
            return list(dict.fromkeys(pool[i % len(pool)] for i in indexes)) if pool else []

        def run(expect_ok: bool, make, effect: dict):
            nonlocal accepted, refused
            try:
                with transaction.atomic():
                    doc = make()
            except ApplicationError as exc:
                assert not expect_ok, f"refused but the model says valid: {exc.code} {exc.extra}"
                assert exc.code in ("serial_not_here", "invalid", "already_reversed"), exc.code
                refused += 1
                return None
            assert expect_ok, "accepted but the model says a serial was not there"
            accepted += 1
            for s, (_, end) in effect.items():
                model[s] = end
            return doc

        for o in ops:
            name = o[0]
            if name == "reverse":
                if not documents:
                    continue
                doc_type, doc_id, effect = documents[o[1] % len(documents)]
                ok = (doc_type, doc_id) not in reversed_docs and all(model[s] == end for s, (_, end) in effect.items())
                undo = {s: (end, start) for s, (start, end) in effect.items()}
                if run(
                    ok,
                    lambda: stock_document_reverse(
                        actor=supervisor, document_type=doc_type, document_id=doc_id, reason="property"
                    ),
                    undo,
                ):
                    reversed_docs.add((doc_type, doc_id))
                continue
            if name in ("collect", "empty_return", "full_return"):
                v, d = o[1], o[2]
                movement, state, src, dst = {
                    "collect": (MovementType.COLLECTION, "FULL", D[d], V[v]),
                    "empty_return": (MovementType.EMPTY_RETURN, "EMPTY", V[v], D[d]),
                    "full_return": (MovementType.FULL_RETURN, "FULL", V[v], D[d]),
                }[name]
                chosen = pick(o[3], (src, state))
                if not chosen:
                    continue
                effect = dict.fromkeys(chosen, ((src, state), (dst, state)))
                ok = all(model[s] == (src, state) for s in chosen)
                doc = run(
                    ok,
                    lambda v=v, d=d, movement=movement, chosen=chosen: distribution_create(
                        actor=admin,
                        vehicle=vehicles[v],
                        items=[DistributionLine(depots[d], kind, len(chosen), movement, tuple(chosen))],
                    ),
                    effect,
                )
                if doc is not None:
                    documents.append(("distribution.distributionheader", doc.pk, effect))
            elif name == "deliver":
                c = o[2]
                delivered = pick(o[3], (V[0], "FULL"))
                returned = [s for s in pick(o[4], (C[c], "FULL")) if s not in delivered]
                if not delivered and not returned:
                    continue
                effect = dict.fromkeys(delivered, ((V[0], "FULL"), (C[c], "FULL")))
                effect |= dict.fromkeys(returned, ((C[c], "FULL"), (V[0], "EMPTY")))
                ok = all(model[s] == start for s, (start, _) in effect.items())
                doc = run(
                    ok,
                    lambda c=c, delivered=delivered, returned=returned: delivery_create(
                        actor=driver,
                        customer=world.customers[c],
                        vehicle=world.vehicle,
                        payment_method="CHEQUE",
                        lines=[
                            CylinderLine(
                                kind,
                                delivered_full=len(delivered),
                                returned_empty=len(returned),
                                delivered_serials=tuple(delivered),
                                returned_serials=tuple(returned),
                            )
                        ],
                    ),
                    effect,
                )
                if doc is not None:
                    documents.append(("distribution.delivery", doc.pk, effect))
            elif name == "transfer":
                d, state = o[1], o[2]
                chosen = pick(o[3], (D[d], state))
                if not chosen:
                    continue
                effect = dict.fromkeys(chosen, ((D[d], state), (D[1 - d], state)))
                ok = all(model[s] == (D[d], state) for s in chosen)
                doc = run(
                    ok,
                    lambda d=d, state=state, chosen=chosen: stock_document_create(
                        actor=admin,
                        kind=StockDocumentKind.TRANSFER,
                        depot=depots[d],
                        to_depot=depots[1 - d],
                        lines=[StockDocumentLine(kind, len(chosen), state=state, serials=tuple(chosen))],
                    ),
                    effect,
                )
                if doc is not None:
                    documents.append(("inventory.stockdocument", doc.pk, effect))

            actual = dict(Equipment.objects.filter(cylinder_type=kind).values_list("serial_number", "location_id"))
            states = dict(Equipment.objects.filter(cylinder_type=kind).values_list("serial_number", "state"))
            assert {s: (actual[s], states[s]) for s in serials} == model
        assert serial_drift() == []
        assert balance_drift() == []
        assert accepted + refused <= len(ops)
        transaction.set_rollback(True)
