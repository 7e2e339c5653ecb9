"""Orders in bulk (issue 22): a day's orders from a CSV file, all or nothing,
through the ``orders.import`` command (API and admin)."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.audit.models import AuditLog
from apps.customers.enums import CustomerKind
from apps.orders.enums import OrdersAuditAction, OrderSource, OrderStatus
from apps.orders.imports import MAX_ROWS, ImportInvalid
from apps.orders.models import Order, OrderLine
from apps.orders.services import orders_import

pytestmark = pytest.mark.django_db

URL = "/api/orders/import/"
DAY = date(2026, 12, 7)
HEADER = "customer_code,cylinder_sku,quantity,window_start,window_end,urgent,notes"


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def good_csv(world) -> str:
    a, b = world.customers[0].code, world.customers[1].code
    gas, big = world.gas.sku, world.types[2].sku
    return csv_of(
        f"{a},{gas},3,08:00,12:00,yes,Back door",
        f"{a},{big},1,08:00,12:00,,",
        f"{b},{gas},2,,,no,",
        f"{a},{gas},1,14:00,16:00,,afternoon drop",  # same customer, another window: another order
    )


def written() -> tuple:
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        AuditLog.objects.filter(action=OrdersAuditAction.ORDERS_IMPORTED).count(),
    )


def post(client, text: str, day: date = DAY, **extra):
    return client.post(URL, {"date": day.isoformat(), "csv": text}, format="json", **extra)


def test_a_good_file_makes_its_orders_with_lines_and_one_audit_row(world, api):
    res = post(api(world.users["supervisor"]), good_csv(world))
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["created"] == 3 and len(body["orders"]) == 3
    orders = list(Order.objects.filter(pk__in=body["orders"]).order_by("id"))
    assert [o.source for o in orders] == [OrderSource.IMPORT] * 3
    assert all(o.scheduled_for == DAY and o.status == OrderStatus.PLANNED for o in orders)
    first, second, third = orders
    assert first.customer == world.customers[0] and first.urgent and first.notes == "Back door"
    assert (first.window_start.isoformat(), first.window_end.isoformat()) == ("08:00:00", "12:00:00")
    assert sorted((x.cylinder_type_id, x.quantity) for x in first.lines.all()) == sorted(
        [(world.gas.pk, 3), (world.types[2].pk, 1)]
    )
    assert second.customer == world.customers[1] and not second.urgent and second.window_start is None
    assert third.customer == world.customers[0] and third.notes == "afternoon drop"
    [audit] = AuditLog.objects.filter(action=OrdersAuditAction.ORDERS_IMPORTED)
    assert audit.after["count"] == 3 and audit.after["rows"] == 4 and len(audit.after["sha256"]) == 64
    assert not AuditLog.objects.filter(action=OrdersAuditAction.ORDER_CREATED).exists()
    # the order API shows the new fields
    shown = api(world.users["supervisor"]).get(f"/api/orders/{first.pk}/").json()
    assert shown["window_start"] == "08:00" and shown["window_end"] == "12:00"
    assert shown["urgent"] is True and shown["source"] == "IMPORT"
    assert shown["pinned_vehicle"] is None and shown["unplanned_reason"] == ""


def test_replay_with_the_same_key_creates_nothing(world, api):
    client, key = api(world.users["supervisor"]), str(uuid.uuid4())
    first = post(client, good_csv(world), HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    before = written()
    again = post(client, good_csv(world), HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and written() == before
    other = post(
        client, good_csv(world) + f"{world.customers[2].code},{world.gas.sku},1,,,,\n", HTTP_IDEMPOTENCY_KEY=key
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert written() == before


def test_the_same_file_for_the_same_day_under_a_new_key_is_409_unless_wanted_twice(world, api):
    client = api(world.users["supervisor"])
    first = post(client, good_csv(world), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert first.status_code == 201
    before = written()
    again = post(client, good_csv(world), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    body = again.json()
    assert again.status_code == 409 and body["code"] == "import_duplicate", body
    assert body["orders"] == first.json()["orders"] and "already imported" in body["detail"]
    assert written() == before
    # the same file for another day, or one row changed, is a new import
    assert post(client, good_csv(world), day=DAY + timedelta(days=1)).status_code == 201
    changed = good_csv(world).replace("Back door", "Front door")
    assert post(client, changed).status_code == 201
    wanted = client.post(URL, {"date": DAY.isoformat(), "csv": good_csv(world), "allow_duplicate": True},
                         format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert wanted.status_code == 201 and wanted.json()["created"] == 3


def bad_cases(world) -> list[tuple[str, str, list[tuple[int | None, str | None]]]]:
    a, gas = world.customers[0].code, world.gas.sku
    ok = f"{a},{gas},1,,,,"
    return [
        ("unknown customer", csv_of(ok, f"NOPE,{gas},1,,,,"), [(3, "customer_code")]),
        ("negative quantity", csv_of(ok, f"{world.customers[1].code},{gas},-2,,,,"), [(3, "quantity")]),
        ("zero quantity", csv_of(f"{a},{gas},0,,,,"), [(2, "quantity")]),
        ("text quantity", csv_of(f"{a},{gas},three,,,,"), [(2, "quantity")]),
        ("window closes before it opens", csv_of(f"{a},{gas},1,12:00,09:00,,"), [(2, "window_end")]),
        ("bad time", csv_of(f"{a},{gas},1,25:00,,,"), [(2, "window_start")]),
        ("unknown sku", csv_of(f"{a},NOPE,1,,,,"), [(2, "cylinder_sku")]),
        ("duplicate type", csv_of(ok, f"{a},{gas},2,,,,"), [(3, "cylinder_sku")]),
        ("bad urgent", csv_of(f"{a},{gas},1,,,maybe,"), [(2, "urgent")]),
        ("wrong header", csv_of(ok, header="customer,sku,qty"), [(1, "customer_code"), (1, "cylinder_sku"),
                                                                  (1, "quantity"), (1, "customer"), (1, "qty"),
                                                                  (1, "sku")]),
        ("no rows", csv_of(), [(None, None)]),
        ("several problems, each reported", csv_of(f"NOPE,{gas},-1,,,,", ok, f"{a},XX,1,10:00,09:00,,"),
         [(2, "customer_code"), (2, "quantity"), (4, "cylinder_sku"), (4, "window_end")]),
    ]  # fmt: skip


CASES = [
    "unknown customer", "negative quantity", "zero quantity", "text quantity", "window closes before it opens",
    "bad time", "unknown sku", "duplicate type", "bad urgent", "wrong header", "no rows",
    "several problems, each reported",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_is_400_with_every_row_error_and_writes_nothing(world, api, case):
    [(_, text, expected)] = [c for c in bad_cases(world) if c[0] == case]
    before = written()
    res = post(api(world.users["supervisor"]), text)
    assert res.status_code == 400, res.content
    body = res.json()
    assert body["code"] == "import_invalid" and "nothing was imported" in body["detail"]
    got = sorted({(e["row"], e["column"]) for e in body["fields"]["rows"]}, key=str)
    assert got == sorted(set(expected), key=str)
    assert all(e["message"] for e in body["fields"]["rows"])
    assert written() == before


def test_inactive_customer_and_type_and_household_hours(world, api):
    inactive = world.customers[1]
    inactive.is_active = False
    inactive.save()
    old = world.types[1]
    old.is_active = False
    old.save()
    home = world.customers[2]
    home.kind = CustomerKind.HOUSEHOLD
    home.save()
    text = csv_of(
        f"{inactive.code},{world.gas.sku},1,,,,",
        f"{world.customers[0].code},{old.sku},1,,,,",
        f"{home.code},{world.gas.sku},1,06:00,09:00,,",
        f"{home.code},{world.gas.sku},1,20:00,22:00,,",
        f"{home.code},{world.types[2].sku},1,07:00,21:00,,",  # the whole household day is fine
    )
    before = written()
    res = post(api(world.users["admin"]), text)
    assert res.status_code == 400
    got = [(e["row"], e["column"]) for e in res.json()["fields"]["rows"]]
    assert got == [(2, "customer_code"), (3, "cylinder_sku"), (4, "window_start"), (5, "window_end")]
    assert written() == before


def test_limits_and_encoding(world, api):
    client = api(world.users["supervisor"])
    row = f"{world.customers[0].code},{world.gas.sku},1,,,,"
    too_many = csv_of(*[row] * (MAX_ROWS + 1))
    res = post(client, too_many)
    assert res.status_code == 400 and res.json()["code"] == "import_invalid"
    assert "2,000" in res.json()["fields"]["rows"][0]["message"]
    # over the size limit: refused by the input (1 MB of text)
    res = post(client, csv_of(row) + "#" * 1_000_001)
    assert res.status_code == 400 and res.json()["code"] == "invalid" and "csv" in res.json()["fields"]
    with pytest.raises(ImportInvalid) as refused:
        from apps.orders.imports import csv_text

        csv_text("customer_code\n\xe9".encode("latin-1"))
    assert "UTF-8" in refused.value.errors[0].message
    # a byte-order mark and Windows line ends are fine
    res = post(client, "\ufeff" + good_csv(world).replace("\n", "\r\n"))
    assert res.status_code == 201, res.content
    assert Order.objects.count() == 3


@pytest.mark.parametrize("role", ["driver", "finance", "depot_staff", "auditor"])
def test_only_dispatchers_import(world, api, role):
    res = post(api(world.users[role]), good_csv(world))
    assert res.status_code == 403 and res.json()["code"] == "permission_denied"
    assert written() == (0, 0, 0)


def test_the_service_takes_rows_as_dicts(world):
    rows = [
        {"customer_code": world.customers[0].code, "cylinder_sku": world.gas.sku, "quantity": 2},
        {"customer_code": world.customers[0].code, "cylinder_sku": world.types[1].sku, "quantity": "1"},
    ]
    result = orders_import(actor=world.users["supervisor"], day=DAY, rows=rows)
    assert result.created == 1 and Order.objects.get().lines.count() == 2


# -- the admin page ---------------------------------------------------------------------


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_page_shows_every_problem_then_imports(world):
    client = admin_client(world.users["supervisor"])
    url = "/admin/orders/order/import/"
    assert "Import orders (CSV)" in client.get("/admin/orders/order/").content.decode()
    page = client.get(url)
    assert page.status_code == 200
    key = str(page.context["form"].initial["idempotency_key"])
    bad = csv_of(f"NOPE,{world.gas.sku},-1,,,,").encode()
    res = client.post(url, {"date": DAY.isoformat(), "idempotency_key": key,
                            "file": SimpleUploadedFile("day.csv", bad, "text/csv")})  # fmt: skip
    assert res.status_code == 200
    assert [(e.row, e.column) for e in res.context["row_errors"]] == [(2, "customer_code"), (2, "quantity")]
    assert "Nothing was imported" in res.content.decode()
    assert written() == (0, 0, 0)
    not_utf8 = SimpleUploadedFile("day.csv", "customer_code\n\xe9".encode("latin-1"), "text/csv")
    res = client.post(url, {"date": DAY.isoformat(), "idempotency_key": key, "file": not_utf8})
    assert "UTF-8" in res.context["row_errors"][0].message
    # the same form (same key) with the file corrected
    good = SimpleUploadedFile("day.csv", good_csv(world).encode(), "text/csv")
    res = client.post(url, {"date": DAY.isoformat(), "idempotency_key": key, "file": good})
    assert res.status_code == 302, res.context and res.context["form"].errors
    assert Order.objects.filter(source=OrderSource.IMPORT).count() == 3
    # a double submit of that form is the same import
    again = SimpleUploadedFile("day.csv", good_csv(world).encode(), "text/csv")
    client.post(url, {"date": DAY.isoformat(), "idempotency_key": key, "file": again})
    assert Order.objects.count() == 3
    # the same file in a new form: refused on the page, then imported when ticked
    new_key = str(client.get(url).context["form"].initial["idempotency_key"])
    page = {"date": DAY.isoformat(), "idempotency_key": new_key}
    res = client.post(url, {**page, "file": SimpleUploadedFile("day.csv", good_csv(world).encode(), "text/csv")})
    assert res.status_code == 200 and "already imported" in res.content.decode()
    assert Order.objects.count() == 3
    res = client.post(url, {**page, "allow_duplicate": "on",
                            "file": SimpleUploadedFile("day.csv", good_csv(world).encode(), "text/csv")})  # fmt: skip
    assert res.status_code == 302 and Order.objects.count() == 6


@pytest.mark.parametrize("role", ["depot_staff", "finance"])
def test_the_admin_page_is_for_dispatchers(world, role):
    client = admin_client(world.users[role])
    assert client.get("/admin/orders/order/import/").status_code == 403


# -- property: a file with bad rows writes nothing and names every bad row --------------

BAD_CELLS = {
    "customer_code": ["NOPE", ""],
    "quantity": ["-1", "0", "x", "1.5", ""],
    "window_end": ["06:00"],  # before the window_start of every generated row (07:00)
    "cylinder_sku": ["NOSUCH"],
    "urgent": ["perhaps"],
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(1, 50),
                  st.one_of(st.none(), st.sampled_from(sorted(BAD_CELLS))), st.integers(0, 4)),
        min_size=1, max_size=25,
    )
)  # fmt: skip
def test_property_bad_rows_write_nothing_and_are_all_reported(world, plan):
    if all(bad is None for *_, bad, _ in plan):
        plan = [*plan[:-1], (*plan[-1][:3], "quantity", 0)]
    lines, bad_rows = [], set()
    for n, (who, kind, qty, bad, pick) in enumerate(plan, start=2):
        # the row number as a window, so no two rows ever share an order (no duplicate types)
        cells = {
            "customer_code": world.customers[who].code,
            "cylinder_sku": world.types[kind].sku,
            "quantity": str(qty),
            "window_start": "07:00",
            "window_end": f"{8 + n // 60:02d}:{n % 60:02d}",
            "urgent": "",
            "notes": "",
        }
        if bad is not None:
            options = BAD_CELLS[bad]
            cells[bad] = options[pick % len(options)]
            bad_rows.add(n)
        lines.append(",".join(cells[c] for c in HEADER.split(",")))
    before = written()
    with pytest.raises(ImportInvalid) as refused:
        orders_import(actor=world.users["supervisor"], day=DAY + timedelta(days=1), rows=csv_of(*lines))
    assert {e.row for e in refused.value.errors} == bad_rows
    assert written() == before


def test_a_row_with_too_many_cells_is_one_row_error_among_the_others(world):
    a, gas = world.customers[0].code, world.gas.sku
    text = csv_of(f"{a},{gas},1,,,,,extra", f"{a},{gas},0,,,,")
    with pytest.raises(ImportInvalid) as refused:
        orders_import(actor=world.users["supervisor"], day=DAY, rows=text)
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, None), (3, "quantity")]
