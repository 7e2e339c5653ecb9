from celery import shared_task


@shared_task(ignore_result=True, autoretry_for=(OSError,), max_retries=3, default_retry_delay=30)
def invoice_render_pdf(invoice_id: int) -> None:
    """Queued with transaction.on_commit once an invoice is issued."""
    from apps.billing.services import invoice_pdf_render

    invoice_pdf_render(invoice_id=invoice_id)
