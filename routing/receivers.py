"""Routing hears the core through its after-commit domain signals and hands the work to tasks (ids only)."""
from django.dispatch import receiver

from conversations.models import Message
from conversations.signals import agent_presence_changed, conversation_changed, message_created, message_status_changed

from . import tasks
from .models import AssignmentPolicy, SlaPolicy


def in_use():
    """Whether any SLA policy or automatic assignment is configured: without, routing has nothing to do
    (and the ingest path pays no task for it)."""
    # One round trip for both questions: asked after every committed message.
    return SlaPolicy.objects.filter(active=True).values("pk").union(
        AssignmentPolicy.objects.exclude(mode=AssignmentPolicy.Mode.OFF).values("pk"), all=True).exists()


def _cause_args(cause):
    """A cause as task arguments (ids only): the clock events its work brings on stay in its chain."""
    return [cause.root_event_id, cause.depth, cause.rule_id] if cause else None


@receiver(message_created, dispatch_uid="routing.message_created")
def on_message_created(sender, message_id, direction, cause=None, **kwargs):
    if direction in (Message.Direction.INBOUND, Message.Direction.OUTBOUND) and in_use():
        tasks.message_created.delay(message_id, _cause_args(cause))


@receiver(message_status_changed, dispatch_uid="routing.message_status_changed")
def on_message_status_changed(sender, message_id, status, **kwargs):
    if status == Message.Status.FAILED and in_use():
        tasks.message_failed.delay(message_id)


@receiver(conversation_changed, dispatch_uid="routing.conversation_changed")
def on_conversation_changed(sender, conversation_id, changed, actor_id=None, cause=None, **kwargs):
    if in_use():
        tasks.conversation_changed.delay(conversation_id, sorted(changed), actor_id, _cause_args(cause))


@receiver(agent_presence_changed, dispatch_uid="routing.agent_presence_changed")
def on_agent_presence_changed(sender, user_id, status, **kwargs):
    # Sent from the console's websocket (async code): no database work here, the task does it.
    tasks.agent_presence_changed.delay(user_id, status)
