"""Webhook delivery tasks (ids only). Retries run at their due time; a periodic sweep catches any a worker lost."""
from celery import shared_task
from django.conf import settings

from .actions import rules, webhooks


@shared_task(name="automation.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id):
    retry_in = webhooks.attempt_delivery(delivery_id)
    # Eager mode (embedded, tests) must not retry inline: the sweep picks the delivery up when it is due.
    if retry_in is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
        deliver_webhook.apply_async((delivery_id,), countdown=retry_in)


@shared_task(name="automation.sweep_webhook_deliveries", ignore_result=True)
def sweep_webhook_deliveries():
    for delivery_id in webhooks.due_delivery_ids():
        deliver_webhook.delay(str(delivery_id))


@shared_task(name="automation.run_rules", ignore_result=True)
def run_rules(event, conversation_id, message_id, root_event_id, depth, details=None):
    rules.run_rules(event, conversation_id, message_id, root_event_id, depth, details=details)


@shared_task(name="automation.arm_rule_timers", ignore_result=True)
def arm_rule_timers(conversation_id, message_id):
    rules.arm_timers(conversation_id, message_id)


@shared_task(name="automation.fire_due_rule_timers", ignore_result=True)
def fire_due_rule_timers():
    rules.fire_due_timers()
