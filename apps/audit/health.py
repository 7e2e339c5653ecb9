"""Is this node fit to take writes? The database answers and every
append-only trigger is in place (``apps.audit.triggers.guard_problems``).

The restore drill (issue 26) showed why the second half matters: with the
triggers dropped by the database owner, the API kept recording writes and
nothing said so. Two probes report it:

- ``GET /api/health/`` (no sign-in; for nginx, docker and monitoring):
  200 ``{"status": "ok"}``, or 503 ``append_only_guard_missing`` with how
  many are missing (the names only in the CRITICAL log on
  ``apps.audit.health``: an anonymous caller learns nothing of the schema), or 503
  ``database_unavailable``. The trigger walk is cached per process for
  ``HEALTH_GUARD_TTL`` seconds so a probe every second costs the database
  little.
- ``manage.py check --deploy --database default``: the system check
  ``audit.E001`` (an error: the command exits 1). Only with ``--database``
  (Django runs database checks only then) and only under ``--deploy``, so
  ``migrate`` (which runs the database checks but not the deploy ones) is
  never blocked: migrate is what puts the triggers back."""

import logging
import time

from django.core import checks
from django.db import connections

from apps.audit.triggers import guard_problems

logger = logging.getLogger(__name__)

HEALTH_GUARD_TTL = 5.0
_cache: dict[str, tuple[float, list[str]]] = {}


def guard_problems_cached(alias: str = "default", ttl: float = HEALTH_GUARD_TTL) -> list[str]:
    """``guard_problems`` of ``alias``, at most ``ttl`` seconds old (per process).
    A database error propagates (the caller answers 503 database_unavailable)."""
    now = time.monotonic()
    hit = _cache.get(alias)
    if hit and now - hit[0] < ttl:
        return hit[1]
    problems = guard_problems(connections[alias])
    _cache[alias] = (now, problems)
    if problems:
        logger.critical("append-only guard missing on %s: %s", alias, "; ".join(problems))
    return problems


@checks.register(checks.Tags.database, deploy=True)
def check_append_only_guards(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for alias in databases or []:
        # A read-only replica carries the primary's triggers too; checked the same way.
        for problem in guard_problems(connections[alias]):
            errors.append(
                checks.Error(
                    f"append-only guard missing on database '{alias}': {problem}",
                    hint="Find out who dropped it (the audit chain, the binlog / server log), then "
                    "`manage.py migrate` reinstalls the triggers; run verify_audit_chain.",
                    id="audit.E001",
                )
            )
    return errors
