"""Standing (repeat) orders: saved through ``repeat_order_save``, turned into
the day's orders by ``repeat_orders_generate`` (Celery beat, the management
command, POST /api/orders/repeat/generate/)."""

from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from apps.audit.models import AuditLog
from apps.core.exceptions import Forbidden, ValidationFailed
from apps.customers.enums import CustomerKind
from apps.orders.enums import OrdersAuditAction, OrderSource
from apps.orders.models import Order, RepeatOrder
from apps.orders.services import order_cancel, repeat_order_save, repeat_orders_generate

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
assert MONDAY.weekday() == 0


def standing(world, *, customer=None, weekday=0, starts_on=MONDAY - timedelta(days=7), **data):
    return repeat_order_save(
        actor=world.users["supervisor"],
        data={"customer": customer or world.customers[0], "weekday": weekday, "starts_on": starts_on, **data},
        lines=[{"cylinder_type": world.gas, "quantity": 2}, {"cylinder_type": world.types[2], "quantity": 1}],
    )


def test_saving_is_audited_and_checked(world):
    repeat = standing(world, window_start=time(8), window_end=time(11), notes="gate code 1234")
    [audit] = AuditLog.objects.filter(action=OrdersAuditAction.REPEAT_ORDER_SAVED)
    assert audit.before is None and audit.after["weekday"] == 0 and len(audit.after["lines"]) == 2
    changed = repeat_order_save(
        actor=world.users["admin"], repeat=repeat, data={"weekday": 3},
        lines=[{"cylinder_type": world.gas, "quantity": 5}],
    )  # fmt: skip
    assert changed.weekday == 3 and [(x.cylinder_type_id, x.quantity) for x in changed.lines.all()] == [
        (world.gas.pk, 5)
    ]
    assert AuditLog.objects.filter(action=OrdersAuditAction.REPEAT_ORDER_SAVED).count() == 2
    with pytest.raises(ValidationFailed) as bad:
        standing(world, window_start=time(11), window_end=time(9))
    assert "window_end" in bad.value.extra["fields"]
    home = world.customers[1]
    home.kind = CustomerKind.HOUSEHOLD
    home.save()
    with pytest.raises(ValidationFailed):
        standing(world, customer=home, window_start=time(6), window_end=time(9))
    with pytest.raises(ValidationFailed):
        repeat_order_save(actor=world.users["supervisor"], data={"customer": home, "weekday": 1,
                                                                 "starts_on": MONDAY}, lines=[])  # fmt: skip
    with pytest.raises(Forbidden):
        repeat_order_save(actor=world.users["driver"], data={}, lines=[{"cylinder_type": world.gas, "quantity": 1}])


def test_generation_is_weekday_correct_and_idempotent(world):
    monday = standing(world, window_start=time(8), window_end=time(10))
    second_window = standing(world, window_start=time(14), window_end=time(16))  # same customer, same day
    standing(world, customer=world.customers[1], weekday=1)  # Tuesdays
    standing(world, customer=world.customers[2], starts_on=MONDAY + timedelta(days=1))  # not started yet
    made = repeat_orders_generate(actor=world.users["supervisor"], day=MONDAY)
    assert sorted(o.customer_id for o in made) == [world.customers[0].pk] * 2
    order = Order.objects.get(pk=made[0].pk)
    assert order.source == OrderSource.REPEAT and order.scheduled_for == MONDAY
    assert (order.window_start, order.window_end) == (time(8), time(10))
    assert sorted((x.cylinder_type_id, x.quantity) for x in order.lines.all()) == sorted(
        [(world.gas.pk, 2), (world.types[2].pk, 1)]
    )
    monday.refresh_from_db()
    second_window.refresh_from_db()
    assert monday.last_generated_for == MONDAY == second_window.last_generated_for
    assert AuditLog.objects.filter(action=OrdersAuditAction.REPEAT_ORDERS_GENERATED).count() == 1

    # again: nothing new, no audit row
    assert repeat_orders_generate(actor=world.users["admin"], day=MONDAY) == []
    assert Order.objects.count() == 2
    assert AuditLog.objects.filter(action=OrdersAuditAction.REPEAT_ORDERS_GENERATED).count() == 1
    # Tuesday: the Tuesday customer; next Monday again the Monday one
    assert [o.customer_id for o in repeat_orders_generate(actor=None, day=MONDAY + timedelta(days=1))] == [
        world.customers[1].pk
    ]
    assert len(repeat_orders_generate(actor=None, day=MONDAY + timedelta(days=7))) == 3


