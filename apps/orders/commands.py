"""The writes of this app (see ``apps/core/commands.py``)."""

from datetime import date

from django.utils import timezone

from apps.core.commands import Command, register
from apps.orders import policies, services
from apps.orders.imports import OrdersCreated
from apps.orders.models import DayEndCount
from apps.orders.serializers import (
    DayEndCountInput,
    DayEndCountSerializer,
    OrdersCreatedOutput,
    OrdersImportInput,
    RepeatOrdersGenerateInput,
)


def day_end_count_submit(
    *, actor, driver=None, day: date | None = None, lines: list[dict], note: str = ""
) -> DayEndCount:
    """Whose truck (``policies.day_driver``: a driver their own, the office or
    depot staff name one) and which day (default today), then the service."""
    return services.day_end_count_record(
        actor=actor, driver=policies.day_driver(actor, driver), day=day or timezone.localdate(), lines=lines, note=note
    )


DAY_END_COUNT_CREATE = register(
    Command(
        name="day_end_count.create",
        input=DayEndCountInput,
        service=day_end_count_submit,
        output=DayEndCountSerializer,
        authorize=policies.day_end_count_allowed,
    )
)

# POST /api/orders/import/ and the admin's "Import orders (CSV)" page.
ORDERS_IMPORT = register(
    Command(
        name="orders.import",
        input=OrdersImportInput,
        service=services.orders_import,
        output=OrdersCreatedOutput,
        authorize=policies.dispatcher_required,
    )
)


def repeat_orders_generate_submit(*, actor, day: date) -> OrdersCreated:
    return OrdersCreated(orders=services.repeat_orders_generate(actor=actor, day=day))


REPEAT_ORDERS_GENERATE = register(
    Command(
        name="repeat_orders.generate",
        input=RepeatOrdersGenerateInput,
        service=repeat_orders_generate_submit,
        output=OrdersCreatedOutput,
        authorize=policies.dispatcher_required,
    )
)
