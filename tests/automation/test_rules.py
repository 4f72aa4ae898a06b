"""Automation rules: order, stop processing, chaining with loop control, rollback, safe auto-replies, "Why?"."""
import pytest
from django.test import override_settings

from automation.actions import rules
from automation.models import RuleEvaluation, RuleEvent, WebhookDelivery
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.errors import ActionError
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation, Message


@pytest.fixture
def channel(make_api_channel, team):
    return make_api_channel("WhatsApp", team=team)


@pytest.fixture
def rule(admin_user):
    def make(name, event, actions, conditions=None, **options):
        return rules.save_rule(admin_user, name, event, conditions or {}, actions, **options)

    return make


def receive(channel, capture, external_id="wa-1", text="Oi, quero um reembolso", name="Maria Oliveira",
            automatic=None):
    inbound = InboundMessage(external_id=external_id, sender=Sender(kind="phone", address="+5511999990001", name=name),
                             text=text, metadata={"automatic": automatic} if automatic else {})
    with capture(execute=True):
        return ingest_message(channel, inbound).message.conversation


def labels(conversation):
    return sorted(conversation.labels.values_list("name", flat=True))


def test_rules_run_by_position_each_seeing_the_state_the_previous_left(channel, rule,
                                                                       django_capture_on_commit_callbacks):
    rule("Tag", RuleEvent.MESSAGE_RECEIVED, [{"type": "add_label", "label": "pedido"}], position=2,
         conditions={"field": "priority", "op": "eq", "value": "high"})
    rule("Urgent refunds", RuleEvent.MESSAGE_RECEIVED, [{"type": "set_priority", "priority": "high"}], position=1,
         conditions={"field": "text", "op": "contains", "value": "REEMBOLSO"})
    conversation = receive(channel, django_capture_on_commit_callbacks)
    conversation.refresh_from_db()
    assert conversation.priority == "high" and labels(conversation) == ["pedido"]


def test_stop_processing_halts_the_rules_after_it(channel, rule, django_capture_on_commit_callbacks):
    rule("First", RuleEvent.MESSAGE_RECEIVED, [{"type": "set_priority", "priority": "low"}], stop_processing=True)
    rule("Second", RuleEvent.MESSAGE_RECEIVED, [{"type": "add_label", "label": "never"}])
    conversation = receive(channel, django_capture_on_commit_callbacks)
    assert labels(conversation) == [] and Conversation.objects.get().priority == "low"
    assert not RuleEvaluation.objects.filter(rule_name="Second").exists()


