"""Receivers of the core's after-commit signals."""


def enqueue_sentiment(sender, message_id, **kwargs):
    from .tasks import score_message

    score_message.delay(message_id)
