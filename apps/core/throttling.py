"""What a throttle does when its counts cannot be read: DRF keeps them in the
cache, Redis in production, and a cache that is not reachable raises from
``cache.get``/``cache.set`` inside ``allow_request``.

- A rate that only keeps one user from hammering the server (sync, the
  customer's export, token refresh) **fails open**: the request goes through
  uncounted, WARNING on ``apps.core.throttling``. The phones' sync, the
  system's main write path, goes on while Redis is away (docs/operations.md,
  failure drill b).
- A rate that guards a credential against guessing (sign-in, password change,
  accepting an invite) **fails closed**: 503 ``throttle_unavailable``, nothing
  done, ERROR logged; the user tries again once the cache is back.
"""

import logging

from redis.exceptions import RedisError

from apps.core.exceptions import ThrottleUnavailable

log = logging.getLogger("apps.core.throttling")

# What the cache backends raise when their server is away (Django's RedisCache
# raises redis-py's errors; a socket-level failure may surface as OSError).
CACHE_DOWN = (RedisError, OSError)


class _CountedInCache:
    """Mixed in before a DRF throttle: what ``allow_request`` does when the count
    cannot be read or written (``fail_open``: allowed; else 503)."""

    fail_open: bool

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except CACHE_DOWN as exc:
            name = type(self).__name__
            if self.fail_open:
                log.warning("throttle %s not counted (cache unreachable), request allowed: %r", name, exc)
                return True
            log.error("throttle %s unavailable (cache unreachable), request refused: %r", name, exc)
            raise ThrottleUnavailable() from exc


class FailOpen(_CountedInCache):
    """The request is allowed, uncounted, while the cache is away."""

    fail_open = True


class FailClosed(_CountedInCache):
    """503 ``throttle_unavailable`` while the cache is away."""

    fail_open = False
