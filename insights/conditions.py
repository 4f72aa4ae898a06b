"""Sentiment as a condition, for automation rules and anything else that asks "how did this read?"."""
from .models import MessageSentiment, SentimentLabel


def message_sentiment(message_id):
    """The MessageSentiment of a message, or None while it is not scored (or has no text)."""
    return MessageSentiment.objects.filter(message_id=message_id).first()


def sentiment_matches(message_id, labels=(), score_below=None, score_above=None):
    """True when the message is scored and its label is one of `labels` (any when empty) and its score
    is below / above the given bounds. An unscored message never matches."""
    unknown = set(labels) - set(SentimentLabel.values)
    if unknown:
        raise ValueError(f"unknown sentiment labels: {sorted(unknown)}")
    sentiment = message_sentiment(message_id)
    if sentiment is None:
        return False
    if labels and sentiment.label not in labels:
        return False
    if score_below is not None and not sentiment.score < score_below:
        return False
    if score_above is not None and not sentiment.score > score_above:
        return False
    return True
