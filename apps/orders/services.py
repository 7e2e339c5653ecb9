"""Orders, route plans and the end of the driver's day."""

from datetime import date, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import AuditLog
from apps.audit.services import audit_record
from apps.core.exceptions import ConflictError, Forbidden, ValidationFailed, require_reason
from apps.core.locks import lock_balances, lock_entities, lock_entity
from apps.core.permissions import role_of
from apps.core.roles import Role
from apps.customers.models import Customer, CustomerContact
from apps.customers.rules import hours_errors
from apps.inventory.enums import CylinderState, StockDocumentKind
from apps.inventory.locations import location_for_vehicle
from apps.inventory.models import StockBalance
from apps.inventory.services import stock_document_create
from apps.orders.enums import (
    OPEN_STATUSES,
    ClashKind,
    CountStatus,
    OrderEvent,
    OrdersAuditAction,
    OrderSource,
    OrderStatus,
)
from apps.orders.events import order_event_after_commit
from apps.orders.imports import ImportInvalid, ImportResult, file_sha256, import_check
from apps.orders.models import (
    DayEndCount,
    DayEndCountLine,
    Order,
    OrderLine,
    RepeatOrder,
    RepeatOrderLine,
    RouteClash,
    RouteStop,
)

DISPATCHERS = (Role.ADMIN, Role.SUPERVISOR)

# How far back an import of the same file for the same day is looked for.
IMPORT_DUPLICATE_WINDOW = timedelta(days=62)


def _check_dispatcher(actor: User) -> None:
    if role_of(actor) not in DISPATCHERS:
        raise Forbidden("Only a dispatcher (supervisor or admin) may do this.")


def _check_contact(actor: User, customer: Customer) -> None:
    if role_of(actor) != Role.CUSTOMER or not CustomerContact.objects.filter(user=actor, customer=customer).exists():
        raise Forbidden("Only a contact of this customer may do this.")


def _check_driver(driver: User | None) -> None:
    if driver is not None and (driver.role != Role.DRIVER or not driver.is_active):
        raise ValidationFailed({"driver": ["Orders are assigned to an active driver."]})


def _check_lines(lines: list[dict]) -> None:
    if not lines:
        raise ValidationFailed({"lines": ["An order needs at least one line."]})
    seen = set()
    for i, line in enumerate(lines):
        if line["quantity"] <= 0:
            raise ValidationFailed({"lines": {i: {"quantity": ["Must be a positive number."]}}})
        if line["cylinder_type"].pk in seen:
            raise ValidationFailed({"lines": {i: {"cylinder_type": ["Each cylinder type may appear once."]}}})
        seen.add(line["cylinder_type"].pk)


def check_window(customer: Customer, start: time | None, end: time | None) -> None:
    """A delivery window closes after it opens; a household's lies inside
    07:00-21:00 (``apps.customers.rules``). 400 on the field."""
    errors = hours_errors(kind=customer.kind, start=start, end=end, start_field="window_start", end_field="window_end")
    if errors:
        raise ValidationFailed(errors)


def _order_view(order: Order) -> dict:
    return {
        "customer": order.customer_id,
        "scheduled_for": order.scheduled_for,
        "driver": order.driver_id,
        "status": order.status,
        "window": [order.window_start, order.window_end],
        "urgent": order.urgent,
        "source": order.source,
        "lines": [
            {"cylinder_type": line.cylinder_type_id, "quantity": line.quantity, "delivered": line.delivered_quantity}
            for line in order.lines.all()
        ],
    }


def _lock_order(order: Order | int) -> Order:
    return lock_entity(Order.objects.filter(pk=getattr(order, "pk", order)))


def order_lock(order: Order | int) -> Order:
    """Lock an order for a document that fulfils it (a delivery), before any
    balance, audit or sequence lock (``apps/core/locks.py``); 400 when there
    is no such order."""
    try:
        return _lock_order(order)
    except Order.DoesNotExist:
        raise ValidationFailed({"order": ["No such order."]}) from None


def _order_insert(
    *,
    created_by: User,
    customer: Customer,
    day: date,
    source: str,
    driver: User | None = None,
    notes: str = "",
    window_start: time | None = None,
    window_end: time | None = None,
    urgent: bool = False,
) -> Order:
    """The order row alone (the caller has checked it and adds its lines).
    Every way an order is made passes here (office, CSV import, repeat
    orders, the customer's app): its listeners hear of it after commit."""
    order = Order.objects.create(
        customer=customer,
        scheduled_for=day,
        driver=driver,
        status=OrderStatus.ASSIGNED if driver else OrderStatus.PLANNED,
        notes=notes,
        window_start=window_start,
        window_end=window_end,
        urgent=urgent,
        source=source,
        created_by=created_by,
    )
    order_event_after_commit(OrderEvent.RECEIVED, [order.pk])
    return order


