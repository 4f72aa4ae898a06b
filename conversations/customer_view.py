"""What a customer may see of their own conversation (the web chat widget), never more.

Agents see everything; a customer sees only inbound and outbound messages,
never private notes or system lines, and only messages of identities they
have proven:
- an anonymous visitor sees the messages of its own identity only;
- a verified visitor sees its own identity and every verified identity of
  the customer (WhatsApp, email, SMS...), i.e. the history of all channels.
An address someone merely typed (an unverified identity) never opens
anybody's history.
"""
from django.db.models import Q

from .models import Identity, Message

CUSTOMER_VISIBLE_DIRECTIONS = (Message.Direction.INBOUND, Message.Direction.OUTBOUND)


def identity_of(kind, address):
    return Identity.objects.select_related("customer__conversation").filter(kind=kind, address=address).first()


def visible_messages(identity, proven):
    """Messages the holder of `identity` may see; `proven` when the identity was verified just now."""
    conversation = identity.customer.conversation
    seen_identities = Q(identity=identity)
    if proven:
        seen_identities |= Q(identity__customer_id=identity.customer_id, identity__verified=True)
    return (
        Message.objects.filter(conversation=conversation, direction__in=CUSTOMER_VISIBLE_DIRECTIONS)
        .filter(seen_identities)
        .select_related("channel", "author__agent")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
