from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

from apps.core.throttling import FailOpen


class SyncRateThrottle(FailOpen, UserRateThrottle):
    """POST /api/sync/ per signed-in user: REST_FRAMEWORK DEFAULT_THROTTLE_RATES["sync"]
    (SYNC_RATE, default 60/min). Read per request, so settings overrides apply.
    Uncounted while the cache is away (apps.core.throttling): sync goes on."""

    scope = "sync"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
