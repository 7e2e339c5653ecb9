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
