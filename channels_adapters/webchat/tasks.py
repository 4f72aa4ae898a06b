"""An agent reply nobody saw in the widget goes by email, into the same conversation."""
import logging

from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.actions.replies import send_reply, unavailable_reason
from conversations.addresses import EMAIL
from conversations.channel_kinds import rules_for
from conversations.models import Channel, Message

from .realtime import is_connected, visitor_group

logger = logging.getLogger(__name__)


def email_channel_for(conversation, webchat_channel):
    """The channel that emails this customer: the webchat's `offline_email_channel`, else the first
    active email-capable channel of the conversation's team (or the widget's team) that can reach them."""
    chosen = webchat_channel.config.get("offline_email_channel")
    if chosen:
        candidates = Channel.objects.filter(pk=chosen, active=True)
    else:
        team_id = conversation.team_id or webchat_channel.team_id
        candidates = Channel.objects.filter(active=True, team_id=team_id).order_by("created_at")
    for channel in candidates:
        rules = rules_for(channel.kind)
        if rules.reaches_any_identity and rules.identity_kinds is not None and EMAIL in rules.identity_kinds \
                and not unavailable_reason(conversation.customer, channel):
            return channel
    return None


@shared_task(name="channels_adapters.webchat.email_unseen_reply")
def email_unseen_reply(message_id):
    message = (
        Message.objects.select_related("channel", "identity", "author", "conversation__customer")
        .filter(pk=message_id, direction=Message.Direction.OUTBOUND).first()
    )
    if message is None or message.identity is None or message.status in (Message.Status.READ, Message.Status.FAILED):
        return
    if message.metadata.get("email_fallback") is False:
        return  # meant for the widget only (a web chat campaign): it waits there for the next visit
    if is_connected(visitor_group(message.channel_id, message.identity.kind, message.identity.address)):
        return  # the visitor came back and has it on screen
    conversation = message.conversation
    if Message.objects.filter(conversation=conversation, metadata__email_fallback_for=message.pk).exists():
        return
    channel = email_channel_for(conversation, message.channel)
    if channel is None:
        return  # no email address known (or no email channel): the reply waits in the widget
    customer = conversation.customer
    with translation.override(customer.writing_language):
        subject = _("Our answer to your chat message")
        text = _("You wrote to us on our site's chat and left before we answered. Here is our answer:") + \
            f"\n\n{message.text}"
    try:
        send_reply(conversation, message.author, text, channel=channel,
                   metadata={"email_fallback_for": message.pk, "subject": subject})
    except ActionError as exc:
        logger.info("web chat reply %s not sent by email: %s", message_id, exc.message)