@transaction.atomic
def order_create(
    *,
    actor: User,
    customer: Customer,
    scheduled_for: date,
    lines: list[dict],
    driver: User | None = None,
    notes: str = "",
    window_start: time | None = None,
    window_end: time | None = None,
    urgent: bool = False,
    source: str = OrderSource.OFFICE,
) -> Order:
    """A customer's order for a day: PLANNED, or ASSIGNED when a driver is
    given. Its window (optional) closes after it opens and, for a household,
    lies inside 07:00-21:00. A customer without coordinates may be ordered:
    the planner reports it (``no_location``). ``source`` CUSTOMER: placed by
    a contact of that customer (apps.portal checks its own rules first); it
    neither assigns a driver nor marks itself urgent, and then enters
    dispatch exactly as an office order."""
    if source == OrderSource.CUSTOMER:
        _check_contact(actor, customer)
        if driver is not None or urgent:
            raise Forbidden("A customer's order is assigned and prioritised by the dispatcher.")
    else:
        _check_dispatcher(actor)
    _check_driver(driver)
    _check_lines(lines)
    if not customer.is_active:
        raise ValidationFailed({"customer": ["This customer is inactive."]})
    check_window(customer, window_start, window_end)
    order = _order_insert(
        created_by=actor,
        customer=customer,
        day=scheduled_for,
        driver=driver,
        notes=notes,
        window_start=window_start,
        window_end=window_end,
        urgent=urgent,
        source=source,
    )
    OrderLine.objects.bulk_create(
        [OrderLine(order=order, cylinder_type=line["cylinder_type"], quantity=line["quantity"]) for line in lines]
    )
    audit_record(
        action=OrdersAuditAction.ORDER_CREATED,
        user=actor,
        entity_type="orders.order",
        entity_id=order.pk,
        after=_order_view(order),
    )
    return order


_UNSET = object()


@transaction.atomic
def order_update(
    *,
    actor: User,
    order: Order,
    scheduled_for: Any = _UNSET,
    driver: Any = _UNSET,
    lines: Any = _UNSET,
    notes: Any = _UNSET,
    window_start: Any = _UNSET,
    window_end: Any = _UNSET,
    urgent: Any = _UNSET,
) -> Order:
    """Reschedule, (re)assign, change lines, notes, window or urgency of an
    open order (the window checked as in ``order_create``, whole: a new start
    against the kept end)."""
    _check_dispatcher(actor)
    locked = _lock_order(order)
    if locked.status not in OPEN_STATUSES:
        raise ConflictError(f"A {locked.get_status_display().lower()} order cannot be changed.", code="order_closed")
    before = _order_view(locked)
    if scheduled_for is not _UNSET:
        locked.scheduled_for = scheduled_for
    if driver is not _UNSET:
        _check_driver(driver)
        locked.driver = driver
    if notes is not _UNSET:
        locked.notes = notes
    if urgent is not _UNSET:
        locked.urgent = bool(urgent)
    if window_start is not _UNSET or window_end is not _UNSET:
        if window_start is not _UNSET:
            locked.window_start = window_start
        if window_end is not _UNSET:
            locked.window_end = window_end
        check_window(locked.customer, locked.window_start, locked.window_end)
    if lines is not _UNSET and locked.status == OrderStatus.PARTLY_DELIVERED:
        raise ConflictError(
            "Part of this order was delivered; its lines can no longer change (cancel the rest and order anew).",
            code="order_partly_delivered",
        )
    if locked.status != OrderStatus.PARTLY_DELIVERED:
        locked.status = OrderStatus.ASSIGNED if locked.driver_id else OrderStatus.PLANNED
    locked.save()
    if lines is not _UNSET:
        _check_lines(lines)
        locked.lines.all().delete()
        OrderLine.objects.bulk_create(
            [OrderLine(order=locked, cylinder_type=line["cylinder_type"], quantity=line["quantity"]) for line in lines]
        )
    if scheduled_for is not _UNSET or driver is not _UNSET:
        # a stop planned for another day or driver no longer belongs there
        RouteStop.objects.filter(order=locked).exclude(
            plan__driver_id=locked.driver_id, plan__date=locked.scheduled_for
        ).delete()
    audit_record(
        action=OrdersAuditAction.ORDER_CHANGED,
        user=actor,
        entity_type="orders.order",
        entity_id=locked.pk,
        before=before,
        after=_order_view(locked),
    )
    return locked


