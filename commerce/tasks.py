from celery import shared_task
from django.conf import settings

from .connectors.base import FetchError

RETRY_BACKOFF_SECONDS = (10, 60, 300, 900, 3600)


@shared_task(name="commerce.process_delivery", bind=True, max_retries=None)
def process_delivery(self, delivery_id):
    from .actions.deliveries import process_delivery as process

    final = self.request.retries + 1 >= settings.STORE_FETCH_MAX_ATTEMPTS
    try:
        process(delivery_id, final_attempt=final)
    except FetchError as exc:
        countdown = RETRY_BACKOFF_SECONDS[min(self.request.retries, len(RETRY_BACKOFF_SECONDS) - 1)]
        raise self.retry(exc=exc, countdown=0 if settings.CELERY_TASK_ALWAYS_EAGER else countdown) from exc


@shared_task(name="commerce.apply_retention")
def apply_retention():
    """Store deliveries are raw inbound bodies too: kept RAW_INBOUND_RETENTION_DAYS, pending ones always."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import StoreDelivery

    days = settings.RAW_INBOUND_RETENTION_DAYS
    if not days:
        return 0
    old = StoreDelivery.objects.filter(received_at__lt=timezone.now() - timedelta(days=days)).exclude(
        state=StoreDelivery.State.PENDING)
    return old.delete()[0]
