"""Receivers of the core's after-commit signals."""
from django.conf import settings


def enqueue_sentiment(sender, message_id, **kwargs):
    if not settings.INSIGHTS_SENTIMENT_ON_ARRIVAL:
        return
    from .tasks import score_message

    score_message.delay(message_id)
