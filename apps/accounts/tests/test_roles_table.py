"""The role x endpoint table (docs/roles.md) walked as a test. One line per
endpoint and method; five marks, one per role, in the order
admin, supervisor, depot_staff, driver, finance:

    y  allowed (any answer but 401/403/404/5xx; a 400 on the sample body
       still proves the role got past the permission checks)
    -  refused: 403
    h  hidden: 404 (object-level scoping, the object is not the role's)

Adding an endpoint = adding a line here and in docs/roles.md (a test checks
both agree, another that every path in /api/schema/ is in the table)."""

import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.testing.world import api_client_for

ROLES = ("admin", "supervisor", "depot_staff", "driver", "finance")
DOC = Path(__file__).resolve().parents[3] / "docs" / "roles.md"


@dataclass(frozen=True)
class E:
    method: str
    path: str
    marks: str
    body: dict | None = field(default=None, hash=False, compare=False)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


TODAY = "{today}"

# fmt: off
TABLE = [
    E("GET", "/api/me/", "yyyyy"),
    E("POST", "/api/me/password/", "yyyyy", {"old_password": "wrong", "new_password": "x"}),
    E("POST", "/api/auth/logout/", "yyyyy", {"refresh": "not-a-token"}),
    # master data: everyone reads (scoped), admins write
    E("GET", "/api/depots/", "yyyyy"),
    E("POST", "/api/depots/", "y----", {"code": "NEW", "name": "New", "address": "1 Road"}),
    E("GET", "/api/depots/{depot}/", "yyyyy"),
    E("PUT", "/api/depots/{depot}/", "y----", {"code": "D1", "name": "Depot", "address": "1 Road"}),
    E("PATCH", "/api/depots/{depot}/", "y----", {"name": "Renamed"}),
    E("GET", "/api/vehicles/", "yyyyy"),
    E("POST", "/api/vehicles/", "y----", {"plate_number": "SNEW1Z", "home_depot": "{depot}"}),
    E("GET", "/api/vehicles/{vehicle_other}/", "yyyhy"),
    E("PUT", "/api/vehicles/{vehicle}/", "y----", {"plate_number": "SX1Z", "home_depot": "{depot}"}),
    E("PATCH", "/api/vehicles/{vehicle}/", "y----", {"description": "x"}),
    E("GET", "/api/cylinder-types/", "yyyyy"),
    E("POST", "/api/cylinder-types/", "y----", {"sku": "N", "name": "N", "weight_kg": "5", "list_price": "9"}),
    E("GET", "/api/cylinder-types/{type}/", "yyyyy"),
    E("PUT", "/api/cylinder-types/{type}/", "y----", {"sku": "S", "name": "S", "weight_kg": "5", "list_price": "9"}),
    E("PATCH", "/api/cylinder-types/{type}/", "y----", {"name": "x"}),
    E("GET", "/api/customers/", "yyyyy"),
    E("GET", "/api/customers/prices/", "yyyyy"),
    E("GET", "/api/company/", "yyyyy"),
    E("GET", "/api/paynow/payload/", "yyyyy"),
    E("POST", "/api/customers/", "y----", {"code": "CN", "name": "N", "site_address": "x"}),
    E("GET", "/api/customers/{customer}/", "yyyyy"),
    E("GET", "/api/customers/{customer}/cylinders/", "yyyyy"),
    E("PUT", "/api/customers/{customer}/", "y----", {"code": "CX", "name": "N", "site_address": "x"}),
    E("PATCH", "/api/customers/{customer}/", "y----", {"phone": "1"}),
    E("GET", "/api/equipment/", "yyyyy"),
    E("POST", "/api/equipment/", "y----", {"serial_number": "SN1", "depot": "{depot}"}),
    E("GET", "/api/equipment/{equipment}/", "yyyyy"),
    E("PUT", "/api/equipment/{equipment}/", "y----", {"serial_number": "SN2", "depot": "{depot}"}),
    E("PATCH", "/api/equipment/{equipment}/", "y----", {"status": "ACTIVE"}),
    E("GET", "/api/equipment/{equipment}/history/", "yyyyy"),
    # stock and ledger: drivers see their vehicle, depot staff their depot
    E("GET", "/api/stock/", "yyyyy"),
    E("GET", "/api/stock/moves/", "yyyyy"),
    E("GET", "/api/stock/moves/{move_depot2}/", "yyhhy"),
    E("GET", "/api/stock/documents/", "yyy-y"),
    E("POST", "/api/stock/documents/", "yyy--", {"kind": "RECEIPT", "depot": "{depot}",
                                                 "lines": [{"cylinder_type": "{type}", "quantity": 1}]}),
    E("GET", "/api/stock/documents/{document}/", "yyh-y"),
    E("POST", "/api/stock/documents/{document}/reverse/", "yy---", {"reason": "wrong count"}),
    # distributions: a driver their own, depot staff at their depot
    E("GET", "/api/distributions/", "yyyyy"),
    E("POST", "/api/distributions/", "yyyy-", {"vehicle": "{vehicle}", "items": [
        {"depot": "{depot}", "cylinder_type": "{type}", "quantity": 1, "movement_type": "COLLECTION"}]}),
    E("GET", "/api/distributions/{distribution}/", "yyyyy"),
    E("GET", "/api/distributions/{distribution_other}/", "yyyhy"),
    E("GET", "/api/distributions/{distribution_other}/receipt/", "yyyhy"),
    E("POST", "/api/distributions/{distribution_other}/reverse/", "yy---", {"reason": "mistake"}),
    # deliveries and invoices: a driver their own; finance all
    E("GET", "/api/deliveries/", "yyyyy"),
    E("POST", "/api/deliveries/", "yy-y-", {"customer": "{customer}", "vehicle": "{vehicle}",
                                            "payment_method": "CASH", "lines": [
        {"cylinder_type": "{type}", "delivered_full": 1, "returned_empty": 0}]}),
    E("GET", "/api/deliveries/{delivery_other}/", "yyyhy"),
    # proof images: read like the delivery; uploaded by the office or the delivery's own
    # driver (another driver: 422 not_your_delivery, past the role gate, so "y")
    E("GET", "/api/deliveries/{delivery_other}/attachments/{attachment}/", "yyyhy"),
    E("PUT", "/api/deliveries/{delivery_other}/attachments/{attachment}/", "yy-y-"),
    E("GET", "/api/invoices/", "yyyyy"),
    E("GET", "/api/invoices/{invoice}/", "yyhyy"),
    E("GET", "/api/invoices/{invoice_other}/", "yyhhy"),
    E("GET", "/api/invoices/{invoice_other}/pdf/", "yyhhy"),
    # the PINT-SG e-invoice (docs/einvoice.md): whoever may read the PDF / the credit note
    E("GET", "/api/invoices/{invoice_other}/einvoice/", "yyhhy"),
    E("POST", "/api/invoices/{invoice_other}/payments/", "yy-hy", {"amount": "1.00", "method": "CASH"}),
    E("GET", "/api/credit-notes/", "yy--y"),
    E("POST", "/api/credit-notes/", "yy--y", {"invoice": "{invoice_other}", "reason": "price"}),
    E("GET", "/api/credit-notes/{credit_note}/", "yy--y"),
    E("GET", "/api/credit-notes/{credit_note}/einvoice/", "yy--y"),
    # finance back office (issue 11): finance and admin; the auditor's marks are in test_roles_auditor.py
    E("GET", "/api/reports/ageing/", "y---y"),
    E("GET", "/api/reports/gst-summary/", "y---y"),
    E("GET", "/api/customers/{customer}/statement/", "y---y"),
    E("POST", "/api/customers/{customer}/statement/email/", "y---y", {"to": "not-an-address"}),
    E("POST", "/api/invoices/{invoice_other}/email/", "y---y", {"to": "not-an-address"}),
    E("GET", "/api/exports/invoice-register.csv", "y---y"),
    E("GET", "/api/exports/payments.csv", "y---y"),
    E("GET", "/api/exports/credit-notes.csv", "y---y"),
    E("GET", "/api/exports/accounting.csv", "y---y"),
    E("GET", "/api/exports/invoices.zip", "y---y"),
    E("GET", "/api/exports/einvoices.zip", "y---y"),
    E("GET", "/api/email-log/", "y---y"),
    E("GET", "/api/email-log/{email_log}/", "y---y"),
    # orders, routes, the driver's day
    E("GET", "/api/orders/", "yyyyy"),
    E("POST", "/api/orders/", "yy---", {"customer": "{customer}", "scheduled_for": TODAY,
                                        "lines": [{"cylinder_type": "{type}", "quantity": 1}]}),
    E("GET", "/api/orders/{order_other}/", "yyhhy"),
    E("PATCH", "/api/orders/{order_other}/", "yy---", {"notes": "ring twice"}),
    E("POST", "/api/orders/{order_other}/cancel/", "yy---", {"reason": "customer away"}),
    E("POST", "/api/orders/import/", "yy---", {"date": TODAY, "csv": "customer_code,cylinder_sku,quantity\n"}),
    E("POST", "/api/orders/repeat/generate/", "yy---", {"date": TODAY}),
    E("GET", "/api/routes/", "yyyyy"),
    E("GET", "/api/routes/{route}/", "yyhhy"),
    E("POST", "/api/routes/plan/", "yy---", {"driver": "{driver2}", "date": TODAY}),
    # dispatch: the day planned by the solver (docs/dispatch.md)
    E("GET", "/api/dispatch/plans/", "yyyyy"),
    E("POST", "/api/dispatch/plans/", "yy---", {"date": "{tomorrow}"}),
    E("GET", "/api/dispatch/plans/{dispatch_plan}/", "yyhhh"),
    E("POST", "/api/dispatch/moves/", "yy---", {"order": "{order_other}", "vehicle": 999999}),
    E("POST", "/api/dispatch/locks/", "yy---", {"order": "{order_other}"}),
    E("GET", "/api/dispatch/board/", "yy---"),
    E("GET", "/api/dispatch/routes/", "yyyyy"),
    E("GET", "/api/dispatch/load-sheets/{vehicle}/", "yyy--"),
    E("POST", "/api/dispatch/clashes/{clash}/resolve/", "yy---", {"resolution": "credit note raised"}),
    E("GET", "/api/my-day/", "yyyyy"),
    E("GET", "/api/day-end/counts/", "yyyyy"),
    E("POST", "/api/day-end/counts/", "yyyy-", {"driver": "{driver}", "lines": []}),
    E("GET", "/api/day-end/counts/{count}/", "yyyhy"),
    E("POST", "/api/day-end/counts/{count}/approve/", "yy---", {}),
    E("POST", "/api/day-end/counts/{count}/send-back/", "yy---", {"reason": "recount"}),
    E("GET", "/api/day-end/summary/", "yyyyy"),
    E("GET", "/api/day-end/summary/receipt/", "yyyyy"),
    # offline sync
    E("GET", "/api/devices/", "yyyyy"),
    E("POST", "/api/devices/", "yyyyy", {"name": "phone", "public_key_jwk": {"kty": "EC"}}),
    E("GET", "/api/devices/{device_other}/", "yyhhh"),
    E("POST", "/api/devices/{device_other}/revoke/", "yy---", {}),
    E("POST", "/api/sync/", "yyyyy", {"device": "{device_other}", "events": []}),
    E("GET", "/api/sync/rejected/", "yyyyy"),
    E("GET", "/api/sync/rejected/{rejected}/", "yyhhh"),
    E("POST", "/api/sync/rejected/{rejected}/retry/", "yy---", {}),
    E("POST", "/api/sync/rejected/{rejected}/resolve/", "yy---", {"note": "re-entered online"}),
    # audit
    E("GET", "/api/audit/", "yy---"),
    E("GET", "/api/audit/{audit}/", "yy---"),
    # the customer's self-service (docs/customers.md): the office invites; every other line is the
    # contact's own (the office roles are not a customer's contact: 403); marks in test_roles_customer.py
    E("POST", "/api/customer/invites/", "yy--y", {"customer": "{customer}", "email": "not-an-address"}),
    E("GET", "/api/customer/me/", "-----"),
    E("GET", "/api/customer/account/", "-----"),
    E("GET", "/api/customer/payments/", "-----"),
    E("GET", "/api/customer/cylinders/", "-----"),
    E("GET", "/api/customer/statement/", "-----"),
    E("GET", "/api/customer/invoices/", "-----"),
    E("GET", "/api/customer/invoices/{invoice}/", "-----"),
    E("GET", "/api/customer/invoices/{invoice}/pdf/", "-----"),
    E("GET", "/api/customer/invoices/{invoice_other}/", "-----"),
    E("GET", "/api/customer/invoices/{invoice_other}/pdf/", "-----"),
    E("GET", "/api/customer/credit-notes/", "-----"),
    E("GET", "/api/customer/credit-notes/{credit_note}/", "-----"),
    E("GET", "/api/customer/credit-notes/{credit_note}/pdf/", "-----"),
    E("GET", "/api/customer/orders/", "-----"),
    E("GET", "/api/customer/orders/{order}/", "-----"),
    E("GET", "/api/customer/orders/{order_other}/", "-----"),
    E("POST", "/api/customer/orders/", "-----", {"lines": [{"cylinder_type": "{type}", "quantity": 1}],
                                                 "scheduled_for": "{tomorrow}"}),
    E("POST", "/api/customer/orders/{order}/cancel/", "-----", {}),
    E("POST", "/api/customer/quote/", "-----", {"lines": [{"cylinder_type": "{type}", "quantity": 1}],
                                                "scheduled_for": "{tomorrow}"}),
    E("POST", "/api/customer/orders/{order_other}/cancel/", "-----", {}),
    # personal data (docs/customers.md): the contact's own settings and export; the office's corrections
    E("PATCH", "/api/customer/me/", "-----", {"notify_orders": False}),
    E("GET", "/api/customer/me/export/", "-----"),
    E("GET", "/api/customers/{customer}/contacts/", "yy--y"),
    E("PATCH", "/api/customers/{customer}/contacts/{contact}/", "yy--y", {"phone": "+65 6123 4567"}),
]
# fmt: on

