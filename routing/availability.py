"""Who may take which conversation now: presence status per channel kind, and load against capacity.

Presence (online/away/offline, refreshed by the console's heartbeat) lives in the cache
(conversations/actions/presence.py): a status older than AGENT_PRESENCE_SECONDS (90 s) has expired,
so the agent is offline. Away agents take asynchronous channels only (email by default).
"""
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from conversations.actions import presence
from conversations.models import Conversation

from .models import AssignmentPolicy, CapacityRule

DEFAULT_LIVE_IDLE_MINUTES = 10


def is_asynchronous(kind):
    return kind in settings.ROUTING_ASYNCHRONOUS_CHANNEL_KINDS


def status_takes(status, kind):
    """Does an agent with `status` take conversations currently on a channel of `kind`?"""
    if status == presence.ONLINE:
        return True
    return status == presence.AWAY and is_asynchronous(kind)


def current_kind(conversation):
    """The kind of channel the customer is on now (the unit of load and eligibility)."""
    channel = conversation.last_inbound_channel
    return channel.kind if channel else ""


def active_conversations(agent_ids):
    """Owned, unresolved conversations not pending or snoozed: what counts towards load."""
    return Conversation.objects.filter(assignee_id__in=agent_ids, status=Conversation.Status.OPEN)


def _idle_minutes_by_team():
    return dict(AssignmentPolicy.objects.values_list("team_id", "live_idle_minutes"))


def loads(agent_ids, now=None):
    """{agent id: Counter({channel kind: active conversations})}, each conversation counted once, on its
    current channel; a live conversation without a message for its team's idle time stops counting."""
    now = now or timezone.now()
    idle_minutes = _idle_minutes_by_team()
    result = defaultdict(Counter)
    rows = active_conversations(agent_ids).values_list(
        "assignee_id", "last_inbound_channel__kind", "last_message_at", "team_id")
    for agent_id, kind, last_message_at, team_id in rows:
        kind = kind or ""
        if not is_asynchronous(kind) and last_message_at is not None:
            idle = timedelta(minutes=idle_minutes.get(team_id, DEFAULT_LIVE_IDLE_MINUTES))
            if last_message_at < now - idle:
                continue
        result[agent_id][kind] += 1
    return {agent_id: result[agent_id] for agent_id in agent_ids}


def capacities(agent_ids, team_id):
    """{agent id: {kind: max}}: the agent's own rule for a kind, else the team's default."""
    team_rules = dict(CapacityRule.objects.filter(team_id=team_id).values_list("channel_kind", "max_active"))
    result = {agent_id: dict(team_rules) for agent_id in agent_ids}
    for agent_id, kind, maximum in CapacityRule.objects.filter(agent_id__in=agent_ids).values_list(
            "agent_id", "channel_kind", "max_active"):
        result[agent_id][kind] = maximum
    return result


@dataclass(frozen=True)
class Standing:
    """An agent as routing sees them for one channel kind."""

    agent_id: int
    status: str
    load: int  # on this kind
    total_load: int
    capacity: int | None  # None: no limit

    @property
    def has_room(self):
        return self.capacity is None or self.load < self.capacity


def standings(agent_ids, team_id, kind, now=None):
    agent_ids = list(agent_ids)
    statuses = presence.statuses(agent_ids)
    by_agent = loads(agent_ids, now)
    caps = capacities(agent_ids, team_id)
    return [
        Standing(agent_id, statuses[agent_id], by_agent[agent_id][kind], sum(by_agent[agent_id].values()),
                 caps[agent_id].get(kind))
        for agent_id in agent_ids
    ]


def is_eligible(agent_id, kind):
    return status_takes(presence.statuses([agent_id])[agent_id], kind)
