"""The supervisor's live numbers: queues by status, team and channel; who is online with what load; today's times."""
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.actions import presence
from conversations.models import Conversation, ConversationCycle

LONGEST_WAITING_SHOWN = 10


@dataclass(frozen=True)
class ChannelTimes:
    channel: str
    responses: int
    first_response_seconds: float | None
    resolutions: int
    resolution_seconds: float | None


def _average_seconds(durations):
    return sum(d.total_seconds() for d in durations) / len(durations) if durations else None


def start_of_today():
    """Midnight in the agent's time zone (the active one)."""
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def status_counts(conversations):
    found = dict(conversations.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [(label, found.get(value, 0)) for value, label in Conversation.Status.choices]


def unresolved_by(conversations, field, empty_label):
    rows = (
        conversations.exclude(status=Conversation.Status.RESOLVED)
        .values(field).annotate(n=Count("id")).order_by("-n", field)
    )
    return [(row[field] or empty_label, row["n"]) for row in rows]


def longest_waiting_unassigned(conversations):
    return (
        conversations.filter(assignee__isnull=True, waiting_since__isnull=False)
        .exclude(status=Conversation.Status.RESOLVED)
        .select_related("customer", "team", "last_message__channel")
        .order_by("waiting_since")[:LONGEST_WAITING_SHOWN]
    )


def agents_with_load():
    """Every active agent with their presence and open load, online ones first."""
    agents = list(
        get_user_model().objects.filter(is_active=True, agent__isnull=False)
        .select_related("agent")
        .annotate(load=Count("assigned_conversations",
                             filter=~Q(assigned_conversations__status=Conversation.Status.RESOLVED)))
        .order_by("username")
    )
    statuses = presence.statuses([agent.pk for agent in agents])
    order = {presence.ONLINE: 0, presence.AWAY: 1, presence.OFFLINE: 2}
    for agent in agents:
        agent.presence = statuses[agent.pk]
    return sorted(agents, key=lambda agent: (order[agent.presence], -agent.load, agent.username))


def times_today_by_channel():
    """First response and resolution times of today's cycles, per channel the cycle opened on."""
    since = start_of_today()
    responded, resolved = defaultdict(list), defaultdict(list)
    cycles = ConversationCycle.objects.filter(
        Q(first_response_at__gte=since) | Q(resolved_at__gte=since)
    ).select_related("opened_on_channel")
    for cycle in cycles:
        channel = cycle.opened_on_channel.name if cycle.opened_on_channel else _("No channel")
        if cycle.first_response_at and cycle.first_response_at >= since:
            responded[channel].append(cycle.first_response_at - cycle.opened_at)
        if cycle.resolved_at and cycle.resolved_at >= since:
            resolved[channel].append(cycle.resolved_at - cycle.opened_at)
    return [
        ChannelTimes(channel, len(responded[channel]), _average_seconds(responded[channel]),
                     len(resolved[channel]), _average_seconds(resolved[channel]))
        for channel in sorted(set(responded) | set(resolved))
    ]
