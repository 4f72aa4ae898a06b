"""Several people in one thread: a reply from someone other than the customer joins the conversation it answers.

A colleague who replies to all, or a family member the customer forwarded our
answer to, writes with In-Reply-To/References pointing at a message of
conversation X. On a channel where one message reaches several people
(email: Cc), that reply is stored in X as a message of a *participant*: their
own identity and customer, shown with their name. Their own conversation gets
a system line pointing to it, and the agent's replies in X go to the customer
with the participants in Cc.

An unproven claim never joins a thread: the sender's address must be one the
receiving server did not find forged (the same rule as every ingest), and the
reply must show it saw the thread - it answers one of our own messages of X
(Message-IDs nobody can guess), or a message of X that was addressed to it.
"""
from django.utils.translation import gettext as _

from .. import events
from ..channel_kinds import rules_for
from ..models import Conversation, Identity, Message
from .errors import ActionError

PARTICIPANT_REPLY_EVENT = "participant_reply"


def _addressed_to(message, address):
    metadata = message.metadata or {}
    recipients = [*metadata.get("to", []), *metadata.get("cc", [])]
    return address in {str(recipient).strip().lower() for recipient in recipients}


def thread_replied_to(channel, inbound, identity):
    """The conversation of another customer this inbound reply provably belongs to, or None."""
    if not inbound.reply_to or not rules_for(channel.kind).carbon_copies or not inbound.sender.verified:
        return None
    answered = (
        Message.objects.filter(channel=channel, external_id__in=list(inbound.reply_to),
                               direction__in=[Message.Direction.OUTBOUND, Message.Direction.INBOUND])
        .exclude(conversation__customer_id=identity.customer_id)
        .select_related("conversation__customer")
        .order_by("-created_at", "-id")
    )
    for message in answered:
        if message.direction == Message.Direction.OUTBOUND or _addressed_to(message, identity.address):
            return message.conversation
    return None


def point_own_conversation(identity, message, new_customer, now):
    """A system line in the participant's own conversation, pointing at the thread their reply joined."""
    own = Conversation.objects.select_related("customer").get(customer_id=identity.customer_id)
    thread = message.conversation
    data = {
        "event": PARTICIPANT_REPLY_EVENT,
        "conversation": thread.pk,
        "message": message.pk,
        "customer_name": str(thread.customer),
    }
    line = Message.objects.create(
        conversation=own,
        direction=Message.Direction.SYSTEM,
        text=f"Replied in the conversation of {data['customer_name']}",
        metadata=data,
        created_at=now,
    )
    if new_customer:
        # Nothing waits for an answer here: the thread lives in the conversation they replied to.
        own.status = Conversation.Status.RESOLVED
        own.save(update_fields=["status"])
    events.message_created(line)
    return line


def participants(conversation, channel):
    """Identities other than the customer's that wrote into `conversation` and `channel` can copy, oldest first."""
    rules = rules_for(channel.kind)
    if not rules.carbon_copies:
        return []
    identities = (
        Identity.objects.filter(messages__conversation=conversation, messages__direction=Message.Direction.INBOUND)
        .exclude(customer_id=conversation.customer_id)
        .select_related("customer")
        .order_by("created_at", "id")
        .distinct()
    )
    if rules.identity_kinds is not None:
        identities = identities.filter(kind__in=rules.identity_kinds)
    return list(identities)


def copied_addresses(conversation, channel, chosen=None):
    """The addresses a reply on `channel` copies: every participant, or the `chosen` addresses among them.

    An address that is not a participant of the conversation is refused (never an open relay).
    """
    known = [identity.address for identity in participants(conversation, channel)]
    if chosen is None:
        return known
    wanted = list(dict.fromkeys(str(address).strip().lower() for address in chosen if str(address).strip()))
    unknown = [address for address in wanted if address not in known]
    if unknown:
        raise ActionError(_("Only participants of this conversation can be copied: %(addresses)s is not one.") % {
            "addresses": ", ".join(unknown)}, field="cc")
    return wanted
