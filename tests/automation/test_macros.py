"""Macros: personal/team/shared, previewed, run on one conversation or 50 at once, refused before anything runs."""
from datetime import timedelta

import pytest
from django.utils import timezone

from automation.actions import macros
from automation.models import Macro
from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.errors import ActionError
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation, Message

TWILIO = {"account_sid": "AC" + "0" * 32, "auth_token": "token", "from_number": "+15005550006",
          "api_base_url": "http://127.0.0.1:9"}
CLOSE = [{"type": "add_label", "label": "resolvido-por-macro"},
         {"type": "send_reply", "text": 'Obrigado, {{ customer.first_name|default:"cliente" }}! Qualquer coisa, chame.'},
         {"type": "set_status", "status": "resolved"}]


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


@pytest.fixture
def channel(make_api_channel, team):
    return make_api_channel("Loja", team=team)


def customer_wrote(channel, number, name="Maria Oliveira", hours_ago=0):
    inbound = InboundMessage(external_id=f"m-{number}", sender=Sender("phone", f"+55119999{number:05d}", name),
                             text="Oi", sent_at=timezone.now() - timedelta(hours=hours_ago))
    return ingest_message(channel, inbound).message.conversation


def test_a_macro_runs_all_its_actions_on_one_conversation(ana, channel):
    conversation = customer_wrote(channel, 1)
    macro = macros.save_macro(ana, "Encerrar", CLOSE)
    [result] = macros.run(ana, macro, [conversation.pk])
    assert result["ok"] and result["done"] == ["label resolvido-por-macro added", "reply sent", "status resolved"]
    conversation.refresh_from_db()
    assert conversation.status == "resolved"
    reply = Message.objects.get(direction="outbound")
    assert reply.text == "Obrigado, Maria! Qualquer coisa, chame." and reply.author == ana
    assert reply.metadata == {"macro": macro.pk}  # an agent's own send: not marked automatic


def test_a_macro_in_bulk_on_fifty_conversations(ana, channel):
    conversations = [customer_wrote(channel, number) for number in range(50)]
    macro = macros.save_macro(ana, "Encerrar", CLOSE)
    preview = macros.preview(ana, macro, [c.pk for c in conversations])
    assert len(preview) == 50 and not any(item["refused"] for item in preview)
    results = macros.run(ana, macro, [c.pk for c in conversations])
    assert len(results) == 50 and all(result["ok"] for result in results)
    assert Conversation.objects.filter(status="resolved").count() == 50
    assert Message.objects.filter(direction="outbound").count() == 50


def test_whatsapp_outside_its_window_is_refused_before_anything_runs(ana, team):
    whatsapp = create_channel("twilio_whatsapp", "WhatsApp Loja", TWILIO, team=team)
    late = customer_wrote(whatsapp, 1, hours_ago=30)
    fresh = customer_wrote(whatsapp, 2, hours_ago=1)
    macro = macros.save_macro(ana, "Encerrar", CLOSE)
    preview = {item["conversation"]: item["refused"] for item in macros.preview(ana, macro, [late.pk, fresh.pk])}
    assert "24" in preview[late.pk] and preview[fresh.pk] == ""
    results = {r["conversation"]: r for r in macros.run(ana, macro, [late.pk, fresh.pk])}
    assert not results[late.pk]["ok"] and results[fresh.pk]["ok"]
    late.refresh_from_db()
    # Nothing half-happened on the refused one: no label, still open, nothing queued.
    assert late.status == "open" and not late.labels.exists()
    assert not Message.objects.filter(conversation=late, direction="outbound").exists()


def test_an_empty_variable_refuses_the_macro_for_that_conversation(ana, channel):
    nameless = customer_wrote(channel, 1, name="")
    macro = macros.save_macro(ana, "Oi", [{"type": "send_reply", "text": "Olá {{ customer.first_name }}"}])
    [result] = macros.run(ana, macro, [nameless.pk])
    assert not result["ok"] and "would be empty" in result["error"]


def test_macros_are_scoped_personal_team_and_shared(ana, make_agent, team, other_team, channel):
    bruno = make_agent("bruno", teams=[other_team])
    carla = make_agent("carla", role="supervisor")
    mine = macros.save_macro(ana, "Mine", CLOSE)
    ours = macros.save_macro(carla, "Suporte", CLOSE, scope="team", team=team)
    everyone = macros.save_macro(carla, "Todos", CLOSE, scope="global")
    assert set(macros.available_to(ana)) == {mine, ours, everyone}
    assert set(macros.available_to(bruno)) == {everyone}
    with pytest.raises(ActionError):
        macros.save_macro(ana, "Shared", CLOSE, scope="global")
    with pytest.raises(ActionError):
        macros.run(bruno, mine, [customer_wrote(channel, 1).pk])
    with pytest.raises(ActionError):
        macros.delete_macro(ana, everyone)


def test_a_macro_only_touches_conversations_the_agent_may_see(ana, make_agent, other_team, make_api_channel):
    elsewhere = customer_wrote(make_api_channel("Vendas", team=other_team), 9)
    macro = macros.save_macro(ana, "Encerrar", CLOSE)
    assert macros.run(ana, macro, [elsewhere.pk]) == []
    assert Conversation.objects.get(pk=elsewhere.pk).status == "open"


def test_invalid_macros_are_refused(ana):
    for actions in ([], [{"type": "nope"}], [{"type": "send_reply", "text": "{{ customer.__class__ }}"}]):
        with pytest.raises(ActionError):
            macros.save_macro(ana, "Bad", actions)
    assert not Macro.objects.exists()
