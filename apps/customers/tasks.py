from celery import shared_task
from django.conf import settings


@shared_task(bind=True, ignore_result=True, acks_late=True)
def contact_invite_send(self, invite_id: int, token: str) -> None:
    """E-mail one invite link, retried like the statements (apps.finance.tasks).
    The token exists only here and in the e-mail; the database keeps its hash."""
    from apps.customers.services import invite_email_send

    try:
        invite_email_send(invite_id=invite_id, token=token)
    except Exception as exc:
        if self.request.retries >= settings.FINANCE_EMAIL_MAX_RETRIES:
            raise
        countdown = settings.FINANCE_EMAIL_RETRY_BASE_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=countdown, max_retries=settings.FINANCE_EMAIL_MAX_RETRIES) from exc
