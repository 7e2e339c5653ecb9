"""Queueing Celery tasks after the transaction commits.

``transaction.on_commit(lambda: task.delay(...))`` runs the ``delay`` inside
the request once the write has committed; with the broker (Redis) down, kombu
gives up after its publish retries and raises, and the client got a 500 for a
write that was recorded (the failure drill, issue 26: every delivery answered
500 for the minute Redis was stopped; the phone's resend was then replayed
from its idempotency record). A task that cannot be queued is logged at ERROR
on ``apps.core.background`` instead, and the write answers as it should. What
each task's loss means is documented where it is queued (docs/operations.md,
"Failure drill"): an invoice PDF is rendered when first downloaded, an e-mail
stays queued in the e-mail log."""

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_after_commit(task: Any, *args: Any) -> None:
    """``task.delay(*args)`` after the commit; a broker failure is logged, not raised.
    Only the first argument (an id) is logged: others may be secrets (an invite token)."""

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:  # kombu's OperationalError, redis' ConnectionError, ...: the broker is away
            logger.exception("task %s(%s, ...) not queued: the broker is unavailable", task.name, args[0])

    transaction.on_commit(send)
