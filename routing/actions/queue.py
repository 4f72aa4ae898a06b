"""Team queues and automatic assignment: who needs an owner, who gets them, and every step's reason.

Race-free across processes: a worker claims the queue entry it works on with
`select_for_update(skip_locked=True)` (others take the next one), locks the conversation, then
the chosen agent's routing row, and counts that agent's load again under the lock, so two workers
never give one conversation twice nor push an agent over their capacity.
"""
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conversations.actions import presence
from conversations.actions.assignment import update_conversation
from conversations.models import AgentProfile, Conversation, ConversationCycle, Message
from conversations.visibility import display_name

from .. import calendars
from ..availability import capacities, current_kind, is_asynchronous, loads, standings, status_takes
from ..lines import write_line
from ..models import AgentRouting, AssignmentPolicy, AssignmentRecord, QueueEntry
from ..realtime import earliest_due, publish_queue
from ..schedules import ScheduleCache

PRIORITY_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "urgent": 4}
QUEUE_ORDER = ("-priority_rank", F("sla_due_at").asc(nulls_last=True), "enqueued_at", "id")
MAX_ASSIGNMENTS_PER_RUN = 1000
MAX_TRIES_PER_RUN = 5000


def automatic_policy(team_id):
    """The team's assignment policy when it assigns automatically, else None."""
    if not team_id:
        return None
    return AssignmentPolicy.objects.filter(team_id=team_id).exclude(mode=AssignmentPolicy.Mode.OFF).first()


def _after_commit_run(team_id):
    # Imported here: the tasks module imports this one.
    from ..tasks import run_team_queue

    transaction.on_commit(lambda: run_team_queue.delay(team_id))


@transaction.atomic
def enqueue(conversation_id, reason, now=None, actor=None):
    """Put a conversation in its team's queue (taking it from its owner if it has one); None when the team
    does not assign automatically, the conversation is resolved, or it is already queued."""
    now = now or timezone.now()
    conversation = Conversation.objects.select_for_update(of=("self",)).select_related("team").get(pk=conversation_id)
    if conversation.status == Conversation.Status.RESOLVED or automatic_policy(conversation.team_id) is None:
        return None
    if QueueEntry.objects.filter(conversation=conversation).exists():
        return None
    previous = conversation.assignee
    entry = QueueEntry.objects.create(
        conversation=conversation, team=conversation.team, reason=reason, enqueued_at=now,
        priority_rank=PRIORITY_RANK.get(conversation.priority, 0), sla_due_at=earliest_due(conversation),
        # Taken from an owner who did not answer, or by a rule asking for another owner: not offered back.
        excluded_agent=previous if reason in (QueueEntry.Reason.NO_REPLY, QueueEntry.Reason.RULE) else None)
    facts = {"reason": reason, "team_name": conversation.team.name, "channel_kind": current_kind(conversation)}
    if previous is not None:
        # As the system: the routing receiver of manual (re)assignments must not take it for one.
        conversation = update_conversation(conversation, None, assignee=None)
        AssignmentRecord.objects.create(conversation=conversation, kind=AssignmentRecord.Kind.REQUEUED,
                                        agent=previous, actor=actor, reason=reason,
                                        channel_kind=facts["channel_kind"], created_at=now)
        write_line(conversation, event="requeued", agent=previous.pk, agent_name=display_name(previous), **facts)
    else:
        AssignmentRecord.objects.create(conversation=conversation, kind=AssignmentRecord.Kind.QUEUED, actor=actor,
                                        reason=reason, channel_kind=facts["channel_kind"], created_at=now)
        write_line(conversation, event="queued", **facts)
    _after_commit_run(conversation.team_id)
    publish_queue([conversation.team_id])
    return entry


def leave_queue(conversation_id):
    """The conversation has an owner (or no longer needs one): drop its queue entry."""
    team_ids = list(QueueEntry.objects.filter(conversation_id=conversation_id).values_list("team_id", flat=True))
    if team_ids:
        QueueEntry.objects.filter(conversation_id=conversation_id).delete()
        publish_queue(team_ids)


def team_members(team_id):
    return list(AgentProfile.objects.filter(teams=team_id, user__is_active=True).values_list("user_id", flat=True))


def _candidates(entry, conversation, policy, now):
    kind = current_kind(conversation)
    members = [agent_id for agent_id in team_members(entry.team_id) if agent_id != entry.excluded_agent_id]
    able = [s for s in standings(members, entry.team_id, kind, now) if status_takes(s.status, kind) and s.has_room]
    if not able:
        return kind, []
    last_assigned = dict(AgentRouting.objects.filter(agent_id__in=[s.agent_id for s in able])
                         .values_list("agent_id", "last_assigned_at"))
    never = datetime.min.replace(tzinfo=UTC)

    def round_robin(standing):
        return (last_assigned.get(standing.agent_id) or never, standing.agent_id)

    if policy.mode == AssignmentPolicy.Mode.LEAST_LOADED:
        able.sort(key=lambda s: (s.total_load, *round_robin(s)))
    else:
        able.sort(key=round_robin)
    return kind, able


