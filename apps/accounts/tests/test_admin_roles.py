"""Every admin page is restricted by role (apps/core/admin.py)."""

import pytest
from django.contrib import admin
from django.test import Client

from apps.core.admin import RolePolicyMixin


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_registered_model_admin_is_wrapped():
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, RolePolicyMixin), model


@pytest.mark.django_db
def test_a_driver_with_is_staff_sees_nothing(world):
    driver = world.users["driver"]
    driver.is_staff = True
    driver.save()
    client = admin_client(driver)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert index.context["app_list"] == []
    for url in ("/admin/inventory/stockbalance/", "/admin/audit/auditlog/", "/admin/billing/invoice/",
                "/admin/accounts/user/", "/admin/inventory/stockbalance/overview/"):  # fmt: skip
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_finance_sees_billing_read_only_and_no_users(world):
    from apps.billing.models import Invoice
    from apps.billing.tests.helpers import deliver, load_vehicle

    load_vehicle(world)
    invoice = deliver(world).invoice
    client = admin_client(world.users["finance"])
    assert client.get("/admin/billing/invoice/").status_code == 200
    page = client.get(f"/admin/billing/invoice/{invoice.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(f"/admin/billing/invoice/{invoice.pk}/change/", {"total": "0.00"}).status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/audit/auditlog/").status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).total == invoice.total


@pytest.mark.django_db
def test_depot_staff_see_their_depots_stock_only(world):
    client = admin_client(world.users["depot_staff"])
    page = client.get("/admin/inventory/stockbalance/")
    assert page.status_code == 200
    locations = {row.location for row in page.context["cl"].queryset}
    assert locations and all(loc.depot_id == world.depot.pk or loc.vehicle_id for loc in locations)
    assert world.depot2.location not in locations
    assert client.get("/admin/accounts/user/").status_code == 403


@pytest.mark.django_db
def test_audit_log_is_browsable_filterable_never_editable_and_shows_the_chain(world):
    for role in ("admin", "supervisor"):
        client = admin_client(world.users[role])
        page = client.get("/admin/audit/auditlog/?action=stock.posted&created_at__gte=2000-01-01")
        assert page.status_code == 200
        assert any("Audit chain intact" in str(m) for m in page.context["messages"])
        row = page.context["cl"].queryset.first()
        detail = client.get(f"/admin/audit/auditlog/{row.pk}/change/")
        assert detail.status_code == 200 and not detail.context["has_change_permission"]
        assert client.post(f"/admin/audit/auditlog/{row.pk}/delete/").status_code == 403
        assert client.get("/admin/audit/auditlog/add/").status_code == 403


def _doc_admin_table() -> dict[str, dict[str, str]]:
    """docs/roles.md, section "Django admin": model -> {role: view | change}."""
    from pathlib import Path

    table, inside = {}, False
    for line in (Path(__file__).resolve().parents[3] / "docs" / "roles.md").read_text().splitlines():
        if line.startswith("## "):
            inside = line.startswith("## Django admin")
        elif inside and line.startswith("| `"):
            model, who = (c.strip().strip("`") for c in line.strip("|").split("|")[:2])
            table[model] = dict(part.split(": ") for part in who.split(", ")) if who else {}
    return table


DOC_ADMIN = _doc_admin_table()


def test_the_admin_policy_is_the_table_in_the_docs():
    from apps.core.admin import ADMIN_POLICY

    policy = {model: {str(role): level for role, level in rules.items()} for model, rules in ADMIN_POLICY.items()}
    assert policy == DOC_ADMIN


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["supervisor", "depot_staff", "finance", "auditor"])
def test_every_admin_list_answers_as_the_table_says(role, world):
    """Walks every registered ModelAdmin's list page: 200 where the table
    grants the role a level, 403 everywhere else; the index lists exactly
    the apps the role may open."""
    from django.urls import reverse

    client = admin_client(world.users[role])
    allowed_apps = set()
    for model in admin.site._registry:
        label = model._meta.label_lower
        rules = DOC_ADMIN.get(label, DOC_ADMIN.get(f"{model._meta.app_label}.*", {}))
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        status = client.get(url).status_code
        assert status == (200 if role in rules else 403), f"{role} {label}: {status}"
        if role in rules:
            allowed_apps.add(model._meta.app_label)
    index = client.get("/admin/")
    assert {app["app_label"] for app in index.context["app_list"]} == allowed_apps
    if role == "finance":  # issue 11: billing, customers and the finance back office only; issue 24: e-invoices
        assert allowed_apps == {"billing", "customers", "finance", "einvoice"}
