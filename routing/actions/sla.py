"""SLA clocks: started, paused, resumed, re-targeted, met, warned and breached, each step recorded.

`reconcile` brings a conversation's clocks in line with its state (cycle, status, policy and
priority, customer messages waiting); it is idempotent, so every domain signal may call it.
Replies meet clocks (`reply_sent`), a reply whose delivery failed gives them back
(`reply_failed`), and `check_clock` (a Celery task at the warning and due times, plus a periodic
sweep) fires the warning and the one breach.
"""
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from conversations import causes
from conversations.models import Conversation, ConversationCycle, Message

from .. import calendars
from ..availability import current_kind
from ..models import AppliedSlaPolicy, SlaClock, SlaClockEvent, SlaMetric, SlaPolicy
from ..schedules import ScheduleCache
from ..realtime import publish_sla
from ..signals import sla_breached, sla_warning

ACTIVE = (SlaClock.State.RUNNING, SlaClock.State.PAUSED)
REPLY_METRICS = (SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE)


def is_qualifying_reply(message):
    """A public reply by a person, on any channel, not failed: bots, automatic messages and notes do not count."""
    metadata = message.metadata or {}
    return (message.direction == Message.Direction.OUTBOUND and message.author_id is not None
            and message.status != Message.Status.FAILED
            and not metadata.get("automatic") and not metadata.get("bot"))


def _customer_messages(conversation, since):
    return Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND,
                                  created_at__gte=since).exclude(metadata__has_key="automatic")


def _qualifying_replies(conversation, since):
    return (Message.objects.filter(conversation=conversation, direction=Message.Direction.OUTBOUND,
                                   author__isnull=False, created_at__gte=since)
            .exclude(status=Message.Status.FAILED).exclude(metadata__has_key="automatic")
            .exclude(metadata__has_key="bot"))


def active_policies():
    return list(SlaPolicy.objects.filter(active=True).prefetch_related("targets"))


def matching_policy(conversation, policies=None):
    """The policy applied to the conversation (by a rule or a macro) while it is active, else the first active
    policy, by position, whose conditions all hold for the conversation now."""
    policies = policies if policies is not None else active_policies()
    applied = AppliedSlaPolicy.objects.filter(conversation=conversation).values_list("policy_id", flat=True).first()
    chosen = next((policy for policy in policies if policy.pk == applied), None)
    if chosen is not None:
        return chosen
    kind = current_kind(conversation)
    labels = None
    for policy in policies:
        conditions = policy.conditions or {}
        if conditions.get("teams") and conversation.team_id not in conditions["teams"]:
            continue
        if conditions.get("channel_kinds") and kind not in conditions["channel_kinds"]:
            continue
        if conditions.get("priorities") and conversation.priority not in conditions["priorities"]:
            continue
        if conditions.get("labels"):
            if labels is None:
                labels = set(conversation.labels.values_list("name", flat=True))
            if not labels & set(conditions["labels"]):
                continue
        return policy
    return None


def target_seconds(policy, priority, metric):
    if policy is None:
        return None
    for target in policy.targets.all():
        if target.priority == priority and target.metric == metric:
            return target.minutes * 60
    return None


