from celery import shared_task

from .actions.sentiment import score_messages, score_pending


@shared_task(name="insights.score_message")
def score_message(message_id):
    return score_messages([message_id])


@shared_task(name="insights.score_pending_messages")
def score_pending_messages():
    return score_pending()


REFRESH_LOCK = "insights:refresh-rollups"
REFRESH_LOCK_SECONDS = 600


@shared_task(name="insights.refresh_rollups")
def refresh_rollups():
    """One refresh at a time (beat may fire again while a long one runs): the others give way."""
    from django.core.cache import cache

    from .actions.rollups import refresh_rollups as refresh

    if not cache.add(REFRESH_LOCK, 1, REFRESH_LOCK_SECONDS):
        return None
    try:
        return refresh(wait=False)
    finally:
        cache.delete(REFRESH_LOCK)


@shared_task(name="insights.send_weekly_summaries")
def send_weekly_summaries():
    from .actions.summaries import send_weekly_summaries as send

    return send()
