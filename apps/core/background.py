"""Queueing Celery tasks after the transaction commits.

``transaction.on_commit(lambda: task.delay(...))`` runs the ``delay`` inside
the request once the write has committed; with the broker (Redis) down, kombu
gives up after its publish retries and raises, and the client got a 500 for a
write that was recorded (the failure drill, issue 26: every delivery answered
500 for the minute Redis was stopped; the phone's resend was then replayed
from its idempotency record). A task that cannot be queued is logged at ERROR
on ``apps.core.background`` instead, and the write answers as it should. What
each task's loss means is documented where it is queued (docs/operations.md,
"Failure drill"): the sweeps (Celery beat) queue it again once the broker is
back; an invoice PDF is also rendered when first downloaded.

``sweep_enqueue`` is the sweeps' side: a task a sweep queued is not queued
again while the worker may still be working through a backlog."""

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from apps.core.throttling import CACHE_DOWN

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


def sweep_enqueue(task: Any, *args: Any, state: tuple = ()) -> bool:
    """``task.delay(*args)`` for a sweep, unless a sweep queued the same call for the
    same ``state`` of its row (attempts, claim) less than SWEEP_REQUEUE_SECONDS ago
    (a marker in the cache). Behind a backlog every sweep would otherwise queue its
    whole batch again, ahead of the real work, as no-ops (seen in the failure drill:
    the worker spent most of its time on them). The tasks are idempotent, so with
    the cache away it queues anyway. True if queued."""
    call = ":".join(map(str, (task.name, *args, *state)))  # a claim's time has spaces: hashed for any backend
    key = "lpg:swept:" + hashlib.sha256(call.encode()).hexdigest()[:40]
    try:
        fresh = cache.add(key, 1, timeout=settings.SWEEP_REQUEUE_SECONDS)
    except CACHE_DOWN:
        fresh = True
    if fresh:
        task.delay(*args)
    return fresh
