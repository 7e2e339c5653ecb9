from celery import shared_task


@shared_task(
    ignore_result=True, acks_late=True,
    autoretry_for=(OSError,), max_retries=3, default_retry_delay=30,
)  # fmt: skip
def invoice_render_pdf(invoice_id: int, again: bool = False) -> None:
    """Queued with transaction.on_commit once an invoice is issued (``again``:
    a signature was uploaded since the last render). Acknowledged after it ran,
    so a worker stopped mid-render gives it back to the broker; a worker killed
    outright leaves it to the sweep (``apps.deliveries.tasks.invoice_pdf_sweep``),
    not to a redelivery loop (a render that kills its process would come back
    for ever). Running it twice stores one PDF: the first render is skipped
    when a PDF is there."""
    from apps.billing.services import invoice_pdf_render

    invoice_pdf_render(invoice_id=invoice_id, only_if_missing=not again)