@transaction.atomic
def order_cancel(*, actor: User, order: Order, reason: str) -> Order:
    _check_dispatcher(actor)
    reason = require_reason(reason, "Say why the order is cancelled.")
    locked = _lock_order(order)
    if locked.status not in OPEN_STATUSES:
        raise ConflictError(f"A {locked.get_status_display().lower()} order cannot be cancelled.", code="order_closed")
    locked.status, locked.cancel_reason = OrderStatus.CANCELLED, reason
    locked.save(update_fields=["status", "cancel_reason", "updated_at"])
    RouteStop.objects.filter(order=locked).delete()
    audit_record(
        action=OrdersAuditAction.ORDER_CANCELLED,
        user=actor,
        entity_type="orders.order",
        entity_id=locked.pk,
        after={"reason": reason},
    )
    return locked


@transaction.atomic
def order_cancel_by_customer(*, actor: User, order: Order, reason: str = "") -> Order:
    """A contact cancels its customer's order while no dispatcher has planned
    it yet: PLANNED (no driver) and on no route. Once planned it is the
    office's (409 ``order_planned``: call the office). Cancelling a cancelled
    order answers it unchanged (a double tap)."""
    _check_contact(actor, order.customer)
    locked = _lock_order(order)
    if locked.status == OrderStatus.CANCELLED:
        return locked  # a second tap: already done
    if locked.status != OrderStatus.PLANNED or RouteStop.objects.filter(order=locked).exists():
        raise ConflictError(
            "This order is already planned for delivery; please call the office to change it.", code="order_planned"
        )
    reason = reason.strip() or "Cancelled by the customer."
    locked.status, locked.cancel_reason = OrderStatus.CANCELLED, reason
    locked.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(
        action=OrdersAuditAction.ORDER_CANCELLED,
        user=actor,
        entity_type="orders.order",
        entity_id=locked.pk,
        after={"reason": reason, "by_customer": True},
    )
    return locked


def _earlier_import(*, day: date, sha256: str) -> AuditLog | None:
    """The audit row of an import of the same file for the same day, if any
    (a day's imports are few: read them and compare in Python, the same on
    every database's JSON)."""
    since = timezone.now() - IMPORT_DUPLICATE_WINDOW
    for row in AuditLog.objects.filter(action=OrdersAuditAction.ORDERS_IMPORTED, created_at__gte=since).order_by(
        "-created_at"
    ):
        after = row.after or {}
        if after.get("sha256") == sha256 and after.get("date") == day.isoformat():
            return row
    return None


@transaction.atomic
def orders_import(
    *,
    actor: User,
    day: date,
    rows: str | list[dict],
    source: str = OrderSource.IMPORT,
    allow_duplicate: bool = False,
) -> ImportResult:
    """A day's orders from a CSV file (text, or its rows as dicts; the format
    and every row check are in ``apps.orders.imports``). All or nothing: any
    problem in any row is 400 ``import_invalid`` listing every problem, and
    nothing is written; otherwise every order is created, PLANNED, in this one
    transaction, with one ``orders.imported`` audit row (count, SHA-256 of the file).

    The same file for the same day a second time (a new Idempotency-Key, so
    not a replay) is 409 ``import_duplicate`` naming the first import, unless
    ``allow_duplicate``: a dispatcher who really wants the orders twice says so."""
    _check_dispatcher(actor)
    drafts, errors = import_check(rows)
    if errors:
        raise ImportInvalid(errors)
    sha256 = file_sha256(rows)
    earlier = None if allow_duplicate else _earlier_import(day=day, sha256=sha256)
    if earlier is not None:
        when = timezone.localtime(earlier.created_at).strftime("%d %b %Y %H:%M")
        count = (earlier.after or {}).get("count")
        raise ConflictError(
            f"This file was already imported for {day.isoformat()} on {when} ({count} orders). "
            "Import it again only if the orders are really wanted twice.",
            code="import_duplicate",
            extra={"imported_at": earlier.created_at.isoformat(), "orders": (earlier.after or {}).get("orders", [])},
        )
    orders = []
    all_lines = []
    for draft in drafts:
        order = _order_insert(
            created_by=actor,
            customer=draft.customer,
            day=day,
            source=source,
            notes="; ".join(draft.notes),
            window_start=draft.window_start,
            window_end=draft.window_end,
            urgent=draft.urgent,
        )
        orders.append(order)
        all_lines += [
            OrderLine(order=order, cylinder_type=x["cylinder_type"], quantity=x["quantity"]) for x in draft.lines
        ]
    OrderLine.objects.bulk_create(all_lines)
    result = ImportResult(orders=orders, sha256=sha256, rows=sum(len(d.rows) for d in drafts))
    audit_record(
        action=OrdersAuditAction.ORDERS_IMPORTED,
        user=actor,
        entity_type="orders.order",
        after={
            "date": day,
            "source": source,
            "count": result.created,
            "rows": result.rows,
            "lines": len(all_lines),
            "sha256": result.sha256,
            "orders": result.order_ids,
        },
    )
    return result


