"""Receivers of the domain's after-commit signals."""
import logging

from conversations.models import Channel

from .base import ProviderError
from .registry import adapter_for
from .urls_public import webhook_url

logger = logging.getLogger(__name__)


def enqueue_delivery(sender, message_id, **kwargs):
    from .tasks import deliver_message

    deliver_message.delay(message_id)


def enqueue_processing(sender, event_ids, **kwargs):
    from .tasks import process_raw_event

    for event_id in event_ids:
        process_raw_event.delay(event_id)


def enqueue_media_fetch(sender, attachment_ids, **kwargs):
    from .tasks import fetch_attachment

    for attachment_id in attachment_ids:
        fetch_attachment.delay(attachment_id)


def announce_channel(sender, channel_id, **kwargs):
    channel = Channel.objects.get(pk=channel_id)
    try:
        adapter_for(channel).on_created(webhook_url(channel))
    except ProviderError as exc:
        # The channel exists either way; `manage.py register_webhook` tries again once the cause is fixed.
        logger.error("could not register the webhook of channel %s (%s): %s", channel.pk, channel.kind, exc)
