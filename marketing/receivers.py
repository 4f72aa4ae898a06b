"""How the marketing layer hears the core: after-commit domain signals, ids only."""
from . import tasks


def after_inbound_message(sender, message_id, customer_id, **kwargs):
    """An inbound message may be an opt-out keyword, a reply to a campaign, and changes segment facts.

    Heard in the core's task after the message (conversations.tasks): the work runs there, no task of its own."""
    tasks.after_inbound_message(message_id, customer_id)


def refresh_segments(sender, customer_ids, **kwargs):
    """New events or orders may move customers into or out of dynamic segments."""
    for customer_id in customer_ids:
        tasks.refresh_customer.delay(customer_id)


# What a segment can say of a conversation: its labels, its status, its latest rating (not its assignee).
SEGMENT_FACTS = frozenset({"labels", "status", "csat"})


def after_conversation_change(sender, conversation_id, changed=frozenset(), **kwargs):
    if SEGMENT_FACTS & set(changed):
        tasks.refresh_conversation_customer.delay(conversation_id)
