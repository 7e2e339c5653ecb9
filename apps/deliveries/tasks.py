from celery import shared_task


@shared_task(ignore_result=True)
def purge_personal_data() -> None:
    """Celery beat, daily off-peak (CELERY_BEAT_SCHEDULE "purge-personal-data")."""
    from apps.deliveries.services import personal_data_purge

    personal_data_purge()
