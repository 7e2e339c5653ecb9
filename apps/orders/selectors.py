"""Reading orders, routes and the driver's day, scoped by role."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from apps.billing.selectors import customers_cylinders_held
from apps.core.scoping import scope_by_role
from apps.inventory.enums import MovementType
from apps.inventory.models import Location, StockBalance, StockMove
from apps.inventory.selectors import stock_balance_list
from apps.orders.enums import CountStatus, OrderStatus
from apps.orders.models import DayEndCount, Order, RoutePlan


def on_day(day: date) -> Q:
    """Orders that belong to ``day``: scheduled for it, or partly delivered
    earlier and still waiting for the rest (they stay on the driver's day)."""
    return Q(scheduled_for=day) | Q(scheduled_for__lt=day, status=OrderStatus.PARTLY_DELIVERED)


def order_list(*, user) -> QuerySet[Order]:
    """The office sees every order; a driver only their own orders for today
    (with those partly delivered earlier)."""
    qs = Order.objects.select_related("customer", "driver").prefetch_related("lines").order_by("scheduled_for", "id")
    return scope_by_role(qs, user, driver_rule=lambda driver: on_day(timezone.localdate()) & Q(driver=driver))


def route_plan_list(*, user) -> QuerySet[RoutePlan]:
    qs = RoutePlan.objects.select_related("driver", "start_depot").prefetch_related("stops__order__customer")
    return scope_by_role(qs, user, driver="driver")


def day_end_count_list(*, user) -> QuerySet[DayEndCount]:
    qs = DayEndCount.objects.select_related("driver", "vehicle", "counted_by", "adjustment").prefetch_related("lines")
    return scope_by_role(qs, user, driver="driver", vehicle="vehicle")


def day_orders(*, driver, day: date) -> list[Order]:
    """The driver's orders for the day in route order: planned stops first (in
    sequence), then any order not on the plan, by id. An order partly
    delivered on an earlier day stays on the day until it is complete."""
    orders = list(
        Order.objects.filter(on_day(day), driver=driver)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("customer")
        .prefetch_related("lines__cylinder_type")
        .order_by("id")
    )
    plan = RoutePlan.objects.filter(driver=driver, date=day).first()
    position, planned = {}, {}
    if plan is not None:
        for order_id, sequence, eta, opens, closes in plan.stops.values_list(
            "order_id", "sequence", "eta", "window_start", "window_end"
        ):
            eta = timezone.localtime(eta) if eta is not None else None  # Singapore time, as the API renders it
            position[order_id], planned[order_id] = sequence, (eta, opens, closes)
    for order in orders:
        order.planned_stop = planned.get(order.pk, (None, None, None))  # type: ignore[attr-defined]
    return sorted(orders, key=lambda o: (o.pk not in position, position.get(o.pk, 0), o.pk))


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class DayTotals:
    loaded: int  # fulls from the depot onto the truck (COLLECTION)
    delivered: int  # fulls to customers (DELIVERY)
    collected: int  # cylinders picked up from customers (RETURN)
    returned: int  # cylinders back to the depot (EMPTY_RETURN, FULL_RETURN)

    def as_dict(self) -> dict:
        return {
            "loaded": self.loaded,
            "delivered": self.delivered,
            "collected": self.collected,
            "returned": self.returned,
        }


def vehicle_day_totals(*, vehicle, day: date) -> DayTotals:
    """What moved on and off the truck that day (Singapore date of the device time)."""
    start, end = _day_bounds(day)
    truck = Location.objects.filter(vehicle=vehicle).first()
    if truck is None:
        return DayTotals(0, 0, 0, 0)
    moves = StockMove.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    out = dict(
        moves.filter(from_location=truck)
        .values("movement_type")
        .annotate(q=Sum("quantity"))
        .values_list("movement_type", "q")
    )
    inbound = dict(
        moves.filter(to_location=truck)
        .values("movement_type")
        .annotate(q=Sum("quantity"))
        .values_list("movement_type", "q")
    )
    return DayTotals(
        loaded=inbound.get(MovementType.COLLECTION, 0),
        delivered=out.get(MovementType.DELIVERY, 0),
        collected=inbound.get(MovementType.RETURN, 0),
        returned=out.get(MovementType.EMPTY_RETURN, 0) + out.get(MovementType.FULL_RETURN, 0),
    )


def vehicle_stock(*, driver) -> list[dict]:
    """The driver's truck, through the inventory selector's role scoping."""
    rows = stock_balance_list(user=driver).filter(location__vehicle_id=driver.vehicle_id)
    return [
        {
            "cylinder_type": r.cylinder_type_id,
            "cylinder_type_name": r.cylinder_type.name,
            "full_qty": r.full_qty,
            "empty_qty": r.empty_qty,
        }
        for r in rows
    ]


def my_day(*, driver, day: date) -> dict:
    """The driver's screen: truck stock, stops in route order with what each
    customer ordered and holds, and the day's totals so far."""
    vehicle = driver.vehicle
    orders = day_orders(driver=driver, day=day)
    customer_ids = {o.customer_id for o in orders}
    balances: dict[int | None, list[dict]] = {}
    for row in (
        StockBalance.objects.filter(location__customer_id__in=customer_ids)
        .select_related("location")
        .order_by("cylinder_type_id")
    ):
        balances.setdefault(row.location.customer_id, []).append(
            {"cylinder_type": row.cylinder_type_id, "full_qty": row.full_qty, "empty_qty": row.empty_qty}
        )
    # cylinders held and deposits per stop: one more query for all stops
    held = customers_cylinders_held(
        {c: {b["cylinder_type"]: b["full_qty"] + b["empty_qty"] for b in balances.get(c, [])} for c in customer_ids}
    )
    stops = [
        {
            "id": o.pk,
            "sequence": n,
            "order": o.pk,
            "status": o.status,
            "customer": {
                "id": o.customer_id,
                "name": o.customer.name,
                "address": o.customer.site_address,
                "postal_code": o.customer.postal_code,
                "phone": o.customer.phone,
                "kind": o.customer.kind,
            },
            "scheduled_for": o.scheduled_for,
            "notes": o.notes,
            "lines": [
                {
                    "cylinder_type": line.cylinder_type_id,
                    "name": line.cylinder_type.name,
                    "quantity": line.quantity,
                    "delivered": line.delivered_quantity,
                    "remaining": line.remaining_quantity,
                }
                for line in o.lines.all()
            ],
            **dict(
                zip(("eta", "window_start", "window_end"), getattr(o, "planned_stop", (None, None, None)), strict=True)
            ),
            "customer_balance": balances.get(o.customer_id, []),
            **held[o.customer_id],
        }
        for n, o in enumerate(orders, start=1)
    ]
    return {
        "date": day,
        "driver": {"id": driver.pk, "name": driver.name},
        "vehicle": {"id": vehicle.pk, "plate_number": vehicle.plate_number} if vehicle else None,
        "stock": vehicle_stock(driver=driver) if vehicle else [],
        "stops": stops,
        "totals": vehicle_day_totals(vehicle=vehicle, day=day).as_dict()
        if vehicle
        else DayTotals(0, 0, 0, 0).as_dict(),
    }


def collected(*, driver, day: date, method: str) -> Decimal:
    """Money the driver took that day by ``method`` (billing's Payment rows):
    payments the driver recorded, and those taken at the door on the
    driver's deliveries (a CASH or PAYNOW delivery pays its invoice in the
    same transaction, received at the delivery's time). Summed in Decimal in
    Python, so the figure is exact on every database."""
    from django.apps import apps

    try:
        payment = apps.get_model("billing", "Payment")
    except LookupError:  # billing payments not installed
        return Decimal("0.00")
    start, end = _day_bounds(day)
    amounts = (
        payment.objects.filter(method=method, received_at__gte=start, received_at__lt=end)
        .filter(
            Q(recorded_by=driver) | Q(invoice__delivery__driver=driver, received_at=F("invoice__delivery__occurred_at"))
        )
        .distinct()
        .values_list("amount", flat=True)
    )
    return sum(amounts, Decimal("0")).quantize(Decimal("0.01"))


def cash_collected(*, driver, day: date) -> Decimal:
    """Cash the driver collected that day (door payments included)."""
    return collected(driver=driver, day=day, method="CASH")


def day_summary(*, driver, day: date) -> dict:
    vehicle = driver.vehicle
    totals = vehicle_day_totals(vehicle=vehicle, day=day) if vehicle else DayTotals(0, 0, 0, 0)
    count = (
        DayEndCount.objects.filter(driver=driver, date=day)
        .exclude(status=CountStatus.RETURNED)
        .prefetch_related("lines__cylinder_type")
        .order_by("-id")
        .first()
    )
    variance = []
    if count is not None:
        variance = [
            {
                "cylinder_type": line.cylinder_type_id,
                "cylinder_type_name": line.cylinder_type.name,
                "state": line.state,
                "counted": line.counted_qty,
                "ledger": line.ledger_qty,
                "variance": line.variance,
            }
            for line in count.lines.all()
            if line.variance
        ]
    return {
        "date": day,
        "driver": {"id": driver.pk, "name": driver.name},
        "vehicle": {"id": vehicle.pk, "plate_number": vehicle.plate_number} if vehicle else None,
        **totals.as_dict(),
        "count": None if count is None else {"id": count.pk, "status": count.status},
        "variance": variance,
        "cash_collected": str(cash_collected(driver=driver, day=day)),
        "paynow_collected": str(collected(driver=driver, day=day, method="PAYNOW")),
    }
