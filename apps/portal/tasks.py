from celery import shared_task
from django.conf import settings


@shared_task(bind=True, ignore_result=True, acks_late=True)
def order_notify(self, event: str, order_id: int, delivery_id: int | None = None) -> None:
    """Decide, record and send one order e-mail (apps.portal.notifications),
    retried with back-off like the finance e-mails. Idempotent: the row is
    recorded once per (order, kind, key) and a SENT row is never sent again.
    The delivered e-mail waits (a retry) for the invoice PDF billing renders
    after commit; on its last wait it renders the PDF itself."""
    from apps.finance.backoff import retry_delay
    from apps.portal.notifications import PdfNotReady, order_notification_prepare, order_notification_send

    max_retries = settings.FINANCE_EMAIL_MAX_RETRIES
    retries = self.request.retries
    notification_id = order_notification_prepare(event=event, order_id=order_id, delivery_id=delivery_id)
    if notification_id is None:
        return
    try:
        order_notification_send(
            notification_id=notification_id,
            final=retries >= max_retries,
            may_render=retries >= min(settings.ORDER_EMAIL_PDF_WAITS, max_retries),
        )
    except PdfNotReady as exc:
        raise self.retry(exc=exc, countdown=10 * 2**retries, max_retries=max_retries) from exc
    except Exception as exc:
        if retries >= max_retries:
            return
        raise self.retry(exc=exc, countdown=retry_delay(retries + 1), max_retries=max_retries) from exc


@shared_task(ignore_result=True, acks_late=True)
def order_notification_resend(notification_id: int) -> None:
    """One more attempt at a recorded e-mail a lost task left (queued by
    ``order_notification_sweep``; its next attempt, if this fails, is the
    sweep's again). The last of FINANCE_EMAIL_MAX_RETRIES + 1 attempts is final."""
    from apps.portal.models import OrderNotification
    from apps.portal.notifications import order_notification_send

    attempts = OrderNotification.objects.filter(pk=notification_id).values_list("attempts", flat=True).first()
    if attempts is None:
        return
    try:
        order_notification_send(
            notification_id=notification_id, final=attempts >= settings.FINANCE_EMAIL_MAX_RETRIES, may_render=True
        )
    except Exception:  # recorded on the row by the attempt; the sweep tries again after the back-off
        return


@shared_task(ignore_result=True)
def order_notification_sweep() -> None:
    """Celery beat, every FINANCE_EMAIL_SWEEP_SECONDS: order e-mails a lost task left."""
    from apps.portal.notifications import order_notification_sweep as sweep

    sweep()
