"""The auditor's column of the roles table (docs/roles.md, section "Auditor"),
walked over the same endpoints and objects as test_roles_table.py. The
auditor never writes: every business write is refused (403) before any
object is looked up. Every read answers, single records included (the
selectors count the auditor among their read-all roles)."""

import pytest

from apps.accounts.tests.test_roles_table import DOC, TABLE, call, objects, outcome, world  # noqa: F401
from apps.core.testing.world import api_client_for

# Writes an auditor may make: its own password, its own sign-out; device
# registration and /api/sync/ are IsAuthenticated views of apps.sync (see docs).
SELF_SERVICE = {("POST", "/api/me/password/"), ("POST", "/api/auth/logout/"), ("POST", "/api/devices/"),
                ("POST", "/api/sync/")}  # fmt: skip


def _doc_marks() -> dict[str, str]:
    marks, inside = {}, False
    for line in DOC.read_text().splitlines():
        if line.startswith("## Auditor"):
            inside = True
        elif line.startswith("## "):
            inside = False
        elif inside and line.startswith("| `"):
            cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
            marks[f"{cells[0]} {cells[1]}"] = cells[2]
    return marks


DOC_MARKS = _doc_marks()


@pytest.mark.django_db
@pytest.mark.parametrize("row", TABLE, ids=str)
def test_auditor_reads_and_never_writes(row, world, objects):  # noqa: F811
    response = call(api_client_for(world.users["auditor"]), row, objects)
    assert response.status_code < 500
    got = outcome(response)[0]
    assert got == DOC_MARKS[str(row)], f"{row}: docs/roles.md says {DOC_MARKS[str(row)]}, got {got}"
    if row.method != "GET" and (row.method, row.path) not in SELF_SERVICE:
        assert got == "-"
    if row.method == "GET" and not row.path.startswith(
        "/api/customer/"
    ):  # read-only everything: no record is hidden from the auditor
        assert got == "y", f"{row}: the auditor reads every record, got {got}"


@pytest.mark.django_db
def test_auditor_lists_are_unscoped(world, objects):  # noqa: F811
    """The auditor's lists hold every row the admin's do (nothing scoped away)."""
    admin, auditor = api_client_for(world.users["admin"]), api_client_for(world.users["auditor"])
    for path in ("/api/invoices/", "/api/credit-notes/", "/api/distributions/", "/api/deliveries/",
                 "/api/stock/moves/", "/api/stock/documents/", "/api/orders/", "/api/customers/",
                 "/api/vehicles/", "/api/day-end/counts/", "/api/devices/", "/api/sync/rejected/"):  # fmt: skip
        seen = [api_count(client.get(path)) for client in (admin, auditor)]
        assert seen[0] == seen[1], f"{path}: admin sees {seen[0]}, auditor {seen[1]}"
        assert seen[0] > 0 or path in ("/api/sync/rejected/",), f"{path}: nothing to compare"


def api_count(response) -> int:
    assert response.status_code == 200, response.content[:200]
    body = response.json()
    return body["count"] if isinstance(body, dict) and "count" in body else len(body)


def test_every_endpoint_has_an_auditor_line():
    missing = [str(row) for row in TABLE if str(row) not in DOC_MARKS]
    assert not missing, f"docs/roles.md, section Auditor, lacks: {missing}"
    writes = [k for k, v in DOC_MARKS.items() if not k.startswith("GET ") and v != "-"]
    assert sorted(writes) == sorted(f"{m} {p}" for m, p in SELF_SERVICE)


@pytest.mark.django_db
def test_auditor_never_gets_the_admin_change_forms(world):  # noqa: F811
    from django.test import Client

    from apps.billing.tests.helpers import deliver, load_vehicle

    load_vehicle(world)
    invoice = deliver(world).invoice
    client = Client()
    client.force_login(world.users["auditor"])
    for url in (f"/admin/billing/invoice/{invoice.pk}/change/", "/admin/accounts/user/add/",
                "/admin/billing/invoice/add/"):  # fmt: skip
        page = client.get(url)
        assert page.status_code in (302, 403) or not page.context["has_change_permission"], url
    assert client.post(f"/admin/billing/invoice/{invoice.pk}/change/", {"total": "0.00"}).status_code in (302, 403)