class Clocks:
    """The clock changes of one transaction: writes them, records their events, and after commit schedules
    their checks and tells the console and other layers."""

    def __init__(self, conversation, now):
        self.conversation = conversation
        self.now = now
        self.schedules = ScheduleCache()
        self.changed = {}

    def schedule_of(self, clock):
        return self.schedules.get(clock.policy.calendar_id if clock.policy_id else None)

    def record(self, clock, kind, at=None, **data):
        SlaClockEvent.objects.create(clock=clock, kind=kind, at=at or self.now, data=data)
        self.changed[clock.pk] = clock

    def plan(self, clock):
        """Due and warning instants of a running clock, from the business time it has left."""
        if clock.state != SlaClock.State.RUNNING:
            clock.due_at = clock.warn_at = None
            return
        schedule = self.schedule_of(clock)
        remaining = clock.target_seconds - clock.used_seconds
        clock.due_at = calendars.add_business_time(schedule, clock.running_since, remaining)
        warn_before = clock.policy.warn_before_minutes * 60 if clock.policy_id else 0
        clock.warn_at = None
        if warn_before and clock.warned_at is None and clock.due_at is not None:
            clock.warn_at = calendars.add_business_time(schedule, clock.running_since, max(0, remaining - warn_before))

    def bank(self, clock, until):
        """Add the business time run since `running_since` to what the clock has used."""
        if clock.state == SlaClock.State.RUNNING and clock.running_since and until > clock.running_since:
            clock.used_seconds += calendars.business_seconds_between(
                self.schedule_of(clock), clock.running_since, until)
            clock.running_since = until

    def start(self, cycle, metric, turn, policy, seconds, at, **data):
        clock = SlaClock.objects.create(
            conversation=self.conversation, cycle=cycle, metric=metric, turn=turn, policy=policy,
            target_seconds=seconds, started_at=at, running_since=at)
        self.record(clock, SlaClockEvent.Kind.START, at, policy=policy.name, target_seconds=seconds, **data)
        self.plan(clock)
        clock.save()
        return clock

    def stop(self, clock, state, at, reason, message=None):
        self.bank(clock, at)
        clock.state, clock.stopped_at, clock.running_since = state, at, None
        clock.met_by = message
        clock.due_at = clock.warn_at = None
        kind = SlaClockEvent.Kind.MET if state == SlaClock.State.MET else SlaClockEvent.Kind.CANCEL
        self.record(clock, kind, at, reason=reason, **({"message": message.pk} if message else {}))
        clock.save()

    def pause(self, clock, reason):
        self.bank(clock, self.now)
        clock.state, clock.running_since = SlaClock.State.PAUSED, None
        self.plan(clock)
        self.record(clock, SlaClockEvent.Kind.PAUSE, reason=reason, used_seconds=round(clock.used_seconds))
        clock.save()

    def resume(self, clock, reason, since=None):
        clock.state, clock.running_since = SlaClock.State.RUNNING, since or self.now
        clock.stopped_at = clock.met_by = None
        self.plan(clock)
        self.record(clock, SlaClockEvent.Kind.RESUME, reason=reason, used_seconds=round(clock.used_seconds))
        clock.save()

    def retarget(self, clock, policy, seconds):
        """A new policy or target for a clock: the business time already used is kept."""
        self.bank(clock, self.now)
        old_policy, old_seconds = clock.policy.name if clock.policy_id else "", clock.target_seconds
        clock.policy, clock.target_seconds = policy, seconds
        self.plan(clock)
        self.record(clock, SlaClockEvent.Kind.RECOMPUTE, old_policy=old_policy, policy=policy.name,
                    old_target_seconds=old_seconds, target_seconds=seconds, used_seconds=round(clock.used_seconds))
        clock.save()

    def finish(self):
        """Fire what is already due (a shorter target may be past at once) and schedule the rest."""
        for clock in list(self.changed.values()):
            fire_due(clock, self.now, self)
        if self.changed:
            publish_sla(self.conversation, self.schedules, self.now)


def _bound_policy(clock, policies):
    return next((policy for policy in policies if policy.pk == clock.policy_id), clock.policy)


def _locked(conversation_id):
    return (Conversation.objects.select_for_update(of=("self",)).select_related("last_inbound_channel")
            .get(pk=conversation_id))


@transaction.atomic
def reconcile(conversation_id, now=None):
    """Bring the conversation's clocks in line with what it is now; returns the clocks that changed."""
    clocks = Clocks(_locked(conversation_id), now or timezone.now())
    _reconcile(clocks)
    clocks.finish()
    return list(clocks.changed.values())


def _reconcile(clocks):
    conversation, now = clocks.conversation, clocks.now
    active = list(SlaClock.objects.select_for_update(of=("self",)).select_related("policy", "cycle")
                  .filter(conversation=conversation, state__in=ACTIVE))
    cycle = ConversationCycle.objects.filter(conversation=conversation, resolved_at__isnull=True).last()
    for clock in active:
        if cycle is None or clock.cycle_id != cycle.pk:
            # Its cycle is over: resolving met the resolution clock and stopped the reply clocks.
            resolved_at = clock.cycle.resolved_at
            met = clock.metric == SlaMetric.RESOLUTION and resolved_at is not None
            clocks.stop(clock, SlaClock.State.MET if met else SlaClock.State.CANCELLED,
                        max(resolved_at or now, clock.started_at), "resolved" if resolved_at else "new_cycle")
    if cycle is None:
        return

    policies = active_policies()
    policy = matching_policy(conversation, policies)
    for clock in [clock for clock in active if clock.cycle_id == cycle.pk]:
        seconds = target_seconds(policy, conversation.priority, clock.metric)
        if seconds is None:
            clocks.stop(clock, SlaClock.State.CANCELLED, now, "no_target")
        elif clock.policy_id != policy.pk or clock.target_seconds != seconds:
            clocks.retarget(clock, policy, seconds)
        else:
            clock.policy = _bound_policy(clock, policies)
    if policy is not None:
        _start_missing(clocks, cycle, policy, conversation, now)
    for clock in SlaClock.objects.select_related("policy").filter(cycle=cycle, metric=SlaMetric.RESOLUTION,
                                                                  state__in=ACTIVE):
        pauses = conversation.status in ((clock.policy.pause_statuses or []) if clock.policy_id else [])
        if pauses and clock.state == SlaClock.State.RUNNING:
            clocks.pause(clock, conversation.status)
        elif not pauses and clock.state == SlaClock.State.PAUSED:
            clocks.resume(clock, conversation.status)


