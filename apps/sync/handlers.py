"""The event types the sync endpoint accepts: every command of the registry
(``apps/core/commands.py``) marked ``sync_event``. An event runs its command
exactly as the online call does (the same role gate, input serializer,
idempotency scope and service), with the event id as the Idempotency-Key and
the event's ``occurred_at`` passed to the service.

Adding a type is one ``register(Command(..., sync_event=True))`` in the app's
``commands.py``."""

import uuid
from datetime import datetime

from apps.core.commands import sync_command
from apps.core.idempotency import IdempotentResult


def event_type_known(event_type: str | None) -> bool:
    return isinstance(event_type, str) and sync_command(event_type) is not None


def event_apply(*, event_type: str, actor, payload: dict, occurred_at: datetime, key: uuid.UUID) -> IdempotentResult:
    """Run the event's command; raises what the online call would (``ApplicationError``, ...)."""
    command = sync_command(event_type)
    if command is None:  # pragma: no cover - checked by event_type_known first
        raise KeyError(event_type)
    return command.submit(actor=actor, payload=payload, key=key, occurred_at=occurred_at)
