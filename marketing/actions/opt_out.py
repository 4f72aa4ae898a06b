"""Opt-outs: a keyword written on any channel, or WhatsApp's own "stop promotions"."""
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.actions.replies import send_reply
from conversations.models import Message

from ..families import family_of, kinds_of
from ..keywords import fold, is_opt_out
from ..models import Consent, Recipient
from . import consent

logger = logging.getLogger(__name__)

# Meta: the user chose "Stop promotions" - an opt-out. 131049 (the per-user marketing cap) is not one.
WHATSAPP_STOP_PROMOTIONS = "131050"
WHATSAPP_MARKETING_CAP = "131049"


def _language(message, keyword):
    """The customer's language when we know it (Customer.language), else the keyword's: "BAJA" is Spanish."""
    return message.conversation.customer.language or settings.MARKETING_OPT_OUT_KEYWORDS.get(
        keyword, settings.LANGUAGE_CODE)


def _mark_recipients_opted_out(customer_id, family, now):
    Recipient.objects.filter(
        customer_id=customer_id, campaign__channel__kind__in=kinds_of(family), opted_out_at=None,
        sent_at__isnull=False).update(opted_out_at=now)


def revoke_from_keyword(message_id):
    """Revoke marketing on the message's channel when its whole text is an opt-out keyword; confirm it.

    Returns the ledger entry, or None when the message is not an opt-out.
    """
    message = Message.objects.select_related("conversation__customer", "channel", "identity").filter(
        pk=message_id, direction=Message.Direction.INBOUND).first()
    if message is None or message.identity is None or message.channel is None or not is_opt_out(message.text):
        return None
    family = family_of(message.channel.kind)
    now = timezone.now()
    with transaction.atomic():
        entry = consent.record(message.identity, family, Consent.Purpose.MARKETING, Consent.State.REVOKED,
                               Consent.Source.KEYWORD, {"message_id": message.pk, "text": message.text[:200]}, at=now)
        _mark_recipients_opted_out(message.conversation.customer_id, family, now)
    with translation.override(_language(message, fold(message.text))):
        confirmation = _("You will no longer receive marketing messages here. Reply to us any time if you need "
                         "help.")
    try:
        send_reply(message.conversation, None, confirmation, channel=message.channel,
                   metadata={"automatic": "opt_out_confirmation"})
    except ActionError as exc:
        logger.warning("opt-out of message %s recorded, confirmation not sent: %s", message.pk, exc.message)
    return entry


def revoke_from_provider(recipient):
    """WhatsApp refused a marketing template because the user stopped promotions: revoke for that number."""
    message = recipient.message
    if message is None or message.identity is None:
        return None
    now = timezone.now()
    entry = consent.record(message.identity, family_of(message.channel.kind), Consent.Purpose.MARKETING,
                           Consent.State.REVOKED, Consent.Source.PROVIDER,
                           {"error": WHATSAPP_STOP_PROMOTIONS, "message_id": message.pk,
                            "campaign_id": recipient.campaign_id}, at=now)
    Recipient.objects.filter(pk=recipient.pk).update(opted_out_at=now)
    return entry
