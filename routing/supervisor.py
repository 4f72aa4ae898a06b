"""The supervisor's routing view: each team's queue, agents' status and load against capacity, SLA breaches
today and clocks at risk now."""
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone

from conversations.actions import presence
from conversations.models import AgentProfile

from .actions.queue import QUEUE_ORDER
from .availability import capacities, loads
from .models import AssignmentPolicy, QueueEntry, SlaClock, SlaClockEvent

QUEUE_SHOWN = 20
BREACHES_SHOWN = 10
AT_RISK_SHOWN = 10


def team_queues():
    """[(policy, [entries...], total)] for every team that assigns automatically."""
    result = []
    for policy in (AssignmentPolicy.objects.exclude(mode=AssignmentPolicy.Mode.OFF).select_related("team")
                   .order_by("team__name")):
        entries = QueueEntry.objects.filter(team=policy.team)
        shown = list(entries.select_related("conversation__customer", "conversation__last_inbound_channel")
                     .order_by(*QUEUE_ORDER)[:QUEUE_SHOWN])
        result.append((policy, shown, entries.count()))
    return result


def agents_load(now=None):
    """Every active agent: status, and per channel kind their load and capacity ("3 of 5")."""
    agents = list(get_user_model().objects.filter(is_active=True, agent__isnull=False).select_related("agent")
                  .order_by("username"))
    ids = [agent.pk for agent in agents]
    statuses = presence.statuses(ids)
    by_agent = loads(ids, now)
    first_team = dict(AgentProfile.teams.through.objects.filter(agentprofile__user_id__in=ids)
                      .values_list("agentprofile__user_id", "team_id").order_by("team_id"))
    caps = defaultdict(dict)
    for team_id in set(first_team.values()) | {None}:
        members = [agent_id for agent_id in ids if first_team.get(agent_id) == team_id]
        caps.update(capacities(members, team_id))
    rows = []
    for agent in agents:
        kinds = sorted(set(by_agent[agent.pk]) | set(caps[agent.pk]))
        rows.append({"agent": agent, "status": statuses[agent.pk],
                     "kinds": [(kind, by_agent[agent.pk][kind], caps[agent.pk].get(kind)) for kind in kinds],
                     "over": any(caps[agent.pk].get(kind) is not None and by_agent[agent.pk][kind] > caps[agent.pk][kind]
                                 for kind in kinds)})
    order = {presence.ONLINE: 0, presence.AWAY: 1, presence.OFFLINE: 2}
    return sorted(rows, key=lambda row: (order[row["status"]], row["agent"].username))


def breaches_today(since):
    events = SlaClockEvent.objects.filter(kind=SlaClockEvent.Kind.BREACH, at__gte=since)
    return events.count(), list(events.select_related("clock__conversation__customer").order_by("-at")[:BREACHES_SHOWN])


def at_risk(now=None):
    """Running clocks not yet breached whose warning time has come: the ones to act on now."""
    now = now or timezone.now()
    clocks = (SlaClock.objects.filter(state=SlaClock.State.RUNNING, breached_at__isnull=True, due_at__isnull=False)
              .filter(Q(warned_at__isnull=False) | Q(warn_at__lte=now) | Q(due_at__lte=now + timedelta(minutes=15)))
              .select_related("conversation__customer", "policy").order_by(F("due_at").asc()))
    return list(clocks[:AT_RISK_SHOWN])


def board(since, now=None):
    now = now or timezone.now()
    breach_count, breaches = breaches_today(since)
    return {"routing_queues": team_queues(), "routing_agents": agents_load(now), "routing_breach_count": breach_count,
            "routing_breaches": breaches, "routing_at_risk": at_risk(now)}
