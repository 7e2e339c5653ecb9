"""What happened to orders, told after commit to whoever listens (today:
the customer's order e-mails, apps.portal.notifications). A hook, not a
rule: the writing services say "these orders were received / planned /
delivered" and the listener decides what to send. Sent only once the
transaction has committed, so a rolled-back write tells nobody, and a
listener's failure (a broker down) never undoes or fails the write."""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from apps.orders.enums import OrderEvent

log = logging.getLogger(__name__)

# kwargs: kind (OrderEvent), order_ids (tuple[int, ...]), delivery_id (int | None)
order_event = Signal()


def order_event_after_commit(kind: str, order_ids: Iterable[int], *, delivery_id: int | None = None) -> None:
    ids = tuple(sorted({int(pk) for pk in order_ids}))
    if not ids:
        return

    def send() -> None:
        for receiver, result in order_event.send_robust(
            sender=OrderEvent, kind=kind, order_ids=ids, delivery_id=delivery_id
        ):
            if isinstance(result, Exception):
                log.error("order event %s %s: %s failed: %r", kind, ids, receiver, result)

    transaction.on_commit(send)