ASSIGNED, NOBODY, CONTENDED, DROPPED = "assigned", "nobody", "contended", "dropped"


def _try_assign(entry, now):
    """Give the (locked) entry's conversation to the first candidate that still has room under lock.

    An agent row another worker holds is skipped, not waited for (two workers each holding one agent
    and wanting the other's would deadlock); when only such agents were left, the entry is tried again.
    """
    conversation = (Conversation.objects.select_for_update(of=("self",))
                    .select_related("last_inbound_channel", "team").get(pk=entry.conversation_id))
    policy = automatic_policy(entry.team_id)
    if (conversation.assignee_id or conversation.status == Conversation.Status.RESOLVED
            or conversation.team_id != entry.team_id or policy is None):
        entry.delete()
        return DROPPED, None
    kind, candidates = _candidates(entry, conversation, policy, now)
    contended = False
    for standing in candidates:
        routing = AgentRouting.objects.select_for_update(skip_locked=True).filter(agent_id=standing.agent_id).first()
        if routing is None:
            contended = True
            continue
        load = loads([standing.agent_id], now)[standing.agent_id][kind]
        if standing.capacity is not None and load >= standing.capacity:
            continue
        agent = get_user_model().objects.get(pk=standing.agent_id)
        conversation = update_conversation(conversation, None, assignee=agent)
        routing.last_assigned_at, routing.offline_since = now, None
        routing.save(update_fields=["last_assigned_at", "offline_since"])
        AssignmentRecord.objects.create(
            conversation=conversation, kind=AssignmentRecord.Kind.AUTO, agent=agent, reason=entry.reason,
            channel_kind=kind, created_at=now,
            detail={"mode": policy.mode, "load": load, "capacity": standing.capacity,
                    "waited_seconds": round((now - entry.enqueued_at).total_seconds())})
        write_line(conversation, event="assigned", agent=agent.pk, agent_name=display_name(agent),
                   reason=entry.reason, mode=policy.mode, channel_kind=kind)
        entry.delete()
        return ASSIGNED, kind
    return (CONTENDED if contended else NOBODY), kind


def run_queue(team_id, now=None):
    """Assign what the team's eligible agents have room for, best-ranked first; returns how many."""
    if automatic_policy(team_id) is None:
        return 0
    members = team_members(team_id)
    AgentRouting.objects.bulk_create([AgentRouting(agent_id=agent_id) for agent_id in members],
                                     ignore_conflicts=True)
    assigned, passed, tries = 0, [], 0
    # Channel kinds nobody can take in this run: the entries on them are not even looked at.
    nobody_takes = set()
    while assigned < MAX_ASSIGNMENTS_PER_RUN and tries < MAX_TRIES_PER_RUN:
        tries += 1
        with transaction.atomic():
            entry = (QueueEntry.objects.select_for_update(skip_locked=True, of=("self",)).filter(team_id=team_id)
                     .exclude(pk__in=passed)
                     .exclude(conversation__last_inbound_channel__kind__in=nobody_takes)
                     .order_by(*QUEUE_ORDER).first())
            if entry is None:
                break
            outcome, kind = _try_assign(entry, now or timezone.now())
        if outcome == ASSIGNED:
            assigned += 1
        elif outcome == NOBODY:
            passed.append(entry.pk)
            if entry.excluded_agent_id is None:
                nobody_takes.add(kind)
    if assigned:
        publish_queue([team_id])
    return assigned


def needs_owner(conversation_id, message_id, now=None):
    """A customer wrote: queue the conversation when it has no owner, or when its owner cannot answer on
    this channel now (reopened while they are offline or away, or moved to a live channel while away)."""
    now = now or timezone.now()
    conversation = Conversation.objects.select_related("last_inbound_channel").get(pk=conversation_id)
    if conversation.status == Conversation.Status.RESOLVED or automatic_policy(conversation.team_id) is None:
        return None
    if conversation.assignee_id is None:
        first = not Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND).exclude(
            pk=message_id).exists()
        return enqueue(conversation_id, QueueEntry.Reason.NEW if first else QueueEntry.Reason.UNASSIGNED, now)
    kind = current_kind(conversation)
    status = presence.statuses([conversation.assignee_id])[conversation.assignee_id]
    if status_takes(status, kind):
        return None
    message = Message.objects.get(pk=message_id)
    reopened = ConversationCycle.objects.filter(conversation=conversation, opened_at=message.created_at).exists()
    if reopened:
        return enqueue(conversation_id, QueueEntry.Reason.REOPENED, now)
    if status == presence.AWAY:
        return enqueue(conversation_id, QueueEntry.Reason.OWNER_INELIGIBLE, now)
    return None  # offline: the grace period decides (owner_went_offline / sweep_offline_owners)


