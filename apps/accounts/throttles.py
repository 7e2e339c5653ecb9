"""Login throttling: per client IP (every attempt counts) and per e-mail
(failed attempts count). The e-mail key ignores X-Forwarded-For, so rotating
forged client addresses does not reset a lock-out."""

import hashlib

from rest_framework.throttling import SimpleRateThrottle


class LoginIPThrottle(SimpleRateThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginEmailThrottle(SimpleRateThrottle):
    """Counts failures only; while over the rate every attempt for that e-mail
    is refused, the right password included."""

    scope = "login_email"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request, "data") and isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email:
            return None
        # Hashed: any cache backend accepts the key, whatever the client sent.
        ident = hashlib.sha256(email.strip().lower()[:254].encode("utf-8", "replace")).hexdigest()
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
        history = [t for t in self.cache.get(self.key, []) if t > self.timer() - self.duration]
        history.insert(0, self.timer())
        self.cache.set(self.key, history, self.duration)

    def parse_rate(self, rate):
        # Accept "5/15min" as well as DRF's "5/min".
        if rate is None:
            return (None, None)
        num, period = rate.split("/")
        digits = "".join(ch for ch in period if ch.isdigit()) or "1"
        unit = period.lstrip("0123456789")[0]
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
        return int(num), int(digits) * seconds
