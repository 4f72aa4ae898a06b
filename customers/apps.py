from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customer 360"

    def ready(self):
        from conversations import attribute_rules
        from conversations.signals import customers_merged, inbound_message_stored

        from . import receivers
        from .actions import attributes

        attribute_rules.register(attributes.RULE_BOOK)
        inbound_message_stored.connect(receivers.journey_after_message, dispatch_uid="customers_journey_message")
        customers_merged.connect(receivers.journeys_after_merge, dispatch_uid="customers_journeys_merge")
