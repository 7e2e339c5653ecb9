"""The auditor's column of the roles table (docs/roles.md, section "Auditor"),
walked over the same endpoints and objects as test_roles_table.py. The
auditor never writes: every business write is refused (403) before any
object is looked up. Reads go as far as each app's selectors let them."""

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
