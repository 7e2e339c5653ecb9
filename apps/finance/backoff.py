"""How long an e-mail that failed waits before its next attempt: the Celery
task's countdown (``tasks.email_send``), the sweep's notion of overdue
(``services.email_sweep``), what finance sees as the next attempt
(``selectors.email_next_attempt_at``) and the portal's order notifications
all read this one function, which imports nothing of the app."""

from django.conf import settings


def retry_delay(attempt: int) -> int:
    """Exponential back-off: base, 2 x base, 4 x base ... capped at six hours."""
    return min(settings.FINANCE_EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), 6 * 3600)
