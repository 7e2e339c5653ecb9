from celery import shared_task


@shared_task(ignore_result=True)
def purge_personal_data() -> None:
    """Celery beat, daily off-peak (CELERY_BEAT_SCHEDULE "purge-personal-data")."""
    from apps.deliveries.services import personal_data_purge

    personal_data_purge()


@shared_task(ignore_result=True)
def invoice_pdf_sweep() -> None:
    """Celery beat, every INVOICE_PDF_SWEEP_SECONDS: the invoice PDFs a lost task left undone."""
    from apps.deliveries.services import invoice_pdf_sweep as sweep

    sweep()