@transaction.atomic
def assigned_by_hand(conversation_id, actor_id, now=None):
    """Someone chose the owner: the conversation leaves the queue; over capacity is allowed, and flagged."""
    now = now or timezone.now()
    conversation = (Conversation.objects.select_for_update(of=("self",))
                    .select_related("last_inbound_channel", "assignee").get(pk=conversation_id))
    leave_queue(conversation_id)
    agent = conversation.assignee
    if agent is None:
        return None
    kind = current_kind(conversation)
    load = loads([agent.pk], now)[agent.pk][kind]
    capacity = capacities([agent.pk], conversation.team_id)[agent.pk].get(kind)
    over = capacity is not None and load > capacity
    record = AssignmentRecord.objects.create(
        conversation=conversation, kind=AssignmentRecord.Kind.MANUAL, agent=agent, actor_id=actor_id,
        reason="manual", channel_kind=kind, over_capacity=over, created_at=now,
        detail={"load": load, "capacity": capacity})
    if over:
        write_line(conversation, event="over_capacity", agent=agent.pk, agent_name=display_name(agent),
                   channel_kind=kind, load=load, capacity=capacity)
    return record


def mark_presence(user_id, status, now=None):
    """Remember since when an agent is offline (the grace period counts from there)."""
    now = now or timezone.now()
    routing, _created = AgentRouting.objects.get_or_create(agent_id=user_id)
    if status == presence.OFFLINE:
        if routing.offline_since is None:
            routing.offline_since = now
            routing.save(update_fields=["offline_since"])
    elif routing.offline_since is not None:
        routing.offline_since = None
        routing.save(update_fields=["offline_since"])
    return routing


def requeue_offline_owner(user_id, now=None):
    """Requeue the live conversations of an owner offline for longer than their team's grace period."""
    now = now or timezone.now()
    if presence.statuses([user_id])[user_id] != presence.OFFLINE:
        mark_presence(user_id, presence.ONLINE, now)
        return 0
    routing = mark_presence(user_id, presence.OFFLINE, now)
    requeued = 0
    conversations = (Conversation.objects.filter(assignee_id=user_id).exclude(status=Conversation.Status.RESOLVED)
                     .select_related("last_inbound_channel"))
    for conversation in conversations:
        policy = automatic_policy(conversation.team_id)
        if policy is None or is_asynchronous(current_kind(conversation)):
            continue
        if now - routing.offline_since >= timedelta(seconds=policy.offline_grace_seconds):
            requeued += enqueue(conversation.pk, QueueEntry.Reason.OWNER_OFFLINE, now) is not None
    return requeued


def sweep_offline_owners(now=None):
    now = now or timezone.now()
    owners = set(Conversation.objects.filter(assignee__isnull=False, team__assignment_policy__isnull=False)
                 .exclude(status=Conversation.Status.RESOLVED)
                 .exclude(team__assignment_policy__mode=AssignmentPolicy.Mode.OFF)
                 .values_list("assignee_id", flat=True))
    return sum(requeue_offline_owner(user_id, now) for user_id in owners)


def _assigned_at(conversation):
    record = (AssignmentRecord.objects.filter(conversation=conversation, agent_id=conversation.assignee_id,
                                              kind__in=[AssignmentRecord.Kind.AUTO, AssignmentRecord.Kind.MANUAL])
              .order_by("-created_at").first())
    return record.created_at if record else None


def sweep_unanswered(now=None):
    """Requeue conversations whose owner has not replied within the team's business minutes."""
    now = now or timezone.now()
    schedules = ScheduleCache()
    requeued = 0
    for policy in AssignmentPolicy.objects.exclude(mode=AssignmentPolicy.Mode.OFF).filter(
            no_reply_requeue_minutes__isnull=False):
        schedule = schedules.get(policy.calendar_id)
        waiting = Conversation.objects.filter(team_id=policy.team_id, assignee__isnull=False,
                                              status=Conversation.Status.OPEN, waiting_since__isnull=False)
        for conversation in waiting:
            since = max(filter(None, [conversation.waiting_since, _assigned_at(conversation)]))
            if calendars.business_seconds_between(schedule, since, now) >= policy.no_reply_requeue_minutes * 60:
                requeued += enqueue(conversation.pk, QueueEntry.Reason.NO_REPLY, now) is not None
    return requeued


def reroute(conversation_id, now=None):
    """After a team, status or priority change: keep the queue entry right, and use freed capacity."""
    now = now or timezone.now()
    conversation = Conversation.objects.select_related("assignee").get(pk=conversation_id)
    entry = QueueEntry.objects.filter(conversation=conversation).first()
    if conversation.status == Conversation.Status.RESOLVED:
        leave_queue(conversation_id)
    elif entry is not None and entry.team_id != conversation.team_id:
        leave_queue(conversation_id)
        enqueue(conversation_id, entry.reason, now)
    elif entry is not None:
        QueueEntry.objects.filter(pk=entry.pk).update(priority_rank=PRIORITY_RANK.get(conversation.priority, 0))
    elif conversation.assignee_id is None and conversation.status == Conversation.Status.OPEN:
        enqueue(conversation_id, QueueEntry.Reason.UNASSIGNED, now)
    team_ids = {conversation.team_id} if conversation.team_id else set()
    if conversation.assignee_id:
        team_ids.update(AgentProfile.objects.filter(user_id=conversation.assignee_id)
                        .values_list("teams", flat=True))
    for team_id in filter(None, team_ids):
        run_queue(team_id, now)
