from django.apps import AppConfig


class ChannelsAdaptersConfig(AppConfig):
    name = "channels_adapters"
    verbose_name = "Channel adapters"

    def ready(self):
        from conversations import channel_kinds
        from conversations.signals import (
            attachments_to_fetch,
            channel_created,
            outbound_message_queued,
            raw_events_requeued,
        )

        from . import receivers
        from .registry import ADAPTERS

        for kind, adapter in ADAPTERS.items():
            capabilities = adapter.capabilities
            channel_kinds.register(
                kind,
                channel_kinds.ChannelKindRules(
                    label=adapter.label,
                    identity_kinds=adapter.identity_kinds,
                    reaches_any_identity=adapter.reaches_any_identity,
                    max_length=capabilities.max_length,
                    reply_window_hours=capabilities.reply_window_hours,
                    human_agent_window_hours=capabilities.human_agent_window_hours,
                    templates_outside_window=capabilities.templates_outside_window,
                    max_attachments=capabilities.max_attachments if capabilities.attachments else 0,
                    max_caption_length=capabilities.max_caption_length,
                    carbon_copies=capabilities.carbon_copies,
                    templates=adapter.reply_templates,
                    sends_replies=adapter.sends_replies,
                ),
            )
        outbound_message_queued.connect(receivers.enqueue_delivery, dispatch_uid="enqueue_delivery")
        attachments_to_fetch.connect(receivers.enqueue_media_fetch, dispatch_uid="enqueue_media_fetch")
        raw_events_requeued.connect(receivers.enqueue_processing, dispatch_uid="enqueue_processing")
        channel_created.connect(receivers.announce_channel, dispatch_uid="announce_channel")
