"""The event types the sync endpoint accepts: type -> handler. A handler
validates the payload exactly as the online endpoint does, then runs the same
service under ``run_idempotent`` with the same scope and canonical payload, so
the event id and the online Idempotency-Key are one and the same key.

Adding a type is one entry in ``EVENT_HANDLERS``."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from apps.core.idempotency import IdempotentResult, run_idempotent


class EventHandler(Protocol):
    def __call__(
        self, *, actor, payload: dict, occurred_at: datetime, key: uuid.UUID
    ) -> IdempotentResult: ...  # pragma: no cover


def distribution_create_event(*, actor, payload: dict, occurred_at: datetime, key: uuid.UUID) -> IdempotentResult:
    from apps.distribution.submit import distribution_submit

    return distribution_submit(actor=actor, payload=payload, key=key, occurred_at=occurred_at)


def delivery_create_event(*, actor, payload: dict, occurred_at: datetime, key: uuid.UUID) -> IdempotentResult:
    from apps.deliveries.services import delivery_body, delivery_create, delivery_payload_validate

    data = delivery_payload_validate(payload)
    return run_idempotent(
        key=key,
        scope="delivery.create",
        payload=data.canonical(),
        user=actor,
        action=lambda: delivery_body(delivery_create(actor=actor, occurred_at=occurred_at, **data.service_kwargs())),
    )


EVENT_HANDLERS: dict[str, Callable[..., IdempotentResult]] = {
    "distribution.create": distribution_create_event,
    "delivery.create": delivery_create_event,
}
