"""What rule conditions look at: the conversation as it is now, and the message that triggered the rule."""
from django.utils import timezone

from conversations.models import Conversation, CsatRating, Message


def load(conversation_id, message_id=None):
    """(conversation, triggering message or None), fresh from the database."""
    conversation = Conversation.objects.select_related("customer", "last_inbound_channel", "team").get(
        pk=conversation_id)
    message = None
    if message_id:
        message = Message.objects.select_related("channel").filter(pk=message_id,
                                                                   conversation_id=conversation_id).first()
    return conversation, message


class Facts(dict):
    """Facts by name; the costly ones (business hours, sentiment) are read only when a condition asks."""

    def __init__(self, values, readers):
        super().__init__(values)
        self._readers = readers

    def get(self, key, default=None):
        if key not in self and key in self._readers:
            self[key] = self._readers.pop(key)()
        return super().get(key, default)


def _business_hours(conversation):
    from routing import calendars
    from routing.schedules import conversation_schedule

    return "open" if calendars.is_open(conversation_schedule(conversation), timezone.now()) else "closed"


def _sentiment(message, score):
    """The customer message's sentiment, scored now (when `score`) if the model has not got to it yet."""
    from insights.actions.sentiment import score_messages
    from insights.conditions import message_sentiment

    if message is None:
        return None
    sentiment = message_sentiment(message.pk)
    if sentiment is None and score and message.text:
        score_messages([message.pk])
        sentiment = message_sentiment(message.pk)
    return sentiment


def facts_for(conversation, message=None, details=None, score_sentiment=True):
    """The facts of `conversation`; `details` are the event's own (an SLA event's metric).

    `score_sentiment=False` reads only scores already made (a dry run over 100 conversations, in a request,
    must not run the sentiment model on each)."""
    customer_message = message if message is not None and message.direction == Message.Direction.INBOUND else (
        Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
        .order_by("-created_at", "-id").first()
    )
    channel = (message.channel if message is not None and message.channel_id else conversation.last_inbound_channel)
    values = {
        "channel_kind": channel.kind if channel else None,
        "status": conversation.status,
        "priority": conversation.priority,
        "team": conversation.team_id,
        "assignee": conversation.assignee_id,
        "labels": list(conversation.labels.values_list("name", flat=True)),
        "text": customer_message.text if customer_message else "",
        "automatic": bool(customer_message and customer_message.metadata.get("automatic")),
        # The customer wrote and nobody has answered yet.
        "waiting": conversation.waiting_since is not None,
        "language": conversation.customer.language or None,
        "sla_metric": (details or {}).get("sla_metric"),
    }
    sentiment = []

    def scored():
        if not sentiment:
            sentiment.append(_sentiment(customer_message, score_sentiment))
        return sentiment[0]

    readers = {
        "csat": lambda: CsatRating.objects.filter(cycle__conversation=conversation).order_by("-updated_at")
        .values_list("rating", flat=True).first(),
        "business_hours": lambda: _business_hours(conversation),
        "sentiment": lambda: scored().label if scored() else None,
        "sentiment_score": lambda: scored().score if scored() else None,
    }
    for key, value in (conversation.customer.attributes or {}).items():
        values[f"customer.attributes.{str(key).lower()}"] = value
    return Facts(values, readers)
