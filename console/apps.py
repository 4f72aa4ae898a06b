from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Agent console"

    def ready(self):
        from conversations.signals import conversation_resolved

        from . import receivers

        conversation_resolved.connect(receivers.ask_for_rating, dispatch_uid="console_ask_for_rating")