# -- repeat orders ---------------------------------------------------------------------


def repeat_order_check(before: RepeatOrder | None, after: RepeatOrder) -> None:
    """A repeat order's window as an order's (``check_window``), for an active customer."""
    if after.customer_id is None:
        return
    customer = after.customer
    if not customer.is_active and (before is None or before.customer_id != after.customer_id):
        raise ValidationFailed({"customer": ["This customer is inactive."]}, detail="This customer is inactive.")
    errors = hours_errors(
        kind=customer.kind,
        start=after.window_start,
        end=after.window_end,
        start_field="window_start",
        end_field="window_end",
    )
    if errors:
        raise ValidationFailed(errors, detail=" ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def _repeat_view(repeat: RepeatOrder) -> dict:
    return {
        "customer": repeat.customer_id,
        "weekday": repeat.weekday,
        "window": [repeat.window_start, repeat.window_end],
        "notes": repeat.notes,
        "is_active": repeat.is_active,
        "starts_on": repeat.starts_on,
        "lines": [{"cylinder_type": x.cylinder_type_id, "quantity": x.quantity} for x in repeat.lines.all()],
    }


REPEAT_FIELDS = ("customer", "weekday", "window_start", "window_end", "notes", "is_active", "starts_on")


@transaction.atomic
def repeat_order_save(
    *, actor: User, repeat: RepeatOrder | None = None, data: dict[str, Any], lines: list[dict]
) -> RepeatOrder:
    """Create (``repeat`` None) or change a customer's weekly standing order
    and replace its lines, with one ``repeat_order.saved`` audit row (before
    and after). ``data``: any of ``REPEAT_FIELDS``; ``lines``: at least one,
    one per cylinder type. Never deleted: deactivate it."""
    _check_dispatcher(actor)
    _check_lines(lines)
    unknown = set(data) - set(REPEAT_FIELDS)
    if unknown:
        raise TypeError(f"RepeatOrder: not editable here: {sorted(unknown)}")
    if repeat is None or repeat.pk is None:
        before, locked = None, RepeatOrder(created_by=actor)
    else:
        locked = lock_entity(RepeatOrder.objects.filter(pk=repeat.pk))
        before = _repeat_view(locked)
    previous = None if before is None else RepeatOrder(**{f: getattr(locked, f) for f in REPEAT_FIELDS})
    for name, value in data.items():
        setattr(locked, name, value)
    if locked.weekday is None or not 0 <= locked.weekday <= 6:
        raise ValidationFailed({"weekday": ["0 (Monday) to 6 (Sunday)."]})
    repeat_order_check(previous, locked)
    locked.save()
    locked.lines.all().delete()
    RepeatOrderLine.objects.bulk_create(
        [RepeatOrderLine(repeat=locked, cylinder_type=x["cylinder_type"], quantity=x["quantity"]) for x in lines]
    )
    audit_record(
        action=OrdersAuditAction.REPEAT_ORDER_SAVED,
        user=actor,
        entity_type="orders.repeatorder",
        entity_id=locked.pk,
        before=before,
        after=_repeat_view(locked),
    )
    return locked


@transaction.atomic
def repeat_orders_generate(*, actor: User | None, day: date) -> list[Order]:
    """Make the day's orders of the standing orders (source REPEAT): every
    active repeat order of an active customer whose weekday is ``day``'s and
    that has started. Idempotent: a repeat order already generated for the
    day (``last_generated_for``), or whose customer already has a REPEAT order
    that day (even a cancelled one), makes nothing. One
    ``repeat_orders.generated`` audit row when anything was made or skipped.
    ``actor`` None is the scheduler (Celery beat, the management command):
    the orders are then created by the repeat order's author."""
    if actor is not None:
        _check_dispatcher(actor)
    due = (
        RepeatOrder.objects.filter(is_active=True, weekday=day.weekday(), starts_on__lte=day, customer__is_active=True)
        .exclude(last_generated_for=day)
        .values_list("pk", flat=True)
    )
    repeats = lock_entities(RepeatOrder.objects.filter(pk__in=list(due)).select_related("customer", "created_by"))
    # orders made before this run (a customer's second standing order of the day, another window, is made)
    existing = set(
        Order.objects.filter(
            scheduled_for=day, source=OrderSource.REPEAT, customer_id__in=[r.customer_id for r in repeats]
        ).values_list("customer_id", flat=True)
    )
    created: list[Order] = []
    skipped: list[dict] = []
    for repeat in repeats:
        if repeat.last_generated_for == day:  # made by a run that committed while we waited for the lock
            continue
        lines = [x for x in repeat.lines.select_related("cylinder_type").order_by("id") if x.cylinder_type.is_active]
        reason = ""
        if repeat.customer_id in existing:
            reason = "already_ordered"
        elif not lines:
            reason = "no_lines"
        elif hours_errors(
            kind=repeat.customer.kind,
            start=repeat.window_start,
            end=repeat.window_end,
            start_field="window_start",
            end_field="window_end",
        ):
            reason = "window"
        if reason:
            skipped.append({"repeat": repeat.pk, "customer": repeat.customer_id, "reason": reason})
        else:
            order = _order_insert(
                created_by=actor or repeat.created_by,
                customer=repeat.customer,
                day=day,
                source=OrderSource.REPEAT,
                notes=repeat.notes,
                window_start=repeat.window_start,
                window_end=repeat.window_end,
            )
            OrderLine.objects.bulk_create(
                [OrderLine(order=order, cylinder_type=x.cylinder_type, quantity=x.quantity) for x in lines]
            )
            created.append(order)
        repeat.last_generated_for = day
        repeat.save(update_fields=["last_generated_for"])
    if created or skipped:
        audit_record(
            action=OrdersAuditAction.REPEAT_ORDERS_GENERATED,
            user=actor,
            entity_type="orders.repeatorder",
            after={
                "date": day,
                "orders": [o.pk for o in created],
                "repeats": [r.pk for r in repeats],
                "skipped": skipped,
            },
        )
    return created


@transaction.atomic
def order_mark_delivered(
    *,
    order: Order | int,
    delivery_id: int,
    customer: Customer | None = None,
    actor: User | None = None,
    delivered: dict[int, int] | None = None,
    driver: User | None = None,
) -> Order:
    """Called by the delivery flow inside its own transaction: the fulls of
    the delivery count towards the order's lines. ``delivered``:
    ``{cylinder_type_id: fulls delivered}``; None means "everything ordered"
    (the order's remaining quantities). When nothing remains the order is
    DELIVERED, else PARTLY_DELIVERED (it stays on the driver's day with what
    remains); a delivery with none of the ordered types leaves it as it was.
    The same delivery again is a no-op (a replayed event); a delivered order
    is refused (409), and so is an order of another customer (400).

    A stop taken off the driver's list while the phone was offline (the order
    cancelled, or planned onto another driver's truck) is still delivered:
    the gas is at the customer. The delivery records, and a ``RouteClash``
    tells the dispatcher (``driver``: who delivered it)."""
    locked = order_lock(order)  # held already when the delivery locked it first
    if customer is not None and locked.customer_id != customer.pk:
        raise ValidationFailed({"order": ["This order is for another customer."]})
    if locked.delivery_id == delivery_id and locked.status in (OrderStatus.DELIVERED, OrderStatus.PARTLY_DELIVERED):
        return locked
    if locked.status == OrderStatus.DELIVERED:
        raise ConflictError(f"Order #{locked.pk} was already delivered.", code="order_already_delivered")
    if locked.status == OrderStatus.CANCELLED:
        _clash(locked, delivery_id=delivery_id, driver=driver, kind=ClashKind.CANCELLED, actor=actor)
        return locked
    if driver is not None and locked.driver_id is not None and locked.driver_id != driver.pk:
        _clash(locked, delivery_id=delivery_id, driver=driver, kind=ClashKind.OTHER_DRIVER, actor=actor)
    lines = lock_entities(locked.lines.all(), "id")
    counted = []
    for line in lines:
        qty = line.remaining_quantity if delivered is None else int(delivered.get(line.cylinder_type_id, 0))
        if qty > 0:
            line.delivered_quantity += qty
            line.save(update_fields=["delivered_quantity"])
            counted.append({"cylinder_type": line.cylinder_type_id, "delivered": qty})
    if not counted:
        return locked
    before = locked.status
    remaining = [
        {"cylinder_type": line.cylinder_type_id, "remaining": line.remaining_quantity}
        for line in lines
        if line.remaining_quantity
    ]
    locked.status = OrderStatus.PARTLY_DELIVERED if remaining else OrderStatus.DELIVERED
    locked.delivery_id, locked.delivered_at = delivery_id, timezone.now()
    locked.save(update_fields=["status", "delivery_id", "delivered_at", "updated_at"])
    audit_record(
        action=OrdersAuditAction.ORDER_DELIVERED,
        user=actor,
        entity_type="orders.order",
        entity_id=locked.pk,
        before={"status": before},
        after={"delivery": delivery_id, "status": locked.status, "delivered": counted, "remaining": remaining},
    )
    return locked


def _clash(order: Order, *, delivery_id: int, driver: User | None, kind: str, actor: User | None) -> RouteClash:
    clash, created = RouteClash.objects.get_or_create(
        order=order,
        delivery_id=delivery_id,
        defaults={"driver": driver, "kind": kind, "noted_at": timezone.now()},
    )
    if created:
        audit_record(
            action=OrdersAuditAction.ROUTE_CLASH,
            user=actor,
            entity_type="orders.routeclash",
            entity_id=clash.pk,
            after={"order": order.pk, "delivery": delivery_id, "kind": kind, "planned_driver": order.driver_id},
        )
    return clash


@transaction.atomic
def route_clash_resolve(*, actor: User, clash: RouteClash, resolution: str) -> RouteClash:
    """The dispatcher has settled a clash (credited, re-invoiced, told the
    customer, ...): say how; it leaves the board."""
    _check_dispatcher(actor)
    resolution = require_reason(resolution, "Say how the clash was settled.")
    locked = lock_entity(RouteClash.objects.filter(pk=clash.pk))
    if locked.resolved_at is not None:
        raise ConflictError("This clash was already settled.", code="clash_resolved")
    locked.resolved_by, locked.resolved_at, locked.resolution = actor, timezone.now(), resolution
    locked.save(update_fields=["resolved_by", "resolved_at", "resolution"])
    audit_record(
        action=OrdersAuditAction.ROUTE_CLASH_RESOLVED,
        user=actor,
        entity_type="orders.routeclash",
        entity_id=locked.pk,
        after={"resolution": resolution},
    )
    return locked


# -- end of day ------------------------------------------------------------------------


def _check_may_count(actor: User, driver: User) -> None:
    role = role_of(actor)
    if role in DISPATCHERS:
        return
    if role == Role.DRIVER and actor.pk == driver.pk:
        return
    if (
        role == Role.DEPOT_STAFF
        and actor.depot_id
        and driver.vehicle
        and driver.vehicle.home_depot_id == actor.depot_id
    ):
        return
    raise Forbidden("Only the driver, their depot's staff or a supervisor may record this count.")


@transaction.atomic
def day_end_count_record(*, actor: User, driver: User, day: date, lines: list[dict], note: str = "") -> DayEndCount:
    """Record the physical count of the driver's truck. Each type and state
    not counted is taken as zero. The ledger balance is read under lock, so the
    variance is exact at this moment; any variance waits for a supervisor.

    ``lines``: ``{"cylinder_type": CylinderType, "full_qty": int, "empty_qty": int}``"""
    _check_driver(driver)
    if driver.vehicle is None:
        raise ValidationFailed({"driver": ["This driver has no vehicle to count."]})
    _check_may_count(actor, driver)
    seen = set()
    for i, line in enumerate(lines):
        if line["cylinder_type"].pk in seen:
            raise ValidationFailed({"lines": {i: {"cylinder_type": ["Each cylinder type may appear once."]}}})
        seen.add(line["cylinder_type"].pk)
    vehicle = driver.vehicle
    if DayEndCount.objects.filter(vehicle=vehicle, date=day, status=CountStatus.PENDING).exists():
        raise ConflictError("A count for this vehicle and day is waiting for a supervisor.", code="count_pending")
    truck = location_for_vehicle(vehicle)
    ledger = {row.cylinder_type_id: row for row in lock_balances(StockBalance.objects.filter(location=truck))}
    counted = {line["cylinder_type"].pk: line for line in lines}
    count = DayEndCount.objects.create(
        driver=driver,
        vehicle=vehicle,
        date=day,
        status=CountStatus.MATCHED,
        counted_by=actor,
        counted_at=timezone.now(),
        note=note,
    )
    rows = []
    for type_id in sorted(set(ledger) | set(counted)):
        row, line = ledger.get(type_id), counted.get(type_id, {})
        for state, have, field in (
            (CylinderState.FULL, row.full_qty if row else 0, "full_qty"),
            (CylinderState.EMPTY, row.empty_qty if row else 0, "empty_qty"),
        ):
            rows.append(
                DayEndCountLine(
                    count=count,
                    cylinder_type_id=type_id,
                    state=state,
                    counted_qty=int(line.get(field, 0)),
                    ledger_qty=have,
                )
            )
    DayEndCountLine.objects.bulk_create(rows)
    if any(r.variance for r in rows):
        count.status = CountStatus.PENDING
        count.save(update_fields=["status"])
    audit_record(
        action=OrdersAuditAction.DAY_END_COUNTED,
        user=actor,
        entity_type="orders.dayendcount",
        entity_id=count.pk,
        after={
            "vehicle": vehicle.pk,
            "date": day,
            "status": count.status,
            "lines": [
                {
                    "cylinder_type": r.cylinder_type_id,
                    "state": r.state,
                    "counted": r.counted_qty,
                    "ledger": r.ledger_qty,
                }
                for r in rows
            ],
        },
    )
    return count


def _lock_pending_count(count: DayEndCount) -> DayEndCount:
    locked = lock_entity(DayEndCount.objects.filter(pk=count.pk))
    if locked.status != CountStatus.PENDING:
        raise ConflictError("This count is not waiting for review.", code="count_not_pending")
    return locked


@transaction.atomic
def day_end_variance_approve(*, actor: User, count: DayEndCount, reason: str) -> DayEndCount:
    """Accept the count: post the variance as one ADJUSTMENT on the vehicle
    (found cylinders in, missing ones out), so the ledger matches the truck."""
    _check_dispatcher(actor)
    reason = require_reason(reason, "A reason is required to approve a variance.")
    locked = _lock_pending_count(count)
    lines = [
        {"cylinder_type": line.cylinder_type, "state": line.state, "quantity": line.variance}
        for line in locked.lines.select_related("cylinder_type").order_by("cylinder_type_id", "state")
        if line.variance
    ]
    document = stock_document_create(
        actor=actor,
        kind=StockDocumentKind.ADJUSTMENT,
        location=location_for_vehicle(locked.vehicle),
        lines=lines,
        reason=f"Day-end count {locked.date} ({locked.vehicle}): {reason}",
        reference=f"DAYEND-{locked.pk}",
    )
    locked.status, locked.adjustment = CountStatus.APPROVED, document
    locked.reviewed_by, locked.reviewed_at, locked.review_reason = actor, timezone.now(), reason
    locked.save(update_fields=["status", "adjustment", "reviewed_by", "reviewed_at", "review_reason"])
    audit_record(
        action=OrdersAuditAction.DAY_END_APPROVED,
        user=actor,
        entity_type="orders.dayendcount",
        entity_id=locked.pk,
        after={"adjustment": document.number, "reason": reason},
    )
    return locked


@transaction.atomic
def day_end_count_return(*, actor: User, count: DayEndCount, reason: str) -> DayEndCount:
    """Send the count back: the driver counts again (a new count)."""
    _check_dispatcher(actor)
    reason = require_reason(reason, "Say why the count is sent back.")
    locked = _lock_pending_count(count)
    locked.status = CountStatus.RETURNED
    locked.reviewed_by, locked.reviewed_at, locked.review_reason = actor, timezone.now(), reason
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
    audit_record(
        action=OrdersAuditAction.DAY_END_RETURNED,
        user=actor,
        entity_type="orders.dayendcount",
        entity_id=locked.pk,
        after={"reason": reason},
    )
    return locked
