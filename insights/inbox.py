"""What the console's inbox asks of sentiment: a filter by mood and a "most negative first" order."""
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .models import SentimentLabel

SENTIMENT_CHOICES = [("", _("Any mood")), *SentimentLabel.choices]
WAITING, MOST_NEGATIVE = "waiting", "negative"
SORT_CHOICES = [(WAITING, _("Longest waiting first")), (MOST_NEGATIVE, _("Most negative first"))]
SCALE = 10**6


def with_mood(queryset, label):
    """Conversations whose latest scored customer message has `label` (all when empty)."""
    return queryset.filter(sentiment__label=label) if label else queryset


def ordering(sort):
    """The order_by of the inbox for `sort`, or None for the inbox's own (longest waiting first)."""
    if sort != MOST_NEGATIVE:
        return None
    return [F("sentiment__score").asc(nulls_last=True), F("waiting_since").asc(nulls_last=True),
            F("last_message_at").desc(nulls_last=True), "-id"]


def sort_key(conversation, waiting_key):
    """The browser's ordering string for a row under MOST_NEGATIVE: lowest score first, unscored last."""
    mood = getattr(conversation, "sentiment", None)
    if mood is None:
        return f"1{waiting_key}"
    return f"0{int((mood.score + 1) * SCALE):08d}{waiting_key}"
