"""Automation rules: saving them (validated), and running them when something happens on a conversation.

Rules for an event run by position, each on the state the previous one left. A matching rule's actions
commit together or not at all (outbound messages leave after commit). Loop control: every event carries
its root cause and depth (conversations.causes); a rule fires at most once per root event (a unique
constraint), chains stop at AUTOMATION_MAX_DEPTH, automatic replies are capped per conversation and never
answer automatic mail.
"""
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.causes import Cause, caused_by
from conversations.models import Conversation, Message
from conversations.visibility import is_admin
from routing import calendars
from routing.schedules import conversation_schedule

from .. import conditions, facts, listened_events, rule_actions
from ..models import AutomationRule, RuleEvaluation, RuleEvent, RuleFiring, RuleTimer

logger = logging.getLogger(__name__)
ACTIVE_EVENTS_CACHE_KEY = "automation.rule-events"
DRY_RUN_CONVERSATIONS = 100
MAX_DELAY_MINUTES = 60 * 24 * 30


def _check_admin(actor):
    if not is_admin(actor):
        raise ActionError(_("Only admins may manage automation rules."))


def _clean(name, event, rule_conditions, actions, delay_minutes, delay_in_business_minutes):
    name = (name or "").strip()
    if not name:
        raise ActionError(_("Give the rule a name."), field="name")
    if event not in RuleEvent.values:
        raise ActionError(_("Unknown event."), field="event")
    if event == RuleEvent.CUSTOMER_WAITING:
        if not isinstance(delay_minutes, int) or not 0 < delay_minutes <= MAX_DELAY_MINUTES:
            raise ActionError(_("A timer rule waits 1 minute to 30 days."), field="delay_minutes")
    elif delay_minutes or delay_in_business_minutes:
        raise ActionError(_("Only the timer event waits."), field="delay_minutes")
    try:
        conditions.check(rule_conditions if rule_conditions is not None else {})
    except conditions.ConditionProblem as exc:
        raise ActionError(str(exc), field="conditions") from exc
    rule_actions.check_list(actions, _("A rule has 1 to %(max)d actions."))
    return name[:120], rule_conditions or {}, actions


def _forget_active_events():
    listened_events.forget(ACTIVE_EVENTS_CACHE_KEY)


