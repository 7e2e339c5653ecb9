from celery import shared_task

from apps.audit.sealer import seal_pending


@shared_task(name="apps.audit.tasks.seal_audit", ignore_result=True)
def seal_audit() -> int:
    """Celery beat's sealing pass (every AUDIT_SEAL_INTERVAL seconds). Skips
    when another sealer holds the chain head: that one takes the rows."""
    return seal_pending(skip_locked=True).sealed
