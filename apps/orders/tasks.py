from celery import shared_task


@shared_task(name="apps.orders.tasks.generate_repeat_orders", ignore_result=True)
def generate_repeat_orders() -> int:
    """Celery beat, every morning (CELERY_BEAT_SCHEDULE): today's orders from
    the standing orders. Idempotent, so a second run (a restarted beat) makes nothing."""
    from django.utils import timezone

    from apps.orders.services import repeat_orders_generate

    return len(repeat_orders_generate(actor=None, day=timezone.localdate()))
