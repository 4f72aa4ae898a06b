"""Receivers of the core's after-commit signals."""
from django.conf import settings


def score_on_arrival(sender, message_id, **kwargs):
    """Heard in the core's task after the message (conversations.tasks): scored there, no task of its own."""
    if not settings.INSIGHTS_SENTIMENT_ON_ARRIVAL:
        return
    from .tasks import score_message

    score_message(message_id)
