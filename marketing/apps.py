from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing"

    def ready(self):
        from conversations.signals import conversation_changed, inbound_message_stored
        from customers.signals import customers_changed

        from . import receivers

        inbound_message_stored.connect(receivers.after_inbound_message, dispatch_uid="marketing_inbound_message")
        customers_changed.connect(receivers.refresh_segments, dispatch_uid="marketing_customers_changed")
        conversation_changed.connect(receivers.after_conversation_change, dispatch_uid="marketing_conversation")
