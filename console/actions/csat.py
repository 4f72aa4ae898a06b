"""Asking customers for a rating from the console: by hand on any channel, or by itself on resolve per channel kind."""
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.actions import csat
from conversations.actions.errors import ActionError
from conversations.channel_kinds import known_kinds
from conversations.models import Conversation, Message
from conversations.visibility import sees_everything

from ..models import CsatPolicy

logger = logging.getLogger(__name__)

# The web chat asks in the widget itself when a conversation is resolved.
ASKS_BY_ITSELF = {"webchat"}


def configurable_kinds():
    return sorted(kind for kind in known_kinds() if kind not in ASKS_BY_ITSELF)


def link_already_sent(cycle):
    return Message.objects.filter(conversation_id=cycle.conversation_id, metadata__csat_cycle=cycle.pk).exists()


def askable_cycle(conversation):
    """The resolved cycle a rating can still be asked for (not rated, no link sent yet), or None."""
    cycle = csat.last_resolved_cycle(conversation)
    if cycle is None or hasattr(cycle, "csat") or link_already_sent(cycle):
        return None
    return cycle


def ask(conversation, agent, channel=None):
    """Send the rating link of the last resolved cycle on `channel` (default: where the customer last wrote)."""
    cycle = csat.last_resolved_cycle(conversation)
    if cycle is not None and link_already_sent(cycle):
        raise ActionError(_("A rating was already asked for this conversation."))
    return csat.send_csat_link(conversation, agent, channel=channel)


@transaction.atomic
def set_automatic(user, kinds):
    """Which channel kinds ask by themselves (the others only by hand); supervisors only."""
    if not sees_everything(user):
        raise ActionError(_("Only supervisors change how ratings are asked."))
    unknown = set(kinds) - set(configurable_kinds())
    if unknown:
        raise ActionError(_("Unknown channel kind: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))})
    now = timezone.now()
    for kind in configurable_kinds():
        CsatPolicy.objects.update_or_create(channel_kind=kind, defaults={
            "automatic": kind in kinds, "updated_by": user, "updated_at": now})


def automatic_kinds():
    return set(CsatPolicy.objects.filter(automatic=True).values_list("channel_kind", flat=True))


def ask_on_resolve(conversation_id, actor_id):
    """A conversation was resolved: ask for a rating when its channel kind says so (receiver, after commit)."""
    conversation = Conversation.objects.select_related("last_inbound_channel", "customer").filter(
        pk=conversation_id).first()
    channel = conversation.last_inbound_channel if conversation else None
    if channel is None or channel.kind not in automatic_kinds() or askable_cycle(conversation) is None:
        return
    author = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with transaction.atomic():
            csat.send_csat_link(conversation, author, channel=channel)
    except ActionError as exc:  # e.g. the reply window closed: nothing to send, the agent may ask by hand
        logger.info("automatic CSAT not sent for conversation %s: %s", conversation_id, exc.message)
