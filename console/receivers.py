"""What the console does when the domain tells it something happened (domain signals, after commit)."""
from .actions import csat


def ask_for_rating(sender, conversation_id, actor_id, **kwargs):
    csat.ask_on_resolve(conversation_id, actor_id)
