"""What rule conditions look at: the conversation as it is now, and the message that triggered the rule."""
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


def facts_for(conversation, message=None):
    customer_message = message if message is not None and message.direction == Message.Direction.INBOUND else (
        Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
        .order_by("-created_at", "-id").first()
    )
    channel = (message.channel if message is not None and message.channel_id else conversation.last_inbound_channel)
    facts = {
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
        "csat": CsatRating.objects.filter(cycle__conversation=conversation).order_by("-updated_at")
        .values_list("rating", flat=True).first(),
    }
    for key, value in (conversation.customer.attributes or {}).items():
        facts[f"customer.attributes.{str(key).lower()}"] = value
    return facts