def test_inactive_and_already_ordered_are_skipped(world):
    standing(world)
    paused = standing(world, customer=world.customers[1])
    paused.is_active = False
    paused.save()
    gone = world.customers[2]
    standing(world, customer=gone)
    gone.is_active = False
    gone.save()
    assert [o.customer_id for o in repeat_orders_generate(actor=None, day=MONDAY)] == [world.customers[0].pk]
    # a REPEAT order cancelled by the office is not made again, even if the marker is reset
    order = Order.objects.get()
    order_cancel(actor=world.users["supervisor"], order=order, reason="customer away")
    RepeatOrder.objects.update(last_generated_for=None)
    assert repeat_orders_generate(actor=None, day=MONDAY) == []
    audit = AuditLog.objects.filter(action=OrdersAuditAction.REPEAT_ORDERS_GENERATED).order_by("-id").first()
    assert audit.after["skipped"][0]["reason"] == "already_ordered"


def test_the_scheduler_makes_them_as_the_repeat_orders_author(world):
    standing(world)
    call_command("generate_repeat_orders", "--date", MONDAY.isoformat())
    order = Order.objects.get()
    assert order.created_by == world.users["supervisor"]
    call_command("generate_repeat_orders", "--date", MONDAY.isoformat())
    assert Order.objects.count() == 1


def test_the_beat_schedule_runs_it_daily(settings):
    from apps.orders.tasks import generate_repeat_orders

    entry = settings.CELERY_BEAT_SCHEDULE["generate-repeat-orders"]
    assert entry["task"] == generate_repeat_orders.name
    assert entry["schedule"].hour == {5}


def test_the_api_generates_for_dispatchers_only(world, api):
    standing(world)
    for role in ("driver", "finance", "depot_staff", "auditor"):
        res = api(world.users[role]).post("/api/orders/repeat/generate/", {"date": MONDAY.isoformat()}, format="json")
        assert res.status_code == 403, role
    client = api(world.users["supervisor"])
    res = client.post("/api/orders/repeat/generate/", {"date": MONDAY.isoformat()}, format="json")
    assert res.status_code == 201 and res.json()["created"] == 1
    again = client.post("/api/orders/repeat/generate/", {"date": MONDAY.isoformat()}, format="json")
    assert again.status_code == 201 and again.json() == {"created": 0, "orders": []}
    bad = client.post("/api/orders/repeat/generate/", {"date": "someday"}, format="json")
    assert bad.status_code == 400 and "date" in bad.json()["fields"]


def test_the_admin_saves_a_repeat_order_with_its_lines_through_the_service(world):
    client = Client()
    client.force_login(world.users["supervisor"])
    url = "/admin/orders/repeatorder/add/"
    assert client.get(url).status_code == 200
    body = {
        "customer": world.customers[0].pk, "weekday": 2, "window_start": "08:00", "window_end": "12:00",
        "notes": "", "is_active": "on", "starts_on": MONDAY.isoformat(),
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-cylinder_type": world.gas.pk, "lines-0-quantity": "4",
        "lines-1-cylinder_type": "", "lines-1-quantity": "",
    }  # fmt: skip
    res = client.post(url, body)
    assert res.status_code == 302, res.context and res.context["adminform"].form.errors
    repeat = RepeatOrder.objects.get()
    assert repeat.weekday == 2 and [(x.cylinder_type_id, x.quantity) for x in repeat.lines.all()] == [(world.gas.pk, 4)]
    assert AuditLog.objects.filter(action=OrdersAuditAction.REPEAT_ORDER_SAVED, entity_id=str(repeat.pk)).exists()
    # a window that closes before it opens is shown on the form; nothing saved
    res = client.post(url, {**body, "window_start": "12:00", "window_end": "09:00"})
    assert res.status_code == 200 and RepeatOrder.objects.count() == 1
    for role in ("depot_staff", "finance"):
        other = Client()
        other.force_login(world.users[role])
        assert other.get("/admin/orders/repeatorder/").status_code == 403