def _start_missing(clocks, cycle, policy, conversation, now):
    existing = list(SlaClock.objects.filter(cycle=cycle).values_list("metric", "turn", "state"))
    metrics = {metric for metric, _turn, _state in existing}
    # A policy that starts matching late does not hold the team to time before it existed.
    floor = max(cycle.opened_at, policy.created_at)
    resolution = target_seconds(policy, conversation.priority, SlaMetric.RESOLUTION)
    if resolution and SlaMetric.RESOLUTION not in metrics:
        clocks.start(cycle, SlaMetric.RESOLUTION, 0, policy, resolution, min(floor, now))
    first = _customer_messages(conversation, cycle.opened_at).order_by("created_at", "id").first()
    if first is None:
        return
    if SlaMetric.FIRST_RESPONSE not in metrics:
        seconds = target_seconds(policy, conversation.priority, SlaMetric.FIRST_RESPONSE)
        if seconds and not _qualifying_replies(conversation, first.created_at).exists():
            clocks.start(cycle, SlaMetric.FIRST_RESPONSE, 0, policy, seconds, max(first.created_at, floor),
                         message=first.pk)
        return
    if any(state in ACTIVE for metric, _turn, state in existing if metric in REPLY_METRICS):
        return
    # The oldest customer message after the last qualifying reply starts the next-response clock.
    last_reply = _qualifying_replies(conversation, cycle.opened_at).order_by("-created_at", "-id").first()
    waiting = _customer_messages(conversation, cycle.opened_at)
    if last_reply is not None:
        waiting = waiting.filter(Q(created_at__gt=last_reply.created_at)
                                 | Q(created_at=last_reply.created_at, pk__gt=last_reply.pk))
    waiting = waiting.order_by("created_at", "id").first()
    seconds = target_seconds(policy, conversation.priority, SlaMetric.NEXT_RESPONSE)
    if waiting is None or not seconds:
        return
    turn = 1 + max((t for metric, t, _state in existing if metric == SlaMetric.NEXT_RESPONSE), default=0)
    clocks.start(cycle, SlaMetric.NEXT_RESPONSE, turn, policy, seconds, max(waiting.created_at, floor),
                 message=waiting.pk)


@transaction.atomic
def apply_policy(conversation_id, policy, actor=None, now=None):
    """Hold the conversation to `policy` (None: back to the first matching policy); its clocks keep the
    business time used and are planned again. Returns the clocks that changed."""
    if policy is None:
        AppliedSlaPolicy.objects.filter(conversation_id=conversation_id).delete()
    else:
        AppliedSlaPolicy.objects.update_or_create(conversation_id=conversation_id, defaults={
            "policy": policy, "applied_by": actor, "applied_at": now or timezone.now()})
    return reconcile(conversation_id, now)


@transaction.atomic
def reply_sent(message_id, now=None):
    """A qualifying reply meets the conversation's running first/next response clocks."""
    message = Message.objects.select_related("conversation").get(pk=message_id)
    if not is_qualifying_reply(message):
        return []
    clocks = Clocks(_locked(message.conversation_id), now or timezone.now())
    for clock in (SlaClock.objects.select_for_update(of=("self",)).select_related("policy")
                  .filter(conversation_id=message.conversation_id, metric__in=REPLY_METRICS, state__in=ACTIVE,
                          started_at__lte=message.created_at)):
        clocks.stop(clock, SlaClock.State.MET, message.created_at, "reply", message)
    # A customer message that arrived after this reply (its task may have run first) starts the next clock.
    _reconcile(clocks)
    clocks.finish()
    return list(clocks.changed.values())


