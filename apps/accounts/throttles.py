"""Login throttling: per client IP (every attempt counts) and per account
(failed attempts count). The account key ignores X-Forwarded-For, so rotating
forged client addresses does not reset a lock-out.

The account is the one the database would match, not the spelling sent: on
MariaDB (utf8mb4_general_ci) ``exámple.com``, ``éxample.com`` and
``EXAMPLE.com`` all sign in to ``example.com``, so each spelling must not get
its own counter. The key is the user id of the account found by a
case-insensitive lookup of the address as sent or of its normalised form
(case-folded, NFKD, combining marks removed); for an unknown address, that
normalised form."""

import hashlib
import logging
import unicodedata

from rest_framework.throttling import SimpleRateThrottle

from apps.core.throttling import CACHE_DOWN, FailClosed, FailOpen


class _PerAddress(SimpleRateThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginIPThrottle(FailClosed, _PerAddress):
    """Sign-in, password change, invite acceptance per client address; 503
    ``throttle_unavailable`` while the cache is away (apps.core.throttling)."""


class RefreshIPThrottle(FailOpen, _PerAddress):
    """Token refresh, the same count; it needs a valid refresh token, not a
    guess, so it goes on while the cache is away (the phones keep syncing)."""


def normalised_identity(email: str) -> str:
    """Case-folded, compatibility-decomposed, without combining marks."""
    decomposed = unicodedata.normalize("NFKD", email.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _lookup_safe(value: str) -> bool:
    return 0 < len(value) <= 254 and value.isprintable()  # no NUL, no lone surrogates


def login_identity(email: str) -> str:
    """The throttle identity for an e-mail as sent: ``user:<id>`` or ``email:<normalised>``."""
    from apps.accounts.models import User

    normalised = normalised_identity(email)[:254]
    for candidate in dict.fromkeys((email.strip()[:254], normalised)):
        if _lookup_safe(candidate):
            user_id = User.objects.filter(email__iexact=candidate).values_list("pk", flat=True).first()
            if user_id is not None:
                return f"user:{user_id}"
    return f"email:{normalised}"


class LoginEmailThrottle(FailClosed, SimpleRateThrottle):
    """Counts failures only; while over the rate every attempt for that e-mail
    is refused, the right password included."""

    scope = "login_email"
    num_requests: int  # set by SimpleRateThrottle.__init__ from parse_rate
    duration: int

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request, "data") and isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email:
            return None
        identity = getattr(request, "_login_identity", None)
        if identity is None:
            identity = request._login_identity = login_identity(email)
        # Hashed: any cache backend accepts the key, whatever the client sent.
        ident = hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests or self.throttle_failure()

    def record_failure(self, request, view) -> None:
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return
        try:
            history = [t for t in self.cache.get(self.key, []) if t > self.timer() - self.duration]
            history.insert(0, self.timer())
            self.cache.set(self.key, history, self.duration)
        except CACHE_DOWN as exc:  # gone since allow_request: the 401 stands, the count is lost
            logging.getLogger("apps.core.throttling").error("failed sign-in not counted (cache unreachable): %r", exc)

    def parse_rate(self, rate):
        # Accept "5/15min" as well as DRF's "5/min".
        if rate is None:
            return (None, None)
        num, period = rate.split("/")
        digits = "".join(ch for ch in period if ch.isdigit()) or "1"
        unit = period.lstrip("0123456789")[0]
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
        return int(num), int(digits) * seconds
