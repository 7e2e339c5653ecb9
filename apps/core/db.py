"""Database helpers shared by the services: bounded retry of a whole
transaction when the database reports a deadlock or a lock-wait timeout."""

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import OperationalError, connection

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_MYSQL_RETRYABLE = {1205, 1213}  # lock wait timeout, deadlock
_POSTGRES_RETRYABLE = {"40P01", "40001", "55P03"}  # deadlock, serialization, lock not available


def is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in _POSTGRES_RETRYABLE:
        return True
    args = getattr(cause, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_RETRYABLE:
        return True
    return "database is locked" in str(exc) or "deadlock" in str(exc).lower()


def retry_on_conflict[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` (which opens its own transaction) again when the database
    reports a deadlock or lock timeout, a bounded number of times. Inside an
    outer transaction a retry cannot help, so the error is raised at once."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempts = settings.LEDGER_MAX_RETRIES
        for attempt in range(1, attempts + 1):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if connection.in_atomic_block or not is_retryable(exc) or attempt == attempts:
                    raise
                logger.info("retrying %s after %s (attempt %d)", fn.__name__, exc, attempt)
                time.sleep(random.uniform(0.005, 0.05) * attempt)
        raise AssertionError("unreachable")

    return wrapper
