from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from conversations.signals import inbound_message_stored

        from . import receivers

        inbound_message_stored.connect(receivers.enqueue_sentiment, dispatch_uid="insights_enqueue_sentiment")
