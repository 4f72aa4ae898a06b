"""Rules and routing: SLA warning/breach triggers, assign automatically, apply an SLA policy, business hours,
timers in business minutes, sentiment and per-language replies."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from automation.actions import rules
from automation.models import RuleEvaluation, RuleEvent, RuleTimer
from conversations.actions.errors import ActionError
from conversations.models import Conversation, Customer, Message
from insights.models import MessageSentiment
from routing.actions import sla
from routing.models import AppliedSlaPolicy, AssignmentRecord, SlaClock

from ..routing.conftest import (  # noqa: F401  (routing's fixtures: frozen clock, policies, calendars, presence)
    MONDAY_10, auto_assign, chat, clock, committed, change, fresh_cache, lisbon_hours, make_policy, status_of, write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(admin_user):
    def make(name, event, actions, conditions=None, **options):
        return rules.save_rule(admin_user, name, event, conditions or {}, actions, **options)

    return make


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


def labels(conversation):
    return sorted(conversation.labels.values_list("name", flat=True))


def evaluation_of(rule):
    return RuleEvaluation.objects.filter(rule=rule).order_by("-at", "-id").first()


def test_sla_warning_and_breach_trigger_their_rules_once(clock, chat, write, make_policy, rule, committed):
    make_policy(first_response=30, resolution=600)
    warned = rule("Warn", RuleEvent.SLA_WARNING, [{"type": "add_label", "label": "sla-soon"}])
    breached = rule("First answer late", RuleEvent.SLA_BREACHED, [{"type": "set_priority", "priority": "urgent"}],
                    conditions={"field": "sla_metric", "op": "eq", "value": "first_response"})
    conversation = write(chat)
    clock.shift(timedelta(minutes=16))
    with committed():
        sla.sweep()
    assert labels(conversation) == ["sla-soon"] and Conversation.objects.get().priority == "none"
    clock.shift(timedelta(minutes=15))
    with committed():
        sla.sweep()
    with committed():
        sla.sweep()
    assert Conversation.objects.get().priority == "urgent"
    first = SlaClock.objects.get(metric="first_response")
    assert evaluation_of(breached).root_event_id == f"sla_breached:{first.pk}"
    assert RuleEvaluation.objects.filter(rule=breached, outcome="matched").count() == 1
    assert RuleEvaluation.objects.filter(rule=warned, outcome="matched").count() == 1


def test_a_breach_a_rule_brought_on_stays_in_that_rules_chain(clock, chat, write, make_policy, rule, change, ana):
    make_policy("Standard", position=1, first_response=60)
    strict = make_policy("Strict", position=2, first_response=15)
    apply = rule("VIP: strict SLA", RuleEvent.LABELS_CHANGED, [{"type": "apply_sla_policy", "policy": strict.pk}])
    late = rule("Late", RuleEvent.SLA_BREACHED, [{"type": "add_label", "label": "late"}])
    conversation = write(chat)
    clock.shift(timedelta(minutes=30))
    change(conversation, ana, labels=["vip"])
    first = SlaClock.objects.get(metric="first_response")
    # 30 minutes used of the 15 the applied policy allows: breached at once, and the time used was kept.
    assert (first.policy_id, first.target_seconds, first.used_seconds) == (strict.pk, 900, 1800)
    assert first.breached_at is not None and labels(conversation) == ["late", "vip"]
    assert AppliedSlaPolicy.objects.get(conversation=conversation).policy == strict
    applied = RuleEvaluation.objects.get(rule=apply, outcome="matched")
    chained = RuleEvaluation.objects.get(rule=late)
    # The label "late" came back to the first rule, which had fired for this root already.
    assert evaluation_of(apply).outcome == "already_fired"
    assert applied.actions_done == [f"SLA policy {strict.pk} applied"]
    assert chained.root_event_id == applied.root_event_id and chained.depth == applied.depth + 1


def test_applying_no_policy_goes_back_to_the_matching_one(clock, chat, write, make_policy, admin_user, committed):
    standard = make_policy("Standard", position=1, first_response=60)
    strict = make_policy("Strict", position=2, first_response=15)
    conversation = write(chat)
    with committed():
        sla.apply_policy(conversation.pk, strict, admin_user)
    assert SlaClock.objects.get(metric="first_response").policy == strict
    with committed():
        sla.apply_policy(conversation.pk, None)
    assert SlaClock.objects.get(metric="first_response").policy == standard
    assert not AppliedSlaPolicy.objects.exists()


def test_assign_automatically_requeues_to_someone_else_through_the_team_queue(
        clock, chat, write, rule, change, auto_assign, status_of, make_agent, team, ana):
    bia = make_agent("bia", teams=[team])
    status_of(ana)
    status_of(bia)
    auto_assign()
    rule("Escalated: another agent", RuleEvent.LABELS_CHANGED, [{"type": "assign_automatically"}])
    conversation = write(chat)
    change(conversation, ana, assignee=ana)
    change(conversation, ana, labels=["escalado"])
    conversation.refresh_from_db()
    assert conversation.assignee == bia
    kinds = list(AssignmentRecord.objects.filter(conversation=conversation).values_list("kind", "reason"))
    assert ("requeued", "rule") in kinds and kinds[-1] == ("auto", "rule")


def test_assign_automatically_says_why_when_the_team_does_not_route(clock, chat, write, rule, change, ana):
    escalate = rule("Escalate", RuleEvent.LABELS_CHANGED, [{"type": "assign_automatically"},
                                                           {"type": "set_priority", "priority": "high"}])
    conversation = write(chat)
    change(conversation, ana, labels=["escalado"])
    assert evaluation_of(escalate).actions_done == [
        f"not queued: team {conversation.team_id} does not assign automatically", "priority high"]


def test_business_hours_conditions_follow_the_teams_calendar(chat, write, rule, auto_assign, lisbon_hours):
    auto_assign(mode="off", calendar=lisbon_hours)
    closed = rule("Closed", RuleEvent.MESSAGE_RECEIVED, [{"type": "send_reply", "text": "Voltamos segunda às 9h."}],
                  conditions={"field": "business_hours", "op": "eq", "value": "closed"})
    with time_machine.travel(MONDAY_10, tick=False):
        write(chat, text="bom dia")
    assert evaluation_of(closed).outcome == "not_matched"
    with time_machine.travel(datetime(2026, 3, 7, 11, 0, tzinfo=UTC), tick=False):  # Saturday
        write(chat, text="alguém aí?")
    assert evaluation_of(closed).outcome == "matched"
    assert Message.objects.get(direction="outbound").text == "Voltamos segunda às 9h."


def test_a_timer_counts_business_minutes_in_the_conversations_calendar(chat, write, rule, auto_assign,
                                                                      lisbon_hours):
    auto_assign(mode="off", calendar=lisbon_hours)
    business = rule("Business hour", RuleEvent.CUSTOMER_WAITING, [{"type": "set_priority", "priority": "high"}],
                    delay_minutes=60, delay_in_business_minutes=True)
    rule("Calendar hour", RuleEvent.CUSTOMER_WAITING, [{"type": "add_label", "label": "late"}], delay_minutes=60)
    with time_machine.travel(datetime(2026, 3, 6, 16, 30, tzinfo=UTC), tick=False):  # Friday 16:30 in Lisbon
        write(chat)
    due = dict(RuleTimer.objects.values_list("rule_id", "due_at"))
    # 30 minutes on Friday, 30 on Monday morning.
    assert due[business.pk] == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)
    assert rules.timer_due_at(business, datetime(2026, 3, 6, 16, 30, tzinfo=UTC), Conversation.objects.get()) \
        == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)
    assert min(due.values()) == datetime(2026, 3, 6, 17, 30, tzinfo=UTC)
    assert rules.fire_due_timers(now=datetime(2026, 3, 8, 12, 0, tzinfo=UTC)) == 1
    assert Conversation.objects.get().priority == "none"
    assert rules.fire_due_timers(now=datetime(2026, 3, 9, 9, 31, tzinfo=UTC)) == 1
    assert Conversation.objects.get().priority == "high"


def test_a_reply_goes_out_in_the_customers_language(clock, chat, write, rule, settings):
    settings.AUTOMATION_MAX_AUTO_REPLIES_PER_DAY = 10
    rule("Ack", RuleEvent.MESSAGE_RECEIVED, [{"type": "send_reply", "text": "We got your message.", "variants": {
        "pt_BR": "Recebemos sua mensagem.", "es": 'Hola {{ customer.first_name|default:"" }}, recibimos tu mensaje.'}}])
    write(chat, address="+351911000001")
    Customer.objects.update(language="pt-br")
    write(chat, address="+351911000001")
    Customer.objects.update(language="es")
    write(chat, address="+351911000001")
    Customer.objects.update(language="")
    write(chat, address="+351911000001")
    texts = list(Message.objects.filter(direction="outbound").order_by("id").values_list("text", flat=True))
    assert texts[:2] == ["We got your message.", "Recebemos sua mensagem."]
    assert texts[2].startswith("Hola") and texts[2].endswith("recibimos tu mensaje.")
    assert texts[3] == "We got your message."


@pytest.mark.parametrize("conditions, actions", [
    ({"field": "business_hours", "op": "eq", "value": "maybe"}, [{"type": "add_label", "label": "x"}]),
    ({"field": "sentiment", "op": "eq", "value": "angry"}, [{"type": "add_label", "label": "x"}]),
    ({"field": "language", "op": "eq", "value": "klingon"}, [{"type": "add_label", "label": "x"}]),
    ({"field": "sla_metric", "op": "in", "value": ["first_response", "lunch"]}, [{"type": "add_label", "label": "x"}]),
    ({}, [{"type": "apply_sla_policy", "policy": 999999}]),
    ({}, [{"type": "send_reply", "text": "Hi", "variants": {"fr": "Salut"}}]),
    ({}, [{"type": "send_reply", "text": "Hi", "variants": {"es": " "}}]),
    ({}, [{"type": "send_reply", "text": "Hi", "variants": {"es": "{{ customer.__class__ }}"}}]),
    ({}, [{"type": "add_note", "text": "Hi", "variants": {"es": "Hola"}}]),
])
def test_invalid_new_conditions_and_actions_are_refused(admin_user, conditions, actions):
    with pytest.raises(ActionError):
        rules.save_rule(admin_user, "Bad", RuleEvent.MESSAGE_RECEIVED, conditions, actions)


def test_only_a_timer_counts_business_minutes(admin_user):
    with pytest.raises(ActionError):
        rules.save_rule(admin_user, "Not a timer", RuleEvent.SLA_BREACHED, {}, [{"type": "add_label", "label": "x"}],
                        delay_in_business_minutes=True)


def test_sentiment_conditions_score_the_customers_message_when_asked(clock, chat, write, rule):
    angry = rule("Angry customer", RuleEvent.MESSAGE_RECEIVED, [{"type": "set_priority", "priority": "high"}],
                 conditions={"all": [{"field": "sentiment", "op": "eq", "value": "negative"},
                                     {"field": "sentiment_score", "op": "lt", "value": -0.3}]})
    write(chat, text="Obrigada, adorei o atendimento, vocês são ótimos!")
    assert evaluation_of(angry).outcome == "not_matched"
    write(chat, text="Péssimo serviço, estou furiosa, o pedido chegou quebrado e ninguém responde!")
    assert evaluation_of(angry).outcome == "matched" and Conversation.objects.get().priority == "high"
    # Scored once, where the inbox's mood badge reads it too.
    assert MessageSentiment.objects.count() == 2


def test_replies_may_say_when_the_sla_is_due_and_when_the_office_opens(chat, write, rule, make_policy, auto_assign,
                                                                       lisbon_hours):
    auto_assign(mode="off", calendar=lisbon_hours)
    rule("Expectations", RuleEvent.MESSAGE_RECEIVED, [{"type": "send_reply", "text": (
        "We answer by {{ conversation.sla_due }}; "
        'we open {{ business_hours.next_opening|default:"soon" }}.')}])
    with time_machine.travel(datetime(2026, 3, 7, 11, 0, tzinfo=UTC), tick=False):  # Saturday
        make_policy(first_response=30, calendar=lisbon_hours)
        write(chat)
        Customer.objects.update(language="pt-br")
        write(chat)
    # 30 business minutes from Monday 09:00 in Lisbon, written as a Brazilian reads dates.
    assert Message.objects.filter(direction="outbound").order_by("id").last().text == (
        "We answer by 09/03/2026 09:30; we open 09/03/2026 09:00.")


def test_an_integrator_hears_of_a_breach(clock, chat, write, make_policy, admin_user, fake_http, committed):
    from automation.actions import webhooks

    webhooks.create_subscription(admin_user, "Pager", fake_http.url, ["sla.breached"])
    make_policy(first_response=30)
    conversation = write(chat)
    clock.shift(timedelta(minutes=31))
    with committed():
        sla.sweep()
    [request] = [r for r in fake_http.requests if r.path != "/callback"]
    body = request.json()
    assert body["event"] == "sla.breached" and body["payload"]["id"] == conversation.pk
    assert body["payload"]["sla"]["metric"] == "first_response" and body["payload"]["sla"]["breached_at"]
