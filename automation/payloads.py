"""What an outgoing webhook carries: the public shape of a conversation, a message or a merge, read by id."""
from conversations import events
from conversations.models import Conversation, Message


def conversation_event(conversation_id):
    conversation = Conversation.objects.select_related("customer", "last_message__channel").get(pk=conversation_id)
    return events.conversation_payload(conversation)


def message_event(message_id):
    message = Message.objects.select_related("channel", "conversation").get(pk=message_id)
    return events.message_payload(message)


def merge_event(source_id, target_id, undone):
    return {"source_customer": source_id, "target_customer": target_id, "undone": bool(undone)}


def sla_event(conversation_id, clock_id, metric):
    """The conversation, and which of its SLA clocks warned or was breached."""
    from routing.models import SlaClock

    clock = SlaClock.objects.filter(pk=clock_id).values("due_at", "breached_at", "target_seconds").first() or {}
    return {**conversation_event(conversation_id), "sla": {
        "clock": clock_id, "metric": metric, "target_seconds": clock.get("target_seconds"),
        "due_at": clock["due_at"].isoformat() if clock.get("due_at") else None,
        "breached_at": clock["breached_at"].isoformat() if clock.get("breached_at") else None}}