PUBLIC = [("POST", "/api/auth/token/"), ("POST", "/api/auth/token/refresh/"), ("GET", "/api/schema/"),
          ("GET", "/api/docs/"), ("POST", "/api/customer/accept-invite/")]  # fmt: skip


def build_objects(world) -> dict:
    """One object of each kind that belongs to driver (vehicle) / driver2
    (vehicle2), built through the services."""
    from apps.audit.models import AuditLog
    from apps.billing.services import credit_note_create
    from apps.billing.tests.helpers import deliver, load_vehicle
    from apps.deliveries.services import attachment_upload
    from apps.deliveries.tests.proof_helpers import sha, signature_png
    from apps.dispatch.services import dispatch_route
    from apps.distribution.services import distribution_create
    from apps.inventory.enums import MovementType, StockDocumentKind
    from apps.inventory.models import StockMove
    from apps.inventory.services import stock_document_create
    from apps.orders.services import day_end_count_record, order_create
    from apps.sync.models import RejectedEvent
    from apps.sync.services import device_register
    from apps.sync.tests.signing import PhoneKey

    u = world.users
    load_vehicle(world, quantity=20)
    load_vehicle(world, vehicle=world.vehicle2, quantity=20)
    item = {"depot": world.depot, "cylinder_type": world.gas, "quantity": 1, "movement_type": MovementType.COLLECTION}
    own = distribution_create(actor=u["driver"], vehicle=world.vehicle, items=[item])
    other = distribution_create(actor=u["driver2"], vehicle=world.vehicle2, items=[item])
    delivery = deliver(world, actor=u["driver"])
    signature = signature_png(width=311, height=97)
    delivery_other = deliver(
        world,
        actor=u["driver2"],
        vehicle=world.vehicle2,
        customer=world.customers[1],
        proof={"recipient_name": "Ong Bee Lian", "signature_sha256": sha(signature)},
    )
    attachment, _ = attachment_upload(actor=u["driver2"], delivery_id=delivery_other.pk, sha256=sha(signature),
                                      content_type="image/png", source=io.BytesIO(signature))  # fmt: skip
    document = stock_document_create(
        actor=u["supervisor"], kind=StockDocumentKind.RECEIPT, depot=world.depot2, reason="plant",
        lines=[{"cylinder_type": world.gas, "quantity": 2}],
    )  # fmt: skip
    move_depot2 = StockMove.objects.filter(to_location__depot=world.depot2).order_by("id").first()
    today = timezone.localdate()
    order_other = order_create(actor=u["supervisor"], customer=world.customers[1], scheduled_for=today,
                               driver=u["driver2"], lines=[{"cylinder_type": world.gas, "quantity": 1}])  # fmt: skip
    route = dispatch_route(actor=u["supervisor"], driver=u["driver2"], day=today)
    from apps.dispatch.services import dispatch_plan
    from apps.orders.services import order_cancel, order_mark_delivered

    dispatch = dispatch_plan(actor=u["supervisor"], day=today + timedelta(days=1))  # a day with no orders yet
    cancelled = order_create(actor=u["supervisor"], customer=world.customers[1], scheduled_for=today,
                             lines=[{"cylinder_type": world.gas, "quantity": 1}])  # fmt: skip
    order_cancel(actor=u["supervisor"], order=cancelled, reason="closed")
    order_mark_delivered(order=cancelled, delivery_id=delivery_other.pk, driver=u["driver2"])  # delivered offline
    count = day_end_count_record(actor=u["driver2"], driver=u["driver2"], day=today - timedelta(days=1),
                                 lines=[{"cylinder_type": world.gas, "full_qty": 0, "empty_qty": 0}])  # fmt: skip
    credit_note = credit_note_create(actor=u["finance"], invoice=delivery_other.invoice, reason="test", lines=None)
    device_other = device_register(actor=u["driver2"], name="phone 2", public_key_jwk=PhoneKey().jwk)
    from apps.sync.services import sync_events_apply

    forged = PhoneKey().event("distribution.create", {"vehicle": world.vehicle2.pk, "items": []})
    sync_events_apply(actor=u["driver2"], device_id=device_other.pk, events=[forged])  # bad signature
    rejected = RejectedEvent.objects.order_by("id").first()
    # a contact's own order (apps/portal/tests/test_roles_customer.py)
    own_order = order_create(actor=u["supervisor"], customer=world.customers[0],
                             scheduled_for=today + timedelta(days=2),
                             lines=[{"cylinder_type": world.gas, "quantity": 2}])  # fmt: skip
    from apps.portal.tests.helpers import make_contact

    contact = make_contact(world, world.customers[0], "office-corrects@example.com").customer_contact
    return {
        "contact": contact.pk,
        "depot": world.depot.pk, "vehicle": world.vehicle.pk, "vehicle_other": world.vehicle2.pk,
        "type": world.gas.pk, "customer": world.customers[0].pk, "equipment": None,
        "distribution": own.pk, "distribution_other": other.pk,
        "delivery": delivery.pk, "delivery_other": delivery_other.pk, "attachment": attachment.sha256,
        "invoice": delivery.invoice.pk, "invoice_other": delivery_other.invoice.pk,
        "document": document.pk, "move_depot2": move_depot2.pk, "order_other": order_other.pk, "order": own_order.pk,
        "route": route.pk, "count": count.pk, "credit_note": credit_note.pk, "device_other": str(device_other.pk),
        "rejected": rejected.pk, "audit": AuditLog.objects.order_by("-id").first().pk,
        "driver": u["driver"].pk, "driver2": u["driver2"].pk,
        "today": today.isoformat(), "tomorrow": (today + timedelta(days=1)).isoformat(),
        "dispatch_plan": dispatch.pk, "clash": cancelled.clashes.get().pk,
    }  # fmt: skip


