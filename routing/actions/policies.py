"""SLA policies, team assignment policies, capacity rules and an agent's chosen status: checked, then written."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import events
from conversations.actions import presence
from conversations.actions.errors import ActionError
from conversations.channel_kinds import known_kinds
from conversations.models import Conversation, Team

from .. import tasks
from ..models import AssignmentPolicy, CapacityRule, SlaMetric, SlaPolicy, SlaTarget
from ..realtime import publish_queue

CONDITION_KEYS = ("teams", "channel_kinds", "priorities", "labels")
MAX_TARGET_MINUTES = 365 * 24 * 60


def _clean_conditions(conditions):
    if not isinstance(conditions, dict) or set(conditions) - set(CONDITION_KEYS):
        raise ActionError(_("Conditions may name teams, channel_kinds, priorities and labels."), field="conditions")
    cleaned = {}
    for key, values in conditions.items():
        if not isinstance(values, list):
            raise ActionError(_("Each condition is a list."), field="conditions")
        if not values:
            continue
        if key == "teams":
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                raise ActionError(_("Teams are given by their ids."), field="conditions")
            missing = set(values) - set(Team.objects.filter(pk__in=values).values_list("pk", flat=True))
            if missing:
                raise ActionError(_("No team %(id)s.") % {"id": min(missing)}, field="conditions")
        elif key == "channel_kinds":
            unknown = set(map(str, values)) - set(known_kinds())
            if unknown:
                raise ActionError(_("Unknown channel kind %(kind)s.") % {"kind": sorted(unknown)[0]},
                                  field="conditions")
        elif key == "priorities":
            if set(map(str, values)) - set(Conversation.Priority.values):
                raise ActionError(_("Unknown priority."), field="conditions")
        else:
            values = sorted({str(v).strip().lower() for v in values if str(v).strip()})
        cleaned[key] = values
    return cleaned


def _clean_targets(targets):
    if not isinstance(targets, list) or not targets:
        raise ActionError(_("A policy has at least one target."), field="targets")
    seen, cleaned = set(), []
    for target in targets:
        metric, priority, minutes = target.get("metric"), target.get("priority"), target.get("minutes")
        if metric not in SlaMetric.values or priority not in Conversation.Priority.values:
            raise ActionError(_("A target names a metric and a priority."), field="targets")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_TARGET_MINUTES:
            raise ActionError(_("A target is a whole number of minutes, at least 1."), field="targets")
        if (metric, priority) in seen:
            raise ActionError(_("Each metric and priority has one target."), field="targets")
        seen.add((metric, priority))
        cleaned.append((metric, priority, minutes))
    return cleaned


def _clean_pause_statuses(statuses):
    if not isinstance(statuses, list) or set(statuses) - set(SlaPolicy.PAUSABLE_STATUSES):
        raise ActionError(_("Only pending and snoozed can pause the resolution clock."), field="pause_statuses")
    return sorted(set(statuses))


@transaction.atomic
def save_sla_policy(data, instance=None):
    """Create or change a policy; open conversations are matched again (time already used is kept)."""
    name = (data.get("name", instance.name if instance else "") or "").strip()
    if not name:
        raise ActionError(_("A policy needs a name."), field="name")
    if SlaPolicy.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        raise ActionError(_("A policy with this name exists."), field="name")
    policy = instance or SlaPolicy()
    policy.name = name
    policy.position = data.get("position", policy.position)
    policy.active = data.get("active", policy.active)
    policy.calendar = data.get("calendar", policy.calendar if instance else None)
    policy.conditions = _clean_conditions(data.get("conditions", policy.conditions or {}))
    policy.pause_statuses = _clean_pause_statuses(data.get("pause_statuses", policy.pause_statuses or []))
    policy.warn_before_minutes = data.get("warn_before_minutes", policy.warn_before_minutes)
    targets = _clean_targets(data["targets"]) if "targets" in data or instance is None else None
    policy.save()
    if targets is not None:
        policy.targets.all().delete()
        SlaTarget.objects.bulk_create(SlaTarget(policy=policy, metric=m, priority=p, minutes=n) for m, p, n in targets)
    _rematch_open_conversations()
    return policy


def delete_sla_policy(policy):
    with transaction.atomic():
        policy.delete()
        _rematch_open_conversations()


def _rematch_open_conversations():
    transaction.on_commit(tasks.reconcile_open_conversations.delay)


@transaction.atomic
def save_assignment_policy(team, mode=None, capacity=None, **options):
    """A team's automatic assignment and its default capacity per channel kind ({"webchat": 5, ...})."""
    policy, _created = AssignmentPolicy.objects.get_or_create(team=team)
    if mode is not None:
        if mode not in AssignmentPolicy.Mode.values:
            raise ActionError(_("Mode is off, round_robin or least_loaded."), field="mode")
        policy.mode = mode
    for field, value in options.items():
        setattr(policy, field, value)
    policy.updated_at = timezone.now()
    policy.save()
    if capacity is not None:
        _replace_capacity(CapacityRule.objects.filter(team=team), capacity, team=team)
    transaction.on_commit(lambda: tasks.run_team_queue.delay(team.pk))
    publish_queue([team.pk])
    return policy


def _replace_capacity(rules, capacity, **owner):
    if not isinstance(capacity, dict):
        raise ActionError(_("Capacity is {channel kind: maximum}."), field="capacity")
    unknown = set(capacity) - set(known_kinds())
    if unknown:
        raise ActionError(_("Unknown channel kind %(kind)s.") % {"kind": sorted(unknown)[0]}, field="capacity")
    for kind, maximum in capacity.items():
        if not isinstance(maximum, int) or isinstance(maximum, bool) or not 0 <= maximum <= 1000:
            raise ActionError(_("A capacity is a whole number from 0 to 1000."), field="capacity")
    rules.delete()
    CapacityRule.objects.bulk_create(CapacityRule(channel_kind=kind, max_active=maximum, **owner)
                                     for kind, maximum in capacity.items())


@transaction.atomic
def set_agent_capacity(user, capacity):
    _replace_capacity(CapacityRule.objects.filter(agent=user), capacity, agent=user)
    transaction.on_commit(lambda: tasks.run_agent_queues.delay(user.pk))


def choose_status(user, status):
    """An agent's status set from the API: their open consoles take it on (presence.changed)."""
    if status not in presence.STATUSES:
        raise ActionError(_("Status is online or away; offline is having no console open."), field="status")
    changed = presence.choose_status(presence.describe(user), status)
    if changed is None:
        raise ActionError(_("This agent has no console open: a status lives as long as a console does."),
                          field="status")
    events.emit(events.PRESENCE_CHANGED, changed)
    return changed
