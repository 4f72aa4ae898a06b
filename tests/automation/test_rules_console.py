"""The rule builder and the "Why?" panel in the console."""
import pytest
from django.test import Client

from automation.models import AutomationRule
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


BUILT = {
    "name": "Refunds on WhatsApp", "event": "message_received", "match": "all", "active": "on",
    "c0_field": "text", "c0_op": "contains", "c0_value": "reembolso",
    "c1_field": "attribute", "c1_key": "plan", "c1_op": "in", "c1_value": "ouro, prata",
    "a0_type": "add_label", "a0_value": "refund",
    "a1_type": "send_reply", "a1_text": 'Olá {{ customer.first_name|default:"cliente" }}, vamos ver seu reembolso.',
}


def test_an_admin_builds_a_rule_without_json_and_edits_it(admin_user):
    client = signed_in(admin_user)
    assert "No rules yet" in client.get("/settings/rules/").content.decode()
    answer = client.post("/settings/rules/", BUILT, follow=True)
    assert "Rule saved." in answer.content.decode()
    rule = AutomationRule.objects.get()
    assert rule.conditions == {"all": [{"field": "text", "op": "contains", "value": "reembolso"},
                                       {"field": "customer.attributes.plan", "op": "in", "value": ["ouro", "prata"]}]}
    assert rule.actions[0] == {"type": "add_label", "label": "refund"} and rule.actions[1]["type"] == "send_reply"
    # The edit page shows the same rows back; saving again makes version 2.
    page = client.get(f"/settings/rules/{rule.pk}/").content.decode()
    assert 'value="reembolso"' in page and 'value="plan"' in page
    client.post(f"/settings/rules/{rule.pk}/", {**BUILT, "name": "Refunds"})
    rule.refresh_from_db()
    assert (rule.name, rule.version) == ("Refunds", 2)


def test_a_refused_rule_shows_why_and_stores_nothing(admin_user):
    page = signed_in(admin_user).post("/settings/rules/", {**BUILT, "a1_text": "{{ customer.__class__ }}"})
    assert page.status_code == 200 and "not a variable" in page.content.decode()
    assert not AutomationRule.objects.exists()


def test_nested_conditions_go_in_as_json(admin_user):
    tree = '{"not": {"field": "labels", "op": "contains", "value": "vip"}}'
    signed_in(admin_user).post("/settings/rules/", {**BUILT, "conditions_json": tree})
    assert AutomationRule.objects.get().conditions == {"not": {"field": "labels", "op": "contains", "value": "vip"}}


def test_rules_are_reordered_and_deleted_with_confirmation(admin_user):
    client = signed_in(admin_user)
    client.post("/settings/rules/", {**BUILT, "name": "A"})
    client.post("/settings/rules/", {**BUILT, "name": "B"})
    second = AutomationRule.objects.get(name="B")
    client.post(f"/settings/rules/{second.pk}/move/", {"direction": "up"})
    assert list(AutomationRule.objects.values_list("name", flat=True)) == ["B", "A"]
    client.post(f"/settings/rules/{second.pk}/delete/")
    assert AutomationRule.objects.count() == 2
    client.post(f"/settings/rules/{second.pk}/delete/", {"confirm": "yes"})
    assert AutomationRule.objects.count() == 1


def test_the_conversation_shows_why(admin_user, make_agent, team, make_api_channel,
                                    django_capture_on_commit_callbacks):
    signed_in(admin_user).post("/settings/rules/", BUILT)
    inbound = InboundMessage(external_id="wa-1", sender=Sender(kind="phone", address="+5511999990001", name="Maria"),
                             text="quero reembolso")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = ingest_message(make_api_channel("WhatsApp", team=team), inbound).message.conversation
    page = signed_in(make_agent("ana", teams=[team])).get(f"/conversations/{conversation.pk}/").content.decode()
    assert "Why? What automation rules did here" in page
    assert "customer.attributes.plan in" in page  # the first condition that did not hold (no plan attribute)


def test_agents_cannot_open_the_rule_builder(make_agent, team):
    assert signed_in(make_agent("ana", teams=[team])).get("/settings/rules/").status_code == 403


def test_the_builder_offers_sla_events_routing_actions_new_conditions_and_language_variants(admin_user):
    from routing.models import BusinessCalendar, SlaPolicy

    strict = SlaPolicy.objects.create(name="Strict")
    BusinessCalendar.objects.create(name="Office", time_zone="America/Sao_Paulo", weekly_hours={})
    client = signed_in(admin_user)
    page = client.get("/settings/rules/").content.decode()
    assert 'value="sla_breached"' in page and 'value="apply_sla_policy"' in page and "Strict" in page
    built = {
        "name": "Late and angry", "event": "sla_breached", "match": "all", "active": "on",
        "c0_field": "sla_metric", "c0_op": "eq", "c0_value": "first_response",
        "c1_field": "sentiment", "c1_op": "in", "c1_value": "negative, neutral",
        "c2_field": "business_hours", "c2_op": "eq", "c2_value": "open",
        "c3_field": "waiting", "c3_op": "eq", "c3_value": "true",
        "a0_type": "assign_automatically",
        "a1_type": "apply_sla_policy", "a1_policy": str(strict.pk),
        "a2_type": "send_reply", "a2_text": "Sorry for the wait.", "a2_text_pt_br": "Desculpe a demora.",
        "a2_text_es": "",
    }
    assert "Rule saved." in client.post("/settings/rules/", built, follow=True).content.decode()
    rule = AutomationRule.objects.get()
    assert rule.conditions == {"all": [
        {"field": "sla_metric", "op": "eq", "value": "first_response"},
        {"field": "sentiment", "op": "in", "value": ["negative", "neutral"]},
        {"field": "business_hours", "op": "eq", "value": "open"},
        {"field": "waiting", "op": "eq", "value": True}]}
    assert rule.actions == [{"type": "assign_automatically"}, {"type": "apply_sla_policy", "policy": strict.pk},
                            {"type": "send_reply", "text": "Sorry for the wait.",
                             "variants": {"pt-br": "Desculpe a demora."}}]
    # Edited back in the same rows: nothing is lost by saving again.
    page = client.get(f"/settings/rules/{rule.pk}/").content.decode()
    assert "Desculpe a demora." in page and 'value="first_response"' in page
    client.post(f"/settings/rules/{rule.pk}/", {**built, "name": "Late"})
    rule.refresh_from_db()
    assert rule.version == 2 and len(rule.conditions["all"]) == 4 and rule.actions[2]["variants"]


def test_a_timer_in_business_minutes_is_built_and_a_bad_value_is_refused(admin_user):
    client = signed_in(admin_user)
    timer = {"name": "Waiting an hour", "event": "customer_waiting", "match": "all", "active": "on",
             "delay_minutes": "60", "delay_in_business_minutes": "on", "a0_type": "add_label", "a0_value": "late"}
    client.post("/settings/rules/", timer)
    assert AutomationRule.objects.get().delay_in_business_minutes is True
    page = client.post("/settings/rules/", {**timer, "name": "Moody", "event": "message_received", "delay_minutes": "",
                                            "delay_in_business_minutes": "", "c0_field": "sentiment", "c0_op": "eq",
                                            "c0_value": "furious"})
    assert page.status_code == 200 and "sentiment is one of" in page.content.decode()
    assert AutomationRule.objects.count() == 1
