"""How automation hears the core: the after-commit event signal (the core never imports this app)."""
from django.dispatch import receiver

from conversations.signals import event_committed

from .actions import webhooks


@receiver(event_committed, dispatch_uid="automation.record_webhook_deliveries")
def record_webhook_deliveries(sender, event, event_id, payload, **kwargs):
    webhooks.record_event(event, event_id, payload)
