from celery import shared_task
from django.conf import settings


@shared_task(bind=True, ignore_result=True, acks_late=True)
def email_send(self, log_id: int) -> None:
    """Send one queued e-mail (invoice or statement). A failure is recorded on
    the EmailLog and retried with exponential back-off; after the last retry
    the log is FAILED (visible in the admin and the API)."""
    from apps.finance.backoff import retry_delay
    from apps.finance.services import email_attempt

    max_retries = settings.FINANCE_EMAIL_MAX_RETRIES
    final = self.request.retries >= max_retries
    try:
        email_attempt(log_id=log_id, final=final)
    except Exception as exc:
        if final:
            return
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries + 1), max_retries=max_retries) from exc


@shared_task(ignore_result=True)
def email_sweep() -> None:
    """Celery beat, every FINANCE_EMAIL_SWEEP_SECONDS: e-mails a lost task left QUEUED."""
    from apps.finance.services import email_sweep as sweep

    sweep()
