"""The customer's column of the roles table (docs/roles.md, section
"Customer"), walked over the same endpoints and objects as
test_roles_table.py by a contact of ``world.customers[0]``: every office
endpoint is 403 (the contact's token is fenced to /api/customer/), its own
records answer, another customer's are 404."""

import pytest

from apps.accounts.tests.test_roles_table import DOC, TABLE, call, objects, outcome, world  # noqa: F401
from apps.core.testing.world import api_client_for
from apps.portal.tests.helpers import make_contact

# What a contact may call outside /api/customer/: its own session.
SELF_SERVICE = {("GET", "/api/me/"), ("POST", "/api/me/password/"), ("POST", "/api/auth/logout/")}


def _doc_marks() -> dict[str, str]:
    marks, inside = {}, False
    for line in DOC.read_text().splitlines():
        if line.startswith("## Customer"):
            inside = True
        elif line.startswith("## "):
            inside = False
        elif inside and line.startswith("| `"):
            cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
            marks[f"{cells[0]} {cells[1]}"] = cells[2]
    return marks


DOC_MARKS = _doc_marks()


@pytest.fixture(scope="module")
def contact(module_world, objects, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        return make_contact(module_world, module_world.customers[0], "roles-walk@example.com")


@pytest.mark.django_db
@pytest.mark.parametrize("row", TABLE, ids=str)
def test_customer_column(row, world, objects, contact):  # noqa: F811
    response = call(api_client_for(contact), row, objects)
    assert response.status_code < 500, response.content[:300]
    got = outcome(response)[0]
    assert got == DOC_MARKS[str(row)], f"{row}: docs/roles.md says {DOC_MARKS[str(row)]}, got {got}"
    if not row.path.startswith("/api/customer/") and (row.method, row.path) not in SELF_SERVICE:
        assert got == "-", f"{row}: a contact must not reach an office endpoint"


def test_every_endpoint_has_a_customer_line():
    missing = [str(row) for row in TABLE if str(row) not in DOC_MARKS]
    assert not missing, f"docs/roles.md, section Customer, lacks: {missing}"
