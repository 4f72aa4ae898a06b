from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    verbose_name = "Store connectors"

    def ready(self):
        from customers.signals import customer_erased

        from . import receivers

        customer_erased.connect(receivers.forget_deliveries, dispatch_uid="commerce_forget_deliveries")
