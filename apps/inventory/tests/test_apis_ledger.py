"""The ledger list (/api/stock/moves/): cursor pages, newest first, no count,
nothing shown twice or skipped while rows are added between pages; the
location filter uses the (location, id) indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.inventory.enums import StockDocumentKind
from apps.inventory.locations import location_for_depot
from apps.inventory.services import StockDocumentLine, stock_document_create

pytestmark = pytest.mark.django_db


def _receive(world, quantity: int, depot=None):
    return stock_document_create(
        actor=world.users["admin"],
        kind=StockDocumentKind.RECEIPT,
        depot=depot or world.depot,
        lines=[StockDocumentLine(world.types[1], quantity)],
    )


def test_cursor_pages_cover_the_ledger_once_newest_first(world, api):
    for qty in (7, 13, 1, 9, 4, 11, 3):
        _receive(world, qty)
    client = api(world.users["supervisor"])
    first = client.get("/api/stock/moves/", {"page_size": 4}).json()
    assert set(first) == {"next", "previous", "results"}
    ids = [row["id"] for row in first["results"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 4
    # rows added after the first page do not shift the later pages
    _receive(world, 17)
    url, seen = first["next"], list(ids)
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    from apps.inventory.models import StockMove

    before_new = sorted(StockMove.objects.filter(id__lte=ids[0]).values_list("id", flat=True), reverse=True)
    assert seen == before_new  # each once, in order, none skipped


def test_location_filter_and_bad_cursor(world, api):
    _receive(world, 5, depot=world.depot2)
    client = api(world.users["admin"])
    depot2 = location_for_depot(world.depot2).pk
    rows = client.get("/api/stock/moves/", {"location": depot2}).json()["results"]
    assert rows and all(depot2 in (r["from_location"], r["to_location"]) for r in rows)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/stock/moves/", {"location": depot2, "page_size": 1}).status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    bad = client.get("/api/stock/moves/", {"cursor": "not-a-cursor"})
    assert bad.status_code == 404 and bad.json()["code"] == "not_found"


def test_stock_list_rows_are_the_serializers(world, api):
    from apps.inventory.selectors import stock_balance_list
    from apps.inventory.serializers import StockBalanceSerializer

    _receive(world, 7)
    admin = world.users["admin"]
    rows = api(admin).get("/api/stock/").json()
    expected = StockBalanceSerializer(stock_balance_list(user=admin), many=True).data
    assert rows == [dict(r) for r in expected] and len(rows) >= 6


def test_a_locations_pages_merge_its_moves_out_and_in(world, api):
    """?location=<truck>: moves onto the truck and off it, merged newest first
    across pages of 3 (each direction paged along its own index), forward and
    back again, each move once, none missing."""
    from django.db.models import Q

    from apps.distribution.services import DistributionLine, distribution_create
    from apps.inventory.enums import MovementType
    from apps.inventory.locations import location_for_vehicle
    from apps.inventory.models import StockMove

    admin, gas = world.users["admin"], world.types[1]
    C, R = MovementType.COLLECTION, MovementType.FULL_RETURN
    for qty, kind in ((7, C), (3, R), (5, C), (2, R), (4, C), (1, R)):
        distribution_create(actor=admin, vehicle=world.vehicle, items=[DistributionLine(world.depot, gas, qty, kind)])
    _receive(world, 9)  # a move elsewhere, never listed
    truck = location_for_vehicle(world.vehicle).pk
    expected = list(
        StockMove.objects.filter(Q(from_location_id=truck) | Q(to_location_id=truck))
        .order_by("-id")
        .values_list("id", flat=True)
    )
    client = api(world.users["supervisor"])
    url, pages, seen = f"/api/stock/moves/?location={truck}&page_size=3", [], []
    while url:
        body = client.get(url).json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected and len(expected) == 6 and len(pages) == 2
    back = client.get(pages[-1]["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[:3]
