from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class SyncRateThrottle(UserRateThrottle):
    """POST /api/sync/ per signed-in user: REST_FRAMEWORK DEFAULT_THROTTLE_RATES["sync"]
    (SYNC_RATE, default 60/min). Read per request, so settings overrides apply."""

    scope = "sync"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
