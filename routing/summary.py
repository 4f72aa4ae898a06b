"""What the API and the console show of routing: a conversation's SLA (due badge, "why") and queue place."""
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from . import calendars
from .models import QueueEntry, SlaClock, SlaClockEvent
from .schedules import ScheduleCache

ACTIVE = (SlaClock.State.RUNNING, SlaClock.State.PAUSED)
COUNTDOWN_PERIODS = 50


def active_clocks(conversation):
    """The conversation's running and paused clocks: prefetched as `active_sla_clocks` by lists, else read."""
    prefetched = getattr(conversation, "active_sla_clocks", None)
    if prefetched is not None:
        return prefetched
    return list(SlaClock.objects.select_related("policy").filter(conversation=conversation, state__in=ACTIVE))


def active_clocks_prefetch():
    """For lists: every conversation's running and paused clocks in one query (as `active_sla_clocks`)."""
    return Prefetch("sla_clocks", queryset=SlaClock.objects.filter(state__in=ACTIVE).select_related("policy"),
                    to_attr="active_sla_clocks")


def earliest_due_subquery():
    """The due time of a conversation's running clock due soonest (for "due soonest" ordering)."""
    return Subquery(SlaClock.objects.filter(conversation=OuterRef("pk"), state=SlaClock.State.RUNNING,
                                            due_at__isnull=False).order_by("due_at").values("due_at")[:1])


def current_clock(clocks):
    """The clock that matters most now: the running one due soonest, else a paused one."""
    running = sorted((c for c in clocks if c.state == SlaClock.State.RUNNING and c.due_at), key=lambda c: c.due_at)
    if running:
        return running[0]
    paused = [c for c in clocks if c.state == SlaClock.State.PAUSED]
    return paused[0] if paused else None


def _iso(moment):
    return moment.isoformat() if moment else None


def sla_payload(conversation, schedules=None, now=None):
    """{"policy", "metric", "state", "due_at", "remaining_seconds", "business", "periods"...} or None."""
    clock = current_clock(active_clocks(conversation))
    if clock is None:
        return None
    now = now or timezone.now()
    schedules = schedules or ScheduleCache()
    calendar_id = clock.policy.calendar_id if clock.policy_id else None
    schedule = schedules.get(calendar_id)
    periods, remaining = [], None
    if clock.state == SlaClock.State.RUNNING and clock.due_at:
        if clock.due_at > now:
            periods = calendars.periods_between(schedule, now, clock.due_at, COUNTDOWN_PERIODS)
            remaining = sum((end - begin).total_seconds() for begin, end in periods)
        else:
            remaining = -(now - clock.due_at).total_seconds()
    elif clock.state == SlaClock.State.PAUSED:
        remaining = clock.target_seconds - clock.used_seconds
    return {
        "clock": clock.pk,
        "policy": {"id": clock.policy_id, "name": clock.policy.name if clock.policy_id else ""},
        "metric": clock.metric,
        "state": clock.display_state,
        "started_at": _iso(clock.started_at),
        "due_at": _iso(clock.due_at),
        "target_seconds": clock.target_seconds,
        "remaining_seconds": round(remaining) if remaining is not None else None,
        "warn_before_seconds": clock.policy.warn_before_minutes * 60 if clock.policy_id else 0,
        "business": calendar_id is not None,
        # The open periods until the due time: the badge counts down only inside them.
        "periods": [[_iso(begin), _iso(end)] for begin, end in periods],
    }


def clock_events(conversation, limit=100):
    """Every recorded step of the clocks of the conversation's latest cycle, oldest first (the "why")."""
    cycle_id = (SlaClock.objects.filter(conversation=conversation).order_by("-cycle_id")
                .values_list("cycle_id", flat=True).first())
    if cycle_id is None:
        return []
    rows = (SlaClockEvent.objects.filter(clock__cycle_id=cycle_id).select_related("clock")
            .order_by("at", "id")[:limit])
    return [{"clock": row.clock_id, "metric": row.clock.metric, "turn": row.clock.turn, "kind": row.kind,
             "at": _iso(row.at), "data": row.data} for row in rows]


def queue_payload(conversation, now=None):
    try:
        entry = conversation.queue_entry
    except QueueEntry.DoesNotExist:
        return None
    now = now or timezone.now()
    return {
        "team": entry.team_id,
        "reason": entry.reason,
        "enqueued_at": _iso(entry.enqueued_at),
        "waiting_seconds": max(0, round((now - entry.enqueued_at).total_seconds())),
        "sla_due_at": _iso(entry.sla_due_at),
    }
