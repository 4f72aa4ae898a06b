from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        from conversations.signals import inbound_message_stored

        from . import receivers

        inbound_message_stored.connect(receivers.score_on_arrival, dispatch_uid="insights_score_on_arrival")
