"""How automation hears the core: its after-commit domain signals (the core never imports this app).

Rules run in the worker (a task, ids only); an event a rule caused carries the rule's root event and
depth (conversations.causes), so chains are evaluated and stop. Webhook deliveries are recorded here,
after commit, and only when a subscription wants the event (a cached set: nothing otherwise).
"""
import uuid

from django.dispatch import receiver

from conversations.models import CustomerMerge, Message
from conversations.signals import conversation_changed, customers_merged, message_created, message_status_changed
from routing.models import SlaClock
from routing.signals import sla_breached, sla_warning

from .actions import rules, webhooks
from .models import RuleEvent
from .payloads import conversation_event, merge_event, message_event, sla_event

RULE_EVENT_OF_CHANGE = {
    "status": RuleEvent.STATUS_CHANGED, "assignee": RuleEvent.ASSIGNED, "team": RuleEvent.TEAM_CHANGED,
    "priority": RuleEvent.PRIORITY_CHANGED, "labels": RuleEvent.LABELS_CHANGED, "csat": RuleEvent.CSAT_RECEIVED,
}


def _root(cause):
    """(root event id, depth) of an event: its rule's root when a rule caused it, else a new root."""
    return (cause.root_event_id, cause.depth) if cause else (uuid.uuid4().hex, 0)


def _queue_rules(wanted, root_event_id, depth, details=None):
    from .tasks import arm_rule_timers, run_rules

    active = rules.active_events()
    for rule_event, conversation_id, message_id in wanted:
        if rule_event in active:
            run_rules.delay(str(rule_event), conversation_id, message_id, root_event_id, depth, details)
        if rule_event == RuleEvent.MESSAGE_RECEIVED and RuleEvent.CUSTOMER_WAITING in active:
            arm_rule_timers.delay(conversation_id, message_id)


@receiver(message_created, dispatch_uid="automation.message_created")
def on_message_created(sender, message_id, conversation_id, direction, cause=None, **kwargs):
    root_event_id, depth = _root(cause)
    kind = {Message.Direction.INBOUND: RuleEvent.MESSAGE_RECEIVED,
            Message.Direction.OUTBOUND: RuleEvent.MESSAGE_SENT}.get(direction)
    # A new conversation starts with a customer's message; asked only when a rule or a webhook wants it.
    wants_created = kind == RuleEvent.MESSAGE_RECEIVED and (
        RuleEvent.CONVERSATION_CREATED in rules.active_events()
        or "conversation.created" in webhooks.subscribed_events())
    created = wants_created and rules.is_first_message(conversation_id, message_id)
    if kind is not None:
        wanted = [(kind, conversation_id, message_id)]
        if created:
            wanted.insert(0, (RuleEvent.CONVERSATION_CREATED, conversation_id, message_id))
        _queue_rules(wanted, root_event_id, depth)
    webhooks.record_event("message.created", f"message.created:{message_id}", lambda: message_event(message_id))
    if created:
        webhooks.record_event("conversation.created", f"conversation.created:{conversation_id}",
                              lambda: conversation_event(conversation_id))


@receiver(conversation_changed, dispatch_uid="automation.conversation_changed")
def on_conversation_changed(sender, conversation_id, changed, cause=None, **kwargs):
    root_event_id, depth = _root(cause)
    _queue_rules([(RULE_EVENT_OF_CHANGE[field], conversation_id, None)
                  for field in sorted(changed) if field in RULE_EVENT_OF_CHANGE], root_event_id, depth)
    webhooks.record_event("conversation.updated", f"conversation.updated:{uuid.uuid4().hex}",
                          lambda: {**conversation_event(conversation_id), "changed": sorted(changed)})


@receiver(message_status_changed, dispatch_uid="automation.message_status_changed")
def on_message_status_changed(sender, message_id, status, **kwargs):
    webhooks.record_event("message.updated", f"message.updated:{message_id}:{status}",
                          lambda: message_event(message_id))


@receiver(customers_merged, sender=CustomerMerge, dispatch_uid="automation.customers_merged")
def on_customers_merged(sender, source_id, target_id, undone=False, **kwargs):
    webhooks.record_event("conversations.merged", f"conversations.merged:{source_id}:{target_id}:{undone}",
                          lambda: merge_event(source_id, target_id, undone))


def _on_sla(rule_event, clock_id, conversation_id, metric, cause):
    # The passing of time is a root of its own, one per clock and kind (the signal is sent once per clock).
    root_event_id, depth = (cause.root_event_id, cause.depth) if cause else (f"{rule_event}:{clock_id}", 0)
    _queue_rules([(rule_event, conversation_id, None)], root_event_id, depth, {"sla_metric": metric})
    webhook_event = "sla.warning" if rule_event == RuleEvent.SLA_WARNING else "sla.breached"
    webhooks.record_event(webhook_event, f"{webhook_event}:{clock_id}",
                          lambda: sla_event(conversation_id, clock_id, metric))


@receiver(sla_warning, sender=SlaClock, dispatch_uid="automation.sla_warning")
def on_sla_warning(sender, clock_id, conversation_id, metric, cause=None, **kwargs):
    _on_sla(RuleEvent.SLA_WARNING, clock_id, conversation_id, metric, cause)


@receiver(sla_breached, sender=SlaClock, dispatch_uid="automation.sla_breached")
def on_sla_breached(sender, clock_id, conversation_id, metric, cause=None, **kwargs):
    _on_sla(RuleEvent.SLA_BREACHED, clock_id, conversation_id, metric, cause)