def _fill(value, objects: dict):
    if isinstance(value, str):
        match = re.fullmatch(r"\{(\w+)\}", value)
        if match:
            return objects[match.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(objects[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _fill(v, objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, objects) for v in value]
    return value


def call(client: APIClient, row: E, objects: dict):
    path = _fill(row.path, objects)
    body = _fill(row.body, objects) if row.body is not None else None
    method = getattr(client, row.method.lower())
    if row.method == "GET":
        return method(path)
    return method(path, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def outcome(response) -> str:
    status = response.status_code
    if status == 401 and response.json().get("code") == "token_not_valid":
        return "y"  # signed in; the refresh token in the body was refused
    if status == 403:
        return "-"
    if status == 404:
        return "h"
    if status in (401,) or status >= 500:
        return f"!{status}"
    return "y"


@pytest.fixture
def world(module_world, db):
    """The module's one world (conftest ``module_world``); each case runs in a
    savepoint rolled back after it."""
    return module_world


@pytest.fixture(scope="module")
def objects(module_world, django_db_blocker):
    """Built once per module on the module's world (rolled back with it)."""
    from apps.billing.models import Invoice
    from apps.depots.models import Equipment
    from apps.finance.services import invoice_email_queue

    world = module_world
    with django_db_blocker.unblock():
        found = build_objects(world)
        found["equipment"] = str(Equipment.objects.create(serial_number="EQ-1", depot=world.depot).pk)
        invoice = Invoice.objects.get(pk=found["invoice_other"])
        found["email_log"] = invoice_email_queue(actor=world.users["finance"], invoice=invoice, to="ap@x.example").pk
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("row", TABLE, ids=str)
def test_role_table(row, world, objects):
    got = ""
    for role in ROLES:
        response = call(api_client_for(world.users[role]), row, objects)
        got += outcome(response)[0]
        assert response.status_code < 500, (role, response.status_code, response.content[:300])
    assert got == row.marks, f"{row}: expected {row.marks}, got {got} (admin supervisor depot_staff driver finance)"


@pytest.mark.django_db
@pytest.mark.parametrize("row", TABLE, ids=str)
def test_anonymous_is_refused_everywhere(row, world, objects):
    response = call(APIClient(), row, objects)
    assert response.status_code == 401, response.content[:200]


@pytest.mark.django_db
def test_table_covers_every_endpoint_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    in_schema = {
        (method.upper(), re.sub(r"\{\w+\}", "{id}", path))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    in_table = {(row.method, re.sub(r"\{\w+\}", "{id}", row.path)) for row in TABLE} | set(PUBLIC)
    missing = {(m, p) for m, p in in_schema if (m, p) not in in_table}
    assert not missing, f"endpoints without a line in the roles table: {sorted(missing)}"


def test_docs_roles_md_matches_the_table():
    lines = DOC.read_text().splitlines()
    for row in TABLE:
        cells = " | ".join(row.marks)
        wanted = f"| `{row.method}` | `{row.path}` | {cells} |"
        assert wanted in lines, f"docs/roles.md lacks or disagrees on: {wanted}"


# -- writes scoped by depot and vehicle (docs/roles.md, "Writes scoped by depot and vehicle") --------
# Same marks plus  s  refused: 403 with the code ``depot_scope`` (the role may record this
# kind of document, but not at that depot). Each line is posted by every role in turn with
# a fresh Idempotency-Key; an allowed write must answer 201, a refused one must leave no
# document, move, distribution or audit event behind.


@dataclass(frozen=True)
class W:
    label: str
    path: str
    marks: str
    body: dict = field(hash=False, compare=False)

    def __str__(self) -> str:
        return self.label


def _doc(kind: str, state: str = "FULL", **where) -> dict:
    return {"kind": kind, "reason": "scoped write", "lines": [{"cylinder_type": "{type}", "state": state,
                                                               "quantity": 7}], **where}  # fmt: skip


def _dist(vehicle: str, *depots: str) -> dict:
    item = {"cylinder_type": "{type}", "quantity": 7, "movement_type": "COLLECTION"}
    return {"vehicle": vehicle, "items": [{"depot": d, **item} for d in depots]}


DOCS = "/api/stock/documents/"
DISTS = "/api/distributions/"
# fmt: off
SCOPED = [
    W("RECEIPT at own depot", DOCS, "yyy--", _doc("RECEIPT", depot="{depot}")),
    W("RECEIPT at another depot", DOCS, "yys--", _doc("RECEIPT", depot="{depot2}")),
    W("DUMP from own depot", DOCS, "yyy--", _doc("DUMP", "EMPTY", depot="{depot}")),
    W("DUMP from another depot", DOCS, "yys--", _doc("DUMP", "EMPTY", depot="{depot2}")),
    W("TRANSFER out of own depot", DOCS, "yyy--", _doc("TRANSFER", depot="{depot}", to_depot="{depot2}")),
    W("TRANSFER out of another depot into own", DOCS, "yys--", _doc("TRANSFER", depot="{depot2}", to_depot="{depot}")),
    W("ADJUSTMENT at own depot", DOCS, "yy---", _doc("ADJUSTMENT", location="{depot_location}")),
    W("WRITE_OFF at own depot", DOCS, "yy---", _doc("WRITE_OFF", location="{depot_location}")),
    W("distribution: own vehicle, own depot", DISTS, "yyyy-", _dist("{vehicle}", "{depot}")),
    W("distribution: own vehicle, another depot", DISTS, "yysy-", _dist("{vehicle}", "{depot2}")),
    W("distribution: another vehicle, own depot", DISTS, "yyy--", _dist("{vehicle_other}", "{depot}")),
    W("distribution: lines at own and another depot", DISTS, "yysy-", _dist("{vehicle}", "{depot}", "{depot2}")),
]
# fmt: on


@pytest.fixture
def scoped_objects(world):
    from apps.inventory.enums import StockDocumentKind
    from apps.inventory.locations import location_for_depot
    from apps.inventory.services import stock_document_create

    for depot in (world.depot, world.depot2):  # empties to dump
        stock_document_create(
            actor=world.users["supervisor"], kind=StockDocumentKind.ADJUSTMENT, reason="empties on the floor",
            location=location_for_depot(depot), lines=[{"cylinder_type": world.gas, "state": "EMPTY", "quantity": 43}],
        )  # fmt: skip
    return {
        "depot": world.depot.pk, "depot2": world.depot2.pk, "depot_location": location_for_depot(world.depot).pk,
        "vehicle": world.vehicle.pk, "vehicle_other": world.vehicle2.pk, "type": world.gas.pk,
    }  # fmt: skip


def _written() -> tuple:
    from apps.audit.enums import AuditAction
    from apps.audit.models import AuditLog
    from apps.distribution.models import DistributionHeader
    from apps.inventory.models import StockDocument, StockMove

    return (StockDocument.objects.count(), StockMove.objects.count(), DistributionHeader.objects.count(),
            AuditLog.objects.exclude(action=AuditAction.API_REQUEST).count())  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("row", SCOPED, ids=str)
def test_scoped_writes(row, world, scoped_objects):
    got = ""
    for role in ROLES:
        before = _written()
        response = api_client_for(world.users[role]).post(
            row.path, _fill(row.body, scoped_objects), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        if response.status_code == 201:
            got += "y"
            assert _written() != before
            continue
        assert response.status_code == 403, (role, response.status_code, response.content[:300])
        code = response.json()["code"]
        got += "s" if code == "depot_scope" else "-"
        assert _written() == before, f"{row} as {role}: a refused write left something behind"
    assert got == row.marks, f"{row}: expected {row.marks}, got {got} (admin supervisor depot_staff driver finance)"


def test_docs_roles_md_lists_the_scoped_writes():
    lines = DOC.read_text().splitlines()
    for row in SCOPED:
        wanted = f"| {row.label} | {' | '.join(row.marks)} |"
        assert wanted in lines, f"docs/roles.md lacks or disagrees on: {wanted}"
