"""Routing's Celery tasks: ids in, idempotent, so a retry or a second copy changes nothing."""
from contextlib import nullcontext

from celery import shared_task
from django.utils import timezone

from conversations.causes import Cause, caused_by
from conversations.models import Conversation, Message, Team

from .actions import queue, sla
from .models import AssignmentPolicy


def _within(cause):
    """Run under the cause the signal carried ([root event id, depth, rule id]), so what follows keeps it."""
    return caused_by(Cause(*cause)) if cause else nullcontext()


@shared_task(name="routing.message_created")
def message_created(message_id, cause=None):
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    with _within(cause):
        if message.direction == Message.Direction.INBOUND:
            sla.reconcile(message.conversation_id)
            queue.needs_owner(message.conversation_id, message.pk)
        elif message.direction == Message.Direction.OUTBOUND:
            sla.reply_sent(message.pk)


@shared_task(name="routing.message_failed")
def message_failed(message_id):
    sla.reply_failed(message_id)


@shared_task(name="routing.conversation_changed")
def conversation_changed(conversation_id, changed, actor_id=None, cause=None):
    changed = set(changed)
    with _within(cause):
        sla.reconcile(conversation_id)
        if "assignee" in changed and actor_id is not None:
            record = queue.assigned_by_hand(conversation_id, actor_id)
            if record is None:
                queue.enqueue(conversation_id, queue.QueueEntry.Reason.UNASSIGNED)
        if changed & {"team", "status", "priority"}:
            queue.reroute(conversation_id)


@shared_task(name="routing.agent_presence_changed")
def agent_presence_changed(user_id, status):
    if not AssignmentPolicy.objects.exclude(mode=AssignmentPolicy.Mode.OFF).exists():
        return
    queue.mark_presence(user_id, status)
    if status == "offline":
        grace = max(AssignmentPolicy.objects.values_list("offline_grace_seconds", flat=True), default=0)
        requeue_offline_owner.apply_async((user_id,), countdown=grace + 1)
        return
    run_agent_queues(user_id)


@shared_task(name="routing.run_agent_queues")
def run_agent_queues(user_id):
    """Someone may take more work now: run the queues of their teams."""
    for team_id in Team.objects.filter(agents__user_id=user_id).values_list("pk", flat=True):
        run_team_queue.delay(team_id)


@shared_task(name="routing.reconcile_open_conversations")
def reconcile_open_conversations():
    """Policies changed: match every unresolved conversation again (their clocks keep the time used)."""
    for conversation_id in Conversation.objects.exclude(status=Conversation.Status.RESOLVED).values_list(
            "pk", flat=True).iterator():
        sla.reconcile(conversation_id)


@shared_task(name="routing.requeue_offline_owner")
def requeue_offline_owner(user_id):
    return queue.requeue_offline_owner(user_id)


@shared_task(name="routing.run_team_queue")
def run_team_queue(team_id):
    return queue.run_queue(team_id)


@shared_task(name="routing.check_sla_clock")
def check_sla_clock(clock_id):
    return sla.check_clock(clock_id)


@shared_task(name="routing.sweep")
def sweep():
    """The safety net of every timer: SLA warnings and breaches, offline owners, unanswered owners, queues."""
    now = timezone.now()
    fired = sla.sweep(now)
    requeued = queue.sweep_offline_owners(now) + queue.sweep_unanswered(now)
    assigned = sum(queue.run_queue(team_id, now) for team_id in AssignmentPolicy.objects.exclude(
        mode=AssignmentPolicy.Mode.OFF).values_list("team_id", flat=True))
    return {"sla_fired": fired, "requeued": requeued, "assigned": assigned}
