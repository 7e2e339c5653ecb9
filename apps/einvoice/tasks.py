from celery import shared_task
from django.conf import settings


@shared_task(ignore_result=True, autoretry_for=(OSError,), max_retries=3, default_retry_delay=30)
def einvoice_render_task(kind: str, document_id: int) -> None:
    """Queued after commit by billing's document_issued hook (customers with a Peppol ID)."""
    from apps.einvoice.services import einvoice_render

    einvoice_render(kind=kind, document_id=document_id)


@shared_task(bind=True, ignore_result=True, acks_late=True)
def einvoice_transmit(self, transmission_id: int) -> None:
    """One attempt; a transient failure is retried with exponential back-off
    up to EINVOICE_MAX_ATTEMPTS attempts (the service decides when to stop)."""
    from apps.einvoice.access_point import TransientError
    from apps.einvoice.services import retry_delay, transmission_attempt

    try:
        transmission_attempt(transmission_id=transmission_id)
    except TransientError as exc:
        # run eagerly (the embedded default) a retry would block the caller: the beat sweep retries when due
        if self.request.is_eager or self.request.retries + 1 >= settings.EINVOICE_MAX_ATTEMPTS:
            return
        raise self.retry(
            exc=exc, countdown=retry_delay(self.request.retries + 1), max_retries=settings.EINVOICE_MAX_ATTEMPTS
        ) from exc


@shared_task(ignore_result=True)
def einvoice_sweep() -> None:
    """Beat: documents of Peppol customers whose render task was lost, the
    attempts that are due (a lost task, a killed worker) and the status of
    sent ones; bounded by the attempts counted on each row."""
    from apps.einvoice.access_point import TransientError
    from apps.einvoice.enums import TransmissionStatus
    from apps.einvoice.models import Transmission
    from apps.einvoice.services import (
        due_transmissions,
        einvoice_render,
        missing_einvoices,
        transmission_attempt,
        transmission_refresh,
    )

    for kind, pk in missing_einvoices():
        einvoice_render(kind=kind, document_id=pk)

    for pk in list(due_transmissions()):
        try:
            transmission_attempt(transmission_id=pk)
        except TransientError:
            continue
    for pk in Transmission.objects.filter(status=TransmissionStatus.SENT).values_list("pk", flat=True)[:500]:
        try:
            transmission_refresh(transmission_id=pk)
        except TransientError:
            continue
