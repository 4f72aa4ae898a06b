from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from conversations.signals import message_received

        from . import receivers

        message_received.connect(receivers.enqueue_sentiment, dispatch_uid="insights_enqueue_sentiment")
