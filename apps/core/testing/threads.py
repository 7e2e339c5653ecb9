"""Real threads against the configured database, for the concurrency tests:
on MariaDB/PostgreSQL they meet on row locks, on SQLite on WAL + IMMEDIATE
transactions (the test database is a file for that, see config/settings/test.py).
Tests using it need ``django_db(transaction=True)``: each thread opens its own
connection and sees only committed data."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_concurrently(fn: Callable[[int], Any], n: int, *, timeout: float = 300) -> list[Any]:
    """Run ``fn(0) .. fn(n - 1)`` in ``n`` threads released together by a
    barrier; each thread closes its database connection when done. Returns
    what each call returned, or the exception it raised, in thread order.
    Raises TimeoutError if a thread is still running after ``timeout``
    seconds (a deadlock the database did not break)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def runner(i: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[i] = fn(i)
        except Exception as exc:  # returned: the test's assertions report it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,), name=f"concurrent-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        raise TimeoutError(f"still running after {timeout}s: {stuck}")
    return results
