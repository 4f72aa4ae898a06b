"""How automation hears the core: the after-commit event signal (the core never imports this app)."""
from django.dispatch import receiver

from conversations.signals import event_committed

from .actions import rules, webhooks
from .models import RuleEvent


@receiver(event_committed, dispatch_uid="automation.record_webhook_deliveries")
def record_webhook_deliveries(sender, event, event_id, payload, **kwargs):
    webhooks.record_event(event, event_id, payload)


@receiver(event_committed, dispatch_uid="automation.queue_rules")
def queue_rules(sender, event, event_id, payload, changes=None, cause=None, **kwargs):
    """Rules run in the worker, after commit; an event caused by a rule keeps its root and depth."""
    wanted = rules.rule_events_of(event, payload, changes or {})
    if not wanted:
        return
    active = rules.active_events()
    root_event_id, depth = (cause.root_event_id, cause.depth) if cause else (event_id, 0)
    from .tasks import arm_rule_timers, run_rules

    for rule_event, conversation_id, message_id in wanted:
        if rule_event in active:
            run_rules.delay(str(rule_event), conversation_id, message_id, root_event_id, depth)
        if rule_event == RuleEvent.MESSAGE_RECEIVED and RuleEvent.CUSTOMER_WAITING in active:
            arm_rule_timers.delay(conversation_id, message_id)
