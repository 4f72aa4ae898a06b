from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Agent console"

    def ready(self):
        from conversations.signals import agent_access_changed, conversation_resolved

        from . import receivers
        from .live import update_open_consoles

        agent_access_changed.connect(update_open_consoles, dispatch_uid="update_open_consoles")

        conversation_resolved.connect(receivers.ask_for_rating, dispatch_uid="console_ask_for_rating")
