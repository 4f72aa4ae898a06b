"""Routing's events, sent through the core's catalogue (after commit) to the groups that may see them."""
from conversations import events

from .models import QueueEntry, SlaClock
from .summary import clock_events, sla_payload


def earliest_due(conversation):
    return (SlaClock.objects.filter(conversation=conversation, state=SlaClock.State.RUNNING, due_at__isnull=False)
            .order_by("due_at").values_list("due_at", flat=True).first())


def publish_sla(conversation, schedules, now):
    """Keep the queue's SLA order current and tell the console (badge, "why" popover)."""
    if QueueEntry.objects.filter(conversation=conversation).update(sla_due_at=earliest_due(conversation)):
        publish_queue([conversation.team_id])
    payload = {"conversation": conversation.pk, "sla": sla_payload(conversation, schedules, now),
               "events": clock_events(conversation)}
    events.emit(events.SLA_CHANGED, payload, events.conversation_viewers(conversation))
    # The inbox row and the conversation header re-read themselves on it (due badge, order by due).
    events.conversation_changed(conversation)


def publish_queue(team_ids):
    team_ids = sorted({team_id for team_id in team_ids if team_id})
    groups = [events.SUPERVISORS_GROUP, *map(events.team_group, team_ids)]
    events.emit(events.QUEUE_CHANGED, {"teams": team_ids}, groups)
