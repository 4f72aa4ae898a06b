"""Receivers of the domain's after-commit signals."""
from conversations.models import Channel

from .registry import adapter_for
from .urls_public import webhook_url


def enqueue_delivery(sender, message_id, **kwargs):
    from .tasks import deliver_message

    deliver_message.delay(message_id)


def enqueue_processing(sender, event_ids, **kwargs):
    from .tasks import process_raw_event

    for event_id in event_ids:
        process_raw_event.delay(event_id)


def announce_channel(sender, channel_id, **kwargs):
    channel = Channel.objects.get(pk=channel_id)
    adapter_for(channel).on_created(webhook_url(channel))