def test_two_rules_that_trigger_each_other_fire_once_each(channel, rule, admin_user,
                                                          django_capture_on_commit_callbacks):
    escalate = rule("Labelled: escalate", RuleEvent.LABELS_CHANGED, [{"type": "set_priority", "priority": "high"}])
    tag = rule("Escalated: tag", RuleEvent.PRIORITY_CHANGED, [{"type": "add_label", "label": "escalado"}])
    conversation = receive(channel, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        update_conversation(conversation, admin_user, labels=["vip"])
    conversation.refresh_from_db()
    assert conversation.priority == "high" and labels(conversation) == ["escalado", "vip"]
    outcomes = {(e.rule_id, e.outcome) for e in RuleEvaluation.objects.all()}
    assert (escalate.pk, "matched") in outcomes and (tag.pk, "matched") in outcomes
    # The label added by the second rule came back to the first one, which had fired for this root already.
    assert (escalate.pk, "already_fired") in outcomes
    assert RuleEvaluation.objects.filter(outcome="matched").count() == 2
    roots = set(RuleEvaluation.objects.values_list("root_event_id", flat=True))
    assert len(roots) == 1
    assert sorted(RuleEvaluation.objects.values_list("depth", flat=True)) == [0, 1, 2]


@override_settings(AUTOMATION_MAX_DEPTH=1)
def test_a_chain_stops_at_the_depth_limit(channel, rule, admin_user, django_capture_on_commit_callbacks):
    rule("1", RuleEvent.LABELS_CHANGED, [{"type": "set_priority", "priority": "high"}])
    rule("2", RuleEvent.PRIORITY_CHANGED, [{"type": "set_status", "status": "pending"}])
    rule("3", RuleEvent.STATUS_CHANGED, [{"type": "add_label", "label": "deep"}])
    conversation = receive(channel, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        update_conversation(conversation, admin_user, labels=["vip"])
    conversation.refresh_from_db()
    assert (conversation.priority, conversation.status) == ("high", "pending")
    assert labels(conversation) == ["vip"]
    assert RuleEvaluation.objects.get(rule_name="3").outcome == "depth_limit"


def test_a_failing_action_rolls_back_the_whole_rule(channel, rule, make_agent, team,
                                                    django_capture_on_commit_callbacks):
    leaver = make_agent("leaver", teams=[team])
    rule("Broken", RuleEvent.MESSAGE_RECEIVED, [
        {"type": "add_label", "label": "half-done"},
        {"type": "send_reply", "text": "Olá!"},
        {"type": "assign_agent", "agent": leaver.pk},
    ])
    leaver.is_active = False
    leaver.save()
    conversation = receive(channel, django_capture_on_commit_callbacks)
    assert labels(conversation) == [] and Conversation.objects.get().assignee is None
    assert not Message.objects.filter(direction="outbound").exists()
    evaluation = RuleEvaluation.objects.get()
    assert evaluation.outcome == "failed" and "deactivated" in evaluation.error
    assert evaluation.actions_done == ["label half-done added", "reply sent"]


def test_an_automatic_reply_uses_safe_variables_and_is_marked_automatic(channel, rule,
                                                                        django_capture_on_commit_callbacks):
    rule("Greeting", RuleEvent.CONVERSATION_CREATED,
         [{"type": "send_reply", "text": 'Olá {{ customer.first_name|default:"cliente" }}, já vamos responder.'}])
    receive(channel, django_capture_on_commit_callbacks)
    reply = Message.objects.get(direction="outbound")
    assert reply.text == "Olá Maria, já vamos responder." and reply.metadata["automatic"] == "rule"


def test_an_empty_variable_without_default_blocks_the_rule(channel, rule, django_capture_on_commit_callbacks):
    rule("Greeting", RuleEvent.CONVERSATION_CREATED, [{"type": "send_reply", "text": "Olá {{ customer.first_name }}"}])
    receive(channel, django_capture_on_commit_callbacks, name="")
    assert not Message.objects.filter(direction="outbound").exists()
    assert "would be empty" in RuleEvaluation.objects.get().error


def test_automatic_mail_never_triggers_a_reply(channel, rule, django_capture_on_commit_callbacks):
    rule("Ack", RuleEvent.MESSAGE_RECEIVED, [{"type": "send_reply", "text": "Recebido!"},
                                             {"type": "add_label", "label": "ack"}])
    conversation = receive(channel, django_capture_on_commit_callbacks, automatic="Auto-Submitted: auto-replied")
    assert not Message.objects.filter(direction="outbound").exists() and labels(conversation) == ["ack"]
    assert "automatically" in RuleEvaluation.objects.get().actions_done[0]


@override_settings(AUTOMATION_MAX_AUTO_REPLIES_PER_DAY=2)
def test_automatic_replies_are_capped_per_conversation(channel, rule, django_capture_on_commit_callbacks):
    rule("Ack", RuleEvent.MESSAGE_RECEIVED, [{"type": "send_reply", "text": "Recebido!"}])
    for number in range(4):
        receive(channel, django_capture_on_commit_callbacks, external_id=f"wa-{number}")
    assert Message.objects.filter(direction="outbound").count() == 2
    assert "daily limit" in RuleEvaluation.objects.order_by("-at", "-id").first().actions_done[0]


def test_the_why_record_names_the_first_failing_condition(channel, rule, django_capture_on_commit_callbacks):
    rule("WhatsApp refunds", RuleEvent.MESSAGE_RECEIVED, [{"type": "add_label", "label": "refund"}], conditions={
        "all": [{"field": "text", "op": "contains", "value": "reembolso"},
                {"field": "channel_kind", "op": "eq", "value": "whatsapp_cloud"}]})
    receive(channel, django_capture_on_commit_callbacks)
    evaluation = RuleEvaluation.objects.get()
    assert evaluation.outcome == "not_matched"
    assert evaluation.failed_condition == "channel_kind eq 'whatsapp_cloud'" and evaluation.rule_version == 1


def test_a_team_rule_only_runs_on_that_teams_conversations(channel, rule, other_team,
                                                           django_capture_on_commit_callbacks):
    rule("Sales only", RuleEvent.MESSAGE_RECEIVED, [{"type": "add_label", "label": "sales"}], team=other_team)
    conversation = receive(channel, django_capture_on_commit_callbacks)
    assert labels(conversation) == [] and not RuleEvaluation.objects.exists()


def test_a_rule_can_send_a_webhook(channel, rule, admin_user, fake_http, django_capture_on_commit_callbacks):
    from automation.actions import webhooks

    subscription, _ = webhooks.create_subscription(admin_user, "CRM", fake_http.url, ["conversation.created"])
    rule("Tell the CRM", RuleEvent.MESSAGE_RECEIVED, [{"type": "send_webhook", "subscription": subscription.pk}])
    receive(channel, django_capture_on_commit_callbacks)
    events = sorted(request.json()["event"] for request in fake_http.requests)
    assert events == ["automation.rule_fired", "conversation.created"]
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 2


def test_dry_run_shows_which_recent_conversations_would_match(channel, rule, admin_user,
                                                              django_capture_on_commit_callbacks):
    receive(channel, django_capture_on_commit_callbacks)
    receive(channel, django_capture_on_commit_callbacks, external_id="wa-2", text="outra coisa")
    matching = rule("Refunds", RuleEvent.MESSAGE_RECEIVED, [{"type": "add_label", "label": "refund"}],
                    conditions={"field": "text", "op": "contains", "value": "reembolso"})
    results = rules.dry_run(admin_user, matching)
    # The last customer message is "outra coisa": the conversation would not match now.
    assert [r["matched"] for r in results] == [False]


@pytest.mark.parametrize("conditions, actions", [
    ({"field": "nope", "op": "eq", "value": 1}, [{"type": "add_label", "label": "x"}]),
    ({"field": "status", "op": "contains", "value": "x"}, [{"type": "add_label", "label": "x"}]),
    ({"all": []}, [{"type": "add_label", "label": "x"}]),
    ({"field": "status", "op": "in", "value": "open"}, [{"type": "add_label", "label": "x"}]),
    ({}, []),
    ({}, [{"type": "launch_rockets"}]),
    ({}, [{"type": "send_reply", "text": "{{ customer.__class__ }}"}]),
    ({}, [{"type": "assign_agent", "agent": 999999}]),
    ({}, [{"type": "set_status", "status": "snoozed"}]),
    ({"not": {"not": {"not": {"not": {"not": {"not": {"not": {"field": "status", "op": "eq", "value": "open"}}}}}}}},
     [{"type": "add_label", "label": "x"}]),
])
def test_invalid_rules_are_refused(admin_user, conditions, actions):
    with pytest.raises(ActionError):
        rules.save_rule(admin_user, "Bad", RuleEvent.MESSAGE_RECEIVED, conditions, actions)


def test_only_admins_manage_rules(make_agent, team):
    with pytest.raises(ActionError):
        rules.save_rule(make_agent("ana", teams=[team]), "Mine", RuleEvent.MESSAGE_RECEIVED, {},
                        [{"type": "add_label", "label": "x"}])


def test_a_timer_rule_rearms_on_a_new_customer_message_and_fires_once(channel, rule,
                                                                      django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from automation.models import RuleTimer

    rule("Still waiting", RuleEvent.CUSTOMER_WAITING, [{"type": "set_priority", "priority": "high"}],
         conditions={"field": "waiting", "op": "eq", "value": True}, delay_minutes=120)
    receive(channel, django_capture_on_commit_callbacks, external_id="wa-1")
    assert RuleTimer.objects.get().due_at - timezone.now() > timedelta(minutes=119)
    # As if that message came 30 minutes ago: then a new one re-arms the timer, and the old due time
    # passes without firing.
    RuleTimer.objects.update(due_at=F("due_at") - timedelta(minutes=30))
    first_due = RuleTimer.objects.get().due_at
    assert rules.fire_due_timers(now=first_due - timedelta(minutes=1)) == 0
    later = timezone.now() + timedelta(minutes=30)
    receive(channel, django_capture_on_commit_callbacks, external_id="wa-2")
    timer = RuleTimer.objects.get()
    assert timer.due_at > first_due and timer.fired_at is None
    assert rules.fire_due_timers(now=first_due + timedelta(seconds=1)) == 0
    assert Conversation.objects.get().priority == "none"

    assert rules.fire_due_timers(now=timer.due_at + timedelta(seconds=1)) == 1
    assert Conversation.objects.get().priority == "high"
    # Fires once: the next sweeps find nothing due, and re-running the same arming is refused.
    assert rules.fire_due_timers(now=timer.due_at + timedelta(hours=5)) == 0
    RuleTimer.objects.update(fired_at=None)
    rules.fire_due_timers(now=later + timedelta(hours=5))
    assert RuleEvaluation.objects.filter(outcome="matched").count() == 1
    assert RuleEvaluation.objects.filter(outcome="already_fired").count() == 1


def test_a_timer_rule_needs_its_delay(admin_user):
    with pytest.raises(ActionError):
        rules.save_rule(admin_user, "Timer", RuleEvent.CUSTOMER_WAITING, {}, [{"type": "add_label", "label": "x"}])
    with pytest.raises(ActionError):
        rules.save_rule(admin_user, "Not a timer", RuleEvent.MESSAGE_RECEIVED, {},
                        [{"type": "add_label", "label": "x"}], delay_minutes=5)


def test_a_csat_rating_triggers_its_rules(channel, rule, admin_user, django_capture_on_commit_callbacks):
    from conversations.actions.csat import rate_cycle
    from conversations.models import ConversationCycle

    rule("Unhappy", RuleEvent.CSAT_RECEIVED, [{"type": "add_label", "label": "detrator"}],
         conditions={"field": "csat", "op": "lt", "value": 3})
    conversation = receive(channel, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        update_conversation(conversation, admin_user, status="resolved")
    with django_capture_on_commit_callbacks(execute=True):
        rate_cycle(ConversationCycle.objects.get().pk, 2)
    assert labels(conversation) == ["detrator"]


def test_a_template_reply_fills_its_variables_safely(rule, team, django_capture_on_commit_callbacks):
    from channels_adapters.setup import create_channel

    twilio = {"account_sid": "AC" + "0" * 32, "auth_token": "token", "from_number": "+15005550006",
              "api_base_url": "http://127.0.0.1:9", "templates": [
                  {"name": "retorno", "language": "pt_BR", "variables": ["1"], "body": "Olá {{1}}, podemos ajudar?",
                   "content_sid": "HX" + "a" * 32}]}
    whatsapp = create_channel("twilio_whatsapp", "WhatsApp", twilio, team=team)
    rule("Template", RuleEvent.CONVERSATION_CREATED, [{"type": "send_template", "name": "retorno",
         "variables": {"1": '{{ customer.first_name|default:"cliente" }}'}}])
    receive(whatsapp, django_capture_on_commit_callbacks, name="")
    reply = Message.objects.get(direction="outbound")
    assert reply.text == "Olá cliente, podemos ajudar?" and reply.metadata["template"]["variables"] == {"1": "cliente"}


def test_a_template_approved_in_several_languages_goes_out_in_the_customers(rule, team,
                                                                             django_capture_on_commit_callbacks):
    from channels_adapters.setup import create_channel
    from conversations.models import Customer

    template = {"variables": ["1"], "content_sid": "HX" + "a" * 32}
    twilio = {"account_sid": "AC" + "0" * 32, "auth_token": "token", "from_number": "+15005550006",
              "api_base_url": "http://127.0.0.1:9", "templates": [
                  {**template, "name": "retorno", "language": "pt_BR", "body": "Olá {{1}}, podemos ajudar?"},
                  {**template, "name": "retorno", "language": "es", "body": "Hola {{1}}, ¿podemos ayudar?",
                   "content_sid": "HX" + "b" * 32}]}
    whatsapp = create_channel("twilio_whatsapp", "WhatsApp", twilio, team=team)
    rule("Template", RuleEvent.MESSAGE_RECEIVED, [{"type": "send_template", "name": "retorno",
         "variables": {"1": '{{ customer.first_name|default:"cliente" }}'}}])
    receive(whatsapp, django_capture_on_commit_callbacks)
    # Nothing says which one this customer reads (English is neither): refused, with the reason.
    assert "several languages" in RuleEvaluation.objects.get().error
    Customer.objects.update(language="es")
    receive(whatsapp, django_capture_on_commit_callbacks, external_id="wa-2")
    reply = Message.objects.get(direction="outbound")
    assert reply.text == "Hola Maria, ¿podemos ayudar?"
