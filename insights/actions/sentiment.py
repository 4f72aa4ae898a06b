"""Scoring customer messages (in the worker, after the message is committed) and reading the results."""
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from conversations import events
from conversations.models import Message

from ..models import ConversationSentiment, MessageSentiment
from ..sentiment.language import language_tag
from ..sentiment.scoring import score_texts
from .rollups import count_sentiment


def _unscored(message_ids):
    return list(
        Message.objects.filter(pk__in=message_ids, direction=Message.Direction.INBOUND, sentiment__isnull=True)
        .exclude(text="")
        .select_related("conversation", "channel")
        .order_by("created_at", "id")
    )


def _last_language(conversation_id):
    return (
        MessageSentiment.objects.filter(conversation_id=conversation_id)
        .order_by("-written_at").values_list("language", flat=True).first() or ""
    )


def _update_mood(record):
    """The conversation's mood becomes this score unless a later message was scored first: one upsert."""
    table = ConversationSentiment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (conversation_id, label, score, message_id, written_at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (conversation_id) DO UPDATE SET label = excluded.label, score = excluded.score, "
            "message_id = excluded.message_id, written_at = excluded.written_at "
            f"WHERE (excluded.written_at, excluded.message_id) >= ({table}.written_at, {table}.message_id)",
            [record.conversation_id, record.label, record.score, record.message_id,
             connection.ops.adapt_datetimefield_value(record.written_at)])


def score_messages(message_ids):
    """Score the inbound messages among `message_ids` that have text and no score yet; returns how many.

    The encoder runs outside any transaction; each message's score, its conversation's mood and the
    hourly rollup are then written together, once (a message already scored is skipped).
    """
    messages = _unscored(message_ids)
    if not messages:
        return 0
    results = score_texts(message.text for message in messages)
    now = timezone.now()
    written = 0
    languages = {}
    for message, result in zip(messages, results):
        conversation_id = message.conversation_id
        if conversation_id not in languages:
            languages[conversation_id] = _last_language(conversation_id)
        language = language_tag(message.text, fallback=languages[conversation_id])
        languages[conversation_id] = language
        if _store(message, result, language, now):
            written += 1
    return written


def _store(message, result, language, now):
    """Write one score with its mood and rollup, once; True when this call wrote it.

    A plain INSERT: a message scored meanwhile (or deleted) fails it and rolls back the mood and rollup too.
    """
    conversation_id = message.conversation_id
    try:
        with transaction.atomic():
            record = MessageSentiment.objects.create(
                message_id=message.pk, conversation_id=conversation_id, channel_id=message.channel_id,
                label=result.label, score=result.score, language=language, model_version=result.model_version,
                written_at=message.created_at, scored_at=now,
            )
            count_sentiment(record, message.conversation.team_id)
            _update_mood(record)
            # The console shows the new badge without a reload.
            events.message_updated(message)
    except IntegrityError:
        return False
    return True


def pending_message_ids(limit):
    """Inbound messages with text and no score, oldest first (the sweep's safety net for lost tasks)."""
    return list(
        Message.objects.filter(direction=Message.Direction.INBOUND, sentiment__isnull=True)
        .exclude(text="").order_by("id").values_list("id", flat=True)[:limit]
    )


def score_pending(limit=None):
    batch = settings.INSIGHTS_SENTIMENT_BATCH
    limit = limit or batch * 50
    total = 0
    ids = pending_message_ids(limit)
    for start in range(0, len(ids), batch):
        total += score_messages(ids[start:start + batch])
    return total