@transaction.atomic
def save_rule(actor, name, event, conditions=None, actions=(), team=None, stop_processing=False, active=True,
              position=None, rule=None, delay_minutes=None, delay_in_business_minutes=False):
    """Create a rule (at the end of the list unless `position` is given), or change `rule` (a new version)."""
    _check_admin(actor)
    actions = list(actions) if isinstance(actions, (list, tuple)) else actions
    name, conditions, actions = _clean(name, event, conditions, actions, delay_minutes, delay_in_business_minutes)
    if rule is None:
        rule = AutomationRule(created_by=actor)
        if position is None:
            position = (AutomationRule.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    else:
        rule.version += 1
    rule.name, rule.event, rule.conditions, rule.actions = name, event, conditions, actions
    rule.team, rule.stop_processing, rule.active = team, stop_processing, active
    timer = event == RuleEvent.CUSTOMER_WAITING
    rule.delay_minutes = delay_minutes if timer else None
    rule.delay_in_business_minutes = bool(delay_in_business_minutes) and timer
    if position is not None:
        rule.position = position
    rule.updated_at = timezone.now()
    rule.save()
    _forget_active_events()
    return rule


@transaction.atomic
def move_rule(actor, rule, up):
    """Swap `rule` with its neighbour above (or below): positions are renumbered 1..n first."""
    _check_admin(actor)
    ordered = list(AutomationRule.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, candidate in enumerate(ordered) if candidate.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, candidate in enumerate(ordered, start=1):
        if candidate.position != position:
            AutomationRule.objects.filter(pk=candidate.pk).update(position=position)


def delete_rule(actor, rule):
    _check_admin(actor)
    rule.delete()
    _forget_active_events()


def active_events():
    return listened_events.read(ACTIVE_EVENTS_CACHE_KEY, lambda: sorted(set(
        AutomationRule.objects.filter(active=True).values_list("event", flat=True))))


def is_first_message(conversation_id, message_id):
    """Whether `message_id` is the first message of its conversation (the conversation was just created)."""
    first = Message.objects.filter(conversation_id=conversation_id).order_by("id").values_list("pk", flat=True).first()
    return first == message_id


def _record(rule, conversation_id, event, root_event_id, depth, outcome, failed="", done=(), error=""):
    RuleEvaluation.objects.create(
        rule=rule, rule_name=rule.name, rule_version=rule.version, conversation_id=conversation_id, event=event,
        root_event_id=root_event_id, depth=depth, outcome=outcome, failed_condition=failed[:300],
        actions_done=list(done), error=error[:300],
    )


def _rules_for(event, conversation, only_rule_id=None):
    candidates = AutomationRule.objects.filter(active=True, event=event).select_related("team")
    if only_rule_id is not None:
        candidates = candidates.filter(pk=only_rule_id)
    return [rule for rule in candidates if rule.team_id is None or rule.team_id == conversation.team_id]


def run_rules(event, conversation_id, message_id, root_event_id, depth, only_rule_id=None, details=None):
    """Evaluate the active rules of `event` for one conversation, in order; returns how many fired.

    `details` are facts of the event itself (which SLA clock was breached)."""
    conversation, message = facts.load(conversation_id, message_id)
    fired = 0
    for rule in _rules_for(event, conversation, only_rule_id):
        if depth > settings.AUTOMATION_MAX_DEPTH:
            _record(rule, conversation_id, event, root_event_id, depth, RuleEvaluation.Outcome.DEPTH_LIMIT)
            continue
        conversation, message = facts.load(conversation_id, message_id)  # the state the previous rule left
        rule_facts = facts.facts_for(conversation, message, details)
        matched, failed = conditions.evaluate(rule.conditions, rule_facts)
        if not matched:
            _record(rule, conversation_id, event, root_event_id, depth, RuleEvaluation.Outcome.NOT_MATCHED, failed)
            continue
        run = rule_actions.ActionContext(rule=rule, root_event_id=root_event_id, facts=rule_facts)
        done = []
        try:
            with caused_by(Cause(root_event_id=root_event_id, depth=depth + 1, rule_id=rule.pk)):
                with transaction.atomic():
                    RuleFiring.objects.create(rule=rule, conversation_id=conversation_id, root_event_id=root_event_id)
                    locked = Conversation.objects.select_for_update(of=("self",)).select_related(
                        "customer", "last_inbound_channel", "team").get(pk=conversation_id)
                    for action in rule.actions:
                        done.append(rule_actions.perform(locked, action, run))
        except IntegrityError:
            _record(rule, conversation_id, event, root_event_id, depth, RuleEvaluation.Outcome.ALREADY_FIRED)
            continue
        except ActionError as exc:
            _record(rule, conversation_id, event, root_event_id, depth, RuleEvaluation.Outcome.FAILED,
                    done=done, error=exc.message)
            continue
        except Exception as exc:  # a bug in one rule's action must not stop the others
            logger.exception("automation rule %s failed on conversation %s", rule.pk, conversation_id)
            _record(rule, conversation_id, event, root_event_id, depth, RuleEvaluation.Outcome.FAILED,
                    done=done, error=exc.__class__.__name__)
            continue
        _record(rule, conversation_id, event, root_event_id, depth, RuleEvaluation.Outcome.MATCHED, done=done)
        fired += 1
        if rule.stop_processing:
            break
    return fired


def dry_run(actor, rule):
    """Which of the last 100 active conversations the rule's conditions would match now (nothing is changed)."""
    _check_admin(actor)
    recent = Conversation.objects.select_related("customer", "last_inbound_channel", "team").order_by(
        F("last_message_at").desc(nulls_last=True), "-id")
    if rule.team_id:
        recent = recent.filter(team_id=rule.team_id)
    results = []
    for conversation in recent[:DRY_RUN_CONVERSATIONS]:
        matched, failed = conditions.evaluate(rule.conditions, facts.facts_for(conversation, score_sentiment=False))
        results.append({"conversation": conversation.pk, "customer": conversation.customer.name,
                        "matched": matched, "failed_condition": failed})
    return results


def timer_due_at(rule, since, conversation):
    """When a timer rule armed at `since` runs: calendar minutes, or business minutes in the conversation's
    calendar (routing); None when that calendar never opens again."""
    if not rule.delay_in_business_minutes:
        return since + timedelta(minutes=rule.delay_minutes)
    return calendars.add_business_time(conversation_schedule(conversation), since, rule.delay_minutes * 60)


def arm_timers(conversation_id, message_id):
    """A customer message (re-)arms every timer rule of its conversation: due from this message on."""
    conversation, message = facts.load(conversation_id, message_id)
    if message is None:
        return 0
    armed = 0
    for rule in _rules_for(RuleEvent.CUSTOMER_WAITING, conversation):
        due_at = timer_due_at(rule, message.created_at, conversation)
        if due_at is None:
            RuleTimer.objects.filter(rule=rule, conversation=conversation).delete()
            continue
        RuleTimer.objects.update_or_create(rule=rule, conversation=conversation, defaults={
            "message_id": message.pk, "due_at": due_at, "fired_at": None})
        armed += 1
    return armed


def fire_due_timers(now=None, limit=500):
    """Run each timer rule whose time has come, once per arming message; returns how many ran."""
    now = now or timezone.now()
    fired = 0
    while fired < limit:
        with transaction.atomic():
            timer = (RuleTimer.objects.select_for_update(skip_locked=True)
                     .filter(fired_at__isnull=True, due_at__lte=now).order_by("due_at").first())
            if timer is None:
                break
            timer.fired_at = now
            timer.save(update_fields=["fired_at"])
        run_rules(RuleEvent.CUSTOMER_WAITING, timer.conversation_id, timer.message_id,
                  f"timer:{timer.rule_id}:{timer.message_id}", 0, only_rule_id=timer.rule_id)
        fired += 1
    return fired
