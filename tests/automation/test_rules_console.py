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
