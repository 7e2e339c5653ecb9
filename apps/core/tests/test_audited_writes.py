"""Every write of reference data, from the Django admin's own forms or from
the API, goes through one service and leaves exactly one audit row with the
before and after of what changed; a refused or failing save leaves neither a
change nor an audit row; the chain still verifies (issue 16)."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from apps.audit.models import AuditLog
from apps.billing import services as billing
from apps.billing.models import CustomerMeter, CustomerPrice, CylinderTypePrice, GstRate, ServiceItem, ServiceItemPrice
from apps.core.exceptions import ApplicationError
from apps.customers.models import Customer
from apps.depots import services as depots
from apps.depots.models import CylinderType, Depot, Equipment, Vehicle

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _value(value):
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def _form_data(form, data: dict) -> None:
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = _value(value)


def change_form_data(page) -> dict:
    """What a browser would post back unchanged from an admin add/change page."""
    assert page.status_code == 200, page.status_code
    data: dict = {}
    _form_data(page.context["adminform"].form, data)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return data


def admin_post(user, url: str, changes: dict):
    client = admin_client(user)
    data = change_form_data(client.get(url))
    data.update(changes)
    data["_save"] = "Save"
    return client.post(url, data)


def new_rows(since: int):
    return list(AuditLog.objects.filter(pk__gt=since).exclude(action="api.request").order_by("pk"))


def last_id() -> int:
    return AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def chain_verifies() -> None:
    call_command("verify_audit_chain")  # exits non-zero (raises) on any break


# -- the Django admin's change forms ------------------------------------------------


def _customer_price(world):
    return billing.customer_price_create(
        actor=world.users["admin"],
        data={"customer": world.customers[1], "cylinder_type": world.gas, "valid_from": datetime.date(2030, 1, 1),
              "price": Decimal("20.00")},
    )  # fmt: skip


def _list_price(world):
    return billing.cylinder_type_price_create(
        actor=world.users["admin"],
        data={"cylinder_type": world.gas, "valid_from": datetime.date(2030, 1, 1), "price": Decimal("21.00")},
    )


def _meter(world):
    return billing.customer_meter_create(
        actor=world.users["admin"],
        data={"customer": world.customers[2], "serial_number": "M-1", "unit_rate": Decimal("3.1000")},
    )


def _gst(world):
    return billing.gst_rate_create(
        actor=world.users["admin"], data={"valid_from": datetime.date(2031, 1, 1), "rate": Decimal("0.1000")}
    )


def _equipment(world):
    return depots.equipment_create(actor=world.users["admin"], data={"serial_number": "EQ-1", "depot": world.depot})


# (entity label, how to get the row, the form change, the field, its value before -> after as audited)
ADMIN_CHANGES = [
    ("depots.depot", lambda w: w.depot, {"name": "Tuas South"}, "name", "Tuas South"),
    ("depots.vehicle", lambda w: w.vehicle, {"description": "Lorry 7"}, "description", "Lorry 7"),
    ("depots.cylindertype", lambda w: w.gas, {"list_price": "26.50"}, "list_price", "26.50"),
    ("depots.equipment", _equipment, {"status": "RETIRED"}, "status", "RETIRED"),
    ("customers.customer", lambda w: w.customers[0], {"name": "Ah Hock Eating House"}, "name", "Ah Hock Eating House"),
    ("billing.gstrate", _gst, {"rate": "0.0950"}, "rate", "0.0950"),
    ("billing.cylindertypeprice", _list_price, {"price": "22.00"}, "price", "22.00"),
    ("billing.customerprice", _customer_price, {"price": "19.50"}, "price", "19.50"),
    ("billing.customermeter", _meter, {"unit_rate": "3.2500"}, "unit_rate", "3.2500"),
]


@pytest.mark.parametrize(("label", "row", "change", "field", "after"), ADMIN_CHANGES, ids=[c[0] for c in ADMIN_CHANGES])
def test_an_admin_change_form_writes_one_audit_row_with_before_and_after(world, label, row, change, field, after):
    obj = row(world)
    before = getattr(obj, field)
    app, model = label.split(".")
    since = last_id()

    response = admin_post(world.users["admin"], f"/admin/{app}/{model}/{obj.pk}/change/", change)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    rows = new_rows(since)
    assert len(rows) == 1
    (audit,) = rows
    assert audit.entity_type == label and audit.entity_id == str(obj.pk)
    assert audit.user_id == world.users["admin"].pk
    assert audit.action in ("master_data.changed", "price.changed")
    assert audit.before == {field: str(before)} and audit.after == {field: after}
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == after
    chain_verifies()


def test_an_unchanged_save_writes_nothing(world):
    since = last_id()
    response = admin_post(world.users["admin"], f"/admin/depots/depot/{world.depot.pk}/change/", {})
    assert response.status_code == 302 and new_rows(since) == []


def test_an_admin_add_form_writes_one_created_row(world):
    since = last_id()
    response = admin_post(
        world.users["admin"], "/admin/billing/gstrate/add/", {"valid_from": "2032-01-01", "rate": "0.1100"}
    )
    assert response.status_code == 302
    (audit,) = new_rows(since)
    row = GstRate.objects.get(valid_from=datetime.date(2032, 1, 1))
    assert (audit.action, audit.entity_type, audit.entity_id) == ("price.created", "billing.gstrate", str(row.pk))
    assert audit.before is None and audit.after == {"valid_from": "2032-01-01", "rate": "0.1100"}

    since = last_id()
    response = admin_post(
        world.users["admin"], "/admin/depots/depot/add/", {"code": "JRG", "name": "Jurong", "address": "1 Jurong Pier"}
    )
    assert response.status_code == 302
    (audit,) = new_rows(since)
    depot = Depot.objects.get(code="JRG")
    assert (audit.action, audit.entity_id) == ("master_data.created", str(depot.pk))
    assert audit.after["name"] == "Jurong" and audit.after["is_active"] is True
    chain_verifies()


def test_a_service_price_through_the_service_item_inline(world):
    item = ServiceItem.objects.get(code="DELIVERY_FEE")
    url = f"/admin/billing/serviceitem/{item.pk}/change/"
    client = admin_client(world.users["admin"])
    data = change_form_data(client.get(url))
    existing = item.prices.count()
    data[f"prices-{existing}-valid_from"] = "2033-01-01"  # the extra row
    data[f"prices-{existing}-price"] = "6.50"
    data["_save"] = "Save"
    since = last_id()

    assert client.post(url, data).status_code == 302

    (audit,) = new_rows(since)
    price = ServiceItemPrice.objects.get(service_item=item, valid_from=datetime.date(2033, 1, 1))
    assert (audit.action, audit.entity_type, audit.entity_id) == (
        "price.created",
        "billing.serviceitemprice",
        str(price.pk),
    )
    assert audit.after == {"service_item": item.pk, "valid_from": "2033-01-01", "price": "6.50"}

    data = change_form_data(client.get(url))
    position = next(i for i in range(existing + 1) if data[f"prices-{i}-id"] == str(price.pk))
    data[f"prices-{position}-price"] = "7.00"
    data["_save"] = "Save"
    since = last_id()
    assert client.post(url, data).status_code == 302
    (audit,) = new_rows(since)
    assert audit.action == "price.changed" and (audit.before, audit.after) == ({"price": "6.50"}, {"price": "7.00"})
    chain_verifies()


def test_nothing_is_deleted_from_the_admin(world):
    client = admin_client(world.users["admin"])
    gst = GstRate.objects.first()
    urls = [
        f"/admin/depots/depot/{world.depot.pk}/delete/",
        f"/admin/customers/customer/{world.customers[0].pk}/delete/",
        f"/admin/billing/gstrate/{gst.pk}/delete/",
        f"/admin/accounts/user/{world.users['driver'].pk}/delete/",
    ]
    for url in urls:
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    listing = client.post("/admin/depots/depot/", {"action": "delete_selected", "_selected_action": [world.depot.pk]})
    assert Depot.objects.filter(pk=world.depot.pk).exists()
    assert listing.status_code in (200, 302)


def test_a_supervisor_cannot_change_master_data_in_the_admin(world):
    since = last_id()
    response = admin_client(world.users["supervisor"]).post(
        f"/admin/depots/depot/{world.depot.pk}/change/", {"name": "Nope", "code": world.depot.code}
    )
    assert response.status_code == 403 and new_rows(since) == []


def test_a_failing_save_leaves_no_change_and_no_audit_row(world, monkeypatch):
    """The row is written, then the audit append fails: both roll back."""
    import apps.audit.audited

    def broken(**kwargs):
        raise ApplicationError("The audit log is not writable just now.")

    client = admin_client(world.users["admin"])
    url = f"/admin/customers/customer/{world.customers[0].pk}/change/"
    data = change_form_data(client.get(url)) | {"name": "Never Saved", "_save": "Save"}
    since = last_id()
    monkeypatch.setattr(apps.audit.audited, "audit_record", broken)

    response = client.post(url, data)

    assert response.status_code == 302 and response.url == url  # back to the form, with the message
    assert Customer.objects.get(pk=world.customers[0].pk).name != "Never Saved"
    assert new_rows(since) == []
    monkeypatch.undo()
    chain_verifies()


# -- dated rows: an invoiced day is never re-priced ----------------------------------


@pytest.fixture
def invoiced(world):
    from apps.billing.tests.helpers import deliver, load_vehicle

    load_vehicle(world)
    return deliver(world).invoice  # customers[0], the 12.7 kg type, supplied today


def test_a_gst_rate_in_force_on_an_invoiced_day_is_refused_on_the_form(world, invoiced):
    rate = GstRate.objects.filter(valid_from__lte=invoiced.supply_date).order_by("-valid_from").first()
    since = last_id()

    response = admin_post(world.users["admin"], f"/admin/billing/gstrate/{rate.pk}/change/", {"rate": "0.0100"})

    assert response.status_code == 200  # the form again, with the reason
    errors = response.context["adminform"].form.non_field_errors()
    assert errors and "invoice" in errors[0] and "new dated row" in errors[0]
    assert GstRate.objects.get(pk=rate.pk).rate == rate.rate and new_rows(since) == []

    yesterday = (invoiced.supply_date - datetime.timedelta(days=1)).isoformat()
    response = admin_post(world.users["admin"], "/admin/billing/gstrate/add/", {"valid_from": yesterday, "rate": "0.1"})
    assert response.status_code == 200 and not GstRate.objects.filter(valid_from=yesterday).exists()

    tomorrow = invoiced.supply_date + datetime.timedelta(days=1)
    response = admin_post(world.users["admin"], "/admin/billing/gstrate/add/", {"valid_from": tomorrow, "rate": "0.1"})
    assert response.status_code == 302 and GstRate.objects.filter(valid_from=tomorrow).exists()
    assert [r.action for r in new_rows(since)] == ["price.created"]


def test_prices_are_refused_only_where_invoiced(world, invoiced):
    admin = world.users["admin"]
    day = invoiced.supply_date
    with pytest.raises(billing.PricePeriodInvoiced):
        billing.customer_price_create(
            actor=admin, data={"customer": world.customers[0], "cylinder_type": world.gas, "valid_from": day,
                               "price": Decimal("1.00")},
        )  # fmt: skip
    with pytest.raises(billing.PricePeriodInvoiced):
        billing.cylinder_type_price_create(
            actor=admin, data={"cylinder_type": world.gas, "valid_from": day, "price": Decimal("1.00")}
        )
    # another customer, another type: nothing invoiced there
    billing.customer_price_create(
        actor=admin, data={"customer": world.customers[1], "cylinder_type": world.gas, "valid_from": day,
                           "price": Decimal("1.00")},
    )  # fmt: skip
    billing.cylinder_type_price_create(
        actor=admin, data={"cylinder_type": world.types[2], "valid_from": day, "price": Decimal("1.00")}
    )
    # a future row may be moved, but not back onto an invoiced day
    future = billing.customer_price_create(
        actor=admin, data={"customer": world.customers[0], "cylinder_type": world.gas,
                           "valid_from": day + datetime.timedelta(days=10), "price": Decimal("2.00")},
    )  # fmt: skip
    billing.customer_price_update(actor=admin, price=future, data={"price": Decimal("2.50")})
    with pytest.raises(billing.PricePeriodInvoiced):
        billing.customer_price_update(actor=admin, price=future, data={"valid_from": day})
    assert CustomerPrice.objects.get(pk=future.pk).valid_from == day + datetime.timedelta(days=10)
    assert not CylinderTypePrice.objects.filter(cylinder_type=world.gas, valid_from=day).exists()


# -- users ---------------------------------------------------------------------------


def _login(email, password="pass-12345"):
    from rest_framework.test import APIClient

    return APIClient().post("/api/auth/token/", {"email": email, "password": password}, format="json")


def test_a_role_change_in_the_admin_is_audited(world):
    driver = world.users["driver"]
    since = last_id()
    response = admin_post(
        world.users["admin"], f"/admin/accounts/user/{driver.pk}/change/", {"role": "supervisor", "vehicle": ""}
    )
    assert response.status_code == 302
    (audit,) = new_rows(since)
    assert (audit.action, audit.entity_id) == ("auth.user_changed", str(driver.pk))
    assert audit.before == {"role": "driver", "vehicle": world.vehicle.pk}
    assert audit.after == {"role": "supervisor", "vehicle": None}
    chain_verifies()


def test_a_deactivation_in_the_admin_revokes_tokens_and_is_audited(world):
    driver = world.users["driver"]
    pair = _login(driver.email).json()
    since = last_id()
    client = admin_client(world.users["admin"])
    url = f"/admin/accounts/user/{driver.pk}/change/"
    data = change_form_data(client.get(url))
    data.pop("is_active")
    data["_save"] = "Save"

    assert client.post(url, data).status_code == 302

    (audit,) = new_rows(since)
    assert audit.action == "auth.user_deactivated" and audit.before == {"is_active": True}
    assert audit.after == {"is_active": False, "refresh_tokens_revoked": 1}
    from rest_framework.test import APIClient

    assert APIClient().post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401


def test_a_user_created_in_the_admin_is_audited_without_the_password(world):
    since = last_id()
    response = admin_post(
        world.users["admin"], "/admin/accounts/user/add/",
        {"email": "New.Driver@Example.com", "name": "New Driver", "role": "driver",
         "password1": "Sup3r-Secret-Pass", "password2": "Sup3r-Secret-Pass"},
    )  # fmt: skip
    assert response.status_code == 302
    (audit,) = new_rows(since)
    assert audit.action == "auth.user_created"
    assert audit.after == {
        "email": "new.driver@example.com",
        "name": "New Driver",
        "role": "driver",
        "has_password": True,
    }
    assert "Sup3r-Secret-Pass" not in str(audit.after) and "pbkdf2" not in str(audit.after)
    assert _login("new.driver@example.com", "Sup3r-Secret-Pass").status_code == 200


def test_a_password_set_in_the_admin_is_audited_and_revokes_tokens(world):
    driver = world.users["driver"]
    pair = _login(driver.email).json()
    client = admin_client(world.users["admin"])
    url = f"/admin/accounts/user/{driver.pk}/password/"
    since = last_id()

    weak = client.post(url, {"password1": "x", "password2": "x", "usable_password": "true"})
    assert weak.status_code == 200 and new_rows(since) == []  # the form with its errors, nothing written

    response = client.post(
        url, {"password1": "An0ther-Good-One", "password2": "An0ther-Good-One", "usable_password": "true"}
    )
    assert response.status_code == 302
    (audit,) = new_rows(since)
    assert audit.action == "auth.password_changed" and audit.entity_id == str(driver.pk)
    assert audit.after == {"refresh_tokens_revoked": 1, "by_admin": True, "usable_password": True}
    from rest_framework.test import APIClient

    assert APIClient().post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert _login(driver.email, "An0ther-Good-One").status_code == 200
    assert "An0ther-Good-One" not in str(AuditLog.objects.values_list("before", "after", "request_meta"))
    chain_verifies()


def test_the_admin_sites_own_password_change_is_audited(world):
    supervisor = world.users["supervisor"]
    client = admin_client(supervisor)
    since = last_id()
    response = client.post(
        "/admin/password_change/",
        {"old_password": "pass-12345", "new_password1": "Superv1sor-New!", "new_password2": "Superv1sor-New!"},
    )
    assert response.status_code == 302
    (audit,) = new_rows(since)
    assert audit.action == "auth.password_changed" and audit.user_id == supervisor.pk
    assert audit.after["by_admin"] is False
    assert client.get("/admin/").status_code == 200  # still signed in: the session hash was updated


# -- the API: the same services --------------------------------------------------------

API_CHANGES = [
    ("depots.depot", "/api/depots/{}/", lambda w: w.depot, {"name": "Tuas South"}),
    ("depots.vehicle", "/api/vehicles/{}/", lambda w: w.vehicle, {"description": "Lorry 7"}),
    ("depots.cylindertype", "/api/cylinder-types/{}/", lambda w: w.gas, {"list_price": "26.50"}),
    ("depots.equipment", "/api/equipment/{}/", _equipment, {"status": "RETIRED"}),
    ("customers.customer", "/api/customers/{}/", lambda w: w.customers[0], {"name": "Ah Hock Eating House"}),
]


@pytest.mark.parametrize(("label", "url", "row", "change"), API_CHANGES, ids=[c[0] for c in API_CHANGES])
def test_an_api_change_writes_one_audit_row_with_before_and_after(world, api, label, url, row, change):
    obj = row(world)
    ((field, after),) = change.items()
    before = getattr(obj, field)
    since = last_id()

    response = api(world.users["admin"]).patch(url.format(obj.pk), change, format="json")

    assert response.status_code == 200, response.json()
    (audit,) = new_rows(since)
    assert (audit.action, audit.entity_type, audit.entity_id) == ("master_data.changed", label, str(obj.pk))
    assert audit.before == {field: str(before)} and audit.after == {field: after}
    assert response.json()[field] == after
    chain_verifies()


def test_a_failing_api_save_leaves_no_change_and_no_audit_row(world, api, monkeypatch):
    import apps.audit.audited

    def broken(**kwargs):
        raise ApplicationError("The audit log is not writable just now.")

    monkeypatch.setattr(apps.audit.audited, "audit_record", broken)
    since = last_id()
    response = api(world.users["admin"]).patch(f"/api/depots/{world.depot.pk}/", {"name": "Never"}, format="json")
    assert response.status_code == 422 and response.json()["code"] == "application_error"
    assert Depot.objects.get(pk=world.depot.pk).name != "Never" and new_rows(since) == []


def test_services_refuse_non_admins(world):
    from apps.core.exceptions import Forbidden

    for role in ("supervisor", "finance", "depot_staff", "driver"):
        with pytest.raises(Forbidden):
            depots.depot_update(actor=world.users[role], depot=world.depot, data={"name": "x"})
    assert Depot.objects.get(pk=world.depot.pk).name != "x"


def test_reference_models_never_saved_outside_a_service_in_the_admin():
    """Every admin of a writable reference model routes its saves through services."""
    from django.contrib import admin

    from apps.accounts.models import User
    from apps.core.admin import AuditedAdminMixin

    for model in (Depot, Vehicle, CylinderType, Equipment, Customer, GstRate, CylinderTypePrice, CustomerPrice,
                  ServiceItem, CustomerMeter, User):  # fmt: skip
        assert isinstance(admin.site._registry[model], AuditedAdminMixin), model