@transaction.atomic
def reply_failed(message_id, now=None):
    """A reply that failed to go out did not answer the customer: the clocks it met run again, from where they
    stopped (so their due time is what it was), unless another reply answered since."""
    message = Message.objects.get(pk=message_id)
    clocks = Clocks(_locked(message.conversation_id), now or timezone.now())
    conversation = clocks.conversation
    for clock in SlaClock.objects.select_for_update(of=("self",)).select_related("policy").filter(met_by=message):
        other = (_qualifying_replies(conversation, clock.started_at).exclude(pk=message.pk)
                 .order_by("created_at").first())
        if other is not None:
            clock.met_by = other
            clock.save(update_fields=["met_by"])
            continue
        clocks.resume(clock, "reply_failed", since=clock.stopped_at)
    clocks.finish()
    return list(clocks.changed.values())


def fire_due(clock, now, clocks=None):
    """Record the warning and the breach of a running clock once their time has come (each at most once)."""
    if clock.state != SlaClock.State.RUNNING:
        return
    fired = []
    already_due = clock.due_at is not None and clock.due_at <= now
    if clock.warn_at and clock.warned_at is None and clock.warn_at <= now and not already_due:
        if _once(clock, SlaClockEvent.Kind.WARNING, now, due_at=clock.due_at.isoformat() if clock.due_at else None):
            clock.warned_at = now
            fired.append(sla_warning)
    if clock.due_at and clock.breached_at is None and clock.due_at <= now:
        if _once(clock, SlaClockEvent.Kind.BREACH, clock.due_at, detected_at=now.isoformat()):
            clock.breached_at = clock.due_at
            fired.append(sla_breached)
        # Past its due time a warning means nothing: nor should the sweep keep looking for one.
        clock.warn_at = None
    if not fired:
        return
    clock.save(update_fields=["warned_at", "breached_at", "warn_at"])
    if clocks is not None:
        clocks.changed[clock.pk] = clock
    # Taken now, as the core does: a breach a rule's change brought forward belongs to that rule's chain.
    cause = causes.current()
    for signal in fired:
        transaction.on_commit(lambda signal=signal: signal.send(
            sender=SlaClock, clock_id=clock.pk, conversation_id=clock.conversation_id, metric=clock.metric,
            cause=cause))


def _once(clock, kind, at, **data):
    try:
        with transaction.atomic():
            SlaClockEvent.objects.create(clock=clock, kind=kind, at=at, data=data)
        return True
    except IntegrityError:
        return False


@transaction.atomic
def check_clock(clock_id, now=None):
    """The scheduled check of one clock (and what the sweep calls): idempotent."""
    now = now or timezone.now()
    clock = SlaClock.objects.select_for_update(of=("self",)).select_related("policy").filter(pk=clock_id).first()
    if clock is None or clock.state != SlaClock.State.RUNNING:
        return False
    before = (clock.warned_at, clock.breached_at)
    fire_due(clock, now)
    if before != (clock.warned_at, clock.breached_at):
        publish_sla(clock.conversation, ScheduleCache(), now)
        return True
    return False


def sweep(now=None):
    """The safety net: every running clock whose warning or due time has passed unfired; returns how many fired."""
    now = now or timezone.now()
    due = SlaClock.objects.filter(state=SlaClock.State.RUNNING).filter(
        Q(due_at__lte=now, breached_at__isnull=True) | Q(warn_at__lte=now, warned_at__isnull=True))
    return sum(check_clock(clock_id, now) for clock_id in due.values_list("pk", flat=True))


def calendar_changed(calendar):
    """A calendar edit moves the due times of the running clocks that count in it."""
    conversation_ids = set(SlaClock.objects.filter(state=SlaClock.State.RUNNING, policy__calendar=calendar)
                           .values_list("conversation_id", flat=True))
    for conversation_id in conversation_ids:
        transaction.on_commit(lambda conversation_id=conversation_id: replan(conversation_id))


@transaction.atomic
def replan(conversation_id, now=None):
    now = now or timezone.now()
    clocks = Clocks(_locked(conversation_id), now)
    for clock in SlaClock.objects.select_for_update(of=("self",)).select_related("policy").filter(
            conversation_id=conversation_id, state=SlaClock.State.RUNNING):
        clocks.bank(clock, now)
        old_due = clock.due_at
        clocks.plan(clock)
        if clock.due_at != old_due:
            clocks.record(clock, SlaClockEvent.Kind.RECOMPUTE, reason="calendar_changed",
                          old_due_at=old_due.isoformat() if old_due else None)
        clock.save()
    clocks.finish()

