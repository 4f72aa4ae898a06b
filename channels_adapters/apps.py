from django.apps import AppConfig


class ChannelsAdaptersConfig(AppConfig):
    name = "channels_adapters"
    verbose_name = "Channel adapters"

    def ready(self):
        from conversations import channel_kinds
        from conversations.signals import channel_created, outbound_message_queued, raw_events_requeued

        from . import receivers
        from .registry import ADAPTERS

        for kind, adapter in ADAPTERS.items():
            channel_kinds.register(
                kind,
                channel_kinds.ChannelKindRules(
                    label=adapter.label,
                    identity_kinds=adapter.identity_kinds,
                    reaches_any_identity=adapter.reaches_any_identity,
                    max_length=adapter.capabilities.max_length,
                    reply_window_hours=adapter.capabilities.reply_window_hours,
                    attachments=adapter.capabilities.attachments,
                ),
            )
        outbound_message_queued.connect(receivers.enqueue_delivery, dispatch_uid="enqueue_delivery")
        raw_events_requeued.connect(receivers.enqueue_processing, dispatch_uid="enqueue_processing")
        channel_created.connect(receivers.announce_channel, dispatch_uid="announce_channel")
