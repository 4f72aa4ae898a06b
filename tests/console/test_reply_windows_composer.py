"""The composer and reply windows: a closed WhatsApp window offers the channel's approved templates."""
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.management.commands.seed_demo import DEMO_TEMPLATES
from conversations.models import Message

TWILIO = {"account_sid": "AC" + "0" * 32, "auth_token": "token", "from_number": "+15005550006",
          "api_base_url": "http://127.0.0.1:9"}


@pytest.fixture
def whatsapp(db, team):
    return create_channel("twilio_whatsapp", "WhatsApp Loja", {**TWILIO, "templates": DEMO_TEMPLATES}, team=team)


@pytest.fixture
def messenger(db, team):
    return create_channel("messenger", "Página Loja", {"page_id": "100000000000010", "page_access_token": "t",
                                                       "app_secret": "s"}, team=team)


@pytest.fixture
def ana(make_agent, team):
    client = Client()
    client.force_login(make_agent("ana", teams=[team]))
    return client


def customer_wrote(channel, hours_ago, sender=Sender("phone", "+5511999990001", "Maria")):
    inbound = InboundMessage("in-1", sender, "Oi", sent_at=timezone.now() - timedelta(hours=hours_ago))
    return ingest_message(channel, inbound).message.conversation


def composer(client, conversation):
    page = client.get(f"/conversations/{conversation.pk}/")
    assert page.status_code == 200
    return BeautifulSoup(page.content, "html.parser").select_one(".channel-choice")


def reply(client, conversation, data):
    return client.post(f"/conversations/{conversation.pk}/reply/", data)


def test_a_closed_whatsapp_window_offers_the_templates_and_says_why(ana, whatsapp):
    conversation = customer_wrote(whatsapp, 30)
    choice = composer(ana, conversation)

    option = choice.select_one(f"#reply-channel option[value='{whatsapp.pk}']")
    assert option.has_attr("selected") and not option.has_attr("disabled")
    assert "approved templates only" in option.text
    picker = choice.select_one(f".template-picker[data-channel='{whatsapp.pk}']")
    assert not picker.has_attr("disabled") and not picker.has_attr("hidden")
    # No free-form choice: the template is the only thing that can go.
    assert [o["value"] for o in picker.select("select[name=template] option")] == ["retomar_atendimento/pt_BR"]
    fields = picker.select_one(".template-fields[data-template='retomar_atendimento/pt_BR']")
    assert not fields.has_attr("disabled") and "Olá {{1}}! Podemos continuar" in fields.text
    assert fields.select_one("input")["name"] == "template_variable.1"
    (reason,) = [li.text for li in choice.select(f".unavailable li[data-channel='{whatsapp.pk}']")]
    assert "only allows free-form replies within 24 hours" in reason and "retomar_atendimento" in reason

    refused = reply(ana, conversation, {"text": "Olá!", "channel": whatsapp.pk})
    assert refused.status_code == 400 and "within 24 hours" in refused.json()["error"]
    missing = reply(ana, conversation, {"channel": whatsapp.pk, "template": "retomar_atendimento/pt_BR"})
    assert missing.status_code == 400 and "missing 1" in missing.json()["error"]
    assert not Message.objects.filter(direction="outbound").exists()

    sent = reply(ana, conversation, {"channel": whatsapp.pk, "template": "retomar_atendimento/pt_BR",
                                     "template_variable.1": "Maria"})
    assert sent.status_code == 200 and sent.json()["ok"]
    message = Message.objects.get(direction="outbound")
    assert message.text == "Olá Maria! Podemos continuar o seu atendimento?"
    assert message.metadata["template"] == {"name": "retomar_atendimento", "language": "pt_BR",
                                            "variables": {"1": "Maria"}}


def test_inside_the_window_free_text_goes_and_the_template_is_optional(ana, whatsapp):
    conversation = customer_wrote(whatsapp, 2)
    choice = composer(ana, conversation)
    assert "approved templates only" not in choice.select_one(f"option[value='{whatsapp.pk}']").text
    picker = choice.select_one(f".template-picker[data-channel='{whatsapp.pk}']")
    assert [o["value"] for o in picker.select("select[name=template] option")] == ["", "retomar_atendimento/pt_BR"]
    assert picker.select_one(".template-fields").has_attr("disabled")
    assert not choice.select(".unavailable li")

    assert reply(ana, conversation, {"text": "Olá!", "channel": whatsapp.pk, "template": ""}).json()["ok"]
    assert Message.objects.get(direction="outbound").text == "Olá!"


def test_a_template_and_text_together_are_refused(ana, whatsapp):
    conversation = customer_wrote(whatsapp, 30)
    answer = reply(ana, conversation, {"text": "Olá", "channel": whatsapp.pk, "template": "retomar_atendimento/pt_BR",
                                       "template_variable.1": "Maria"})
    assert answer.status_code == 400 and "leave the text empty" in answer.json()["error"]


def test_a_closed_window_without_templates_is_unavailable_with_the_reason(ana, team):
    bare = create_channel("twilio_whatsapp", "WhatsApp sem modelos", TWILIO, team=team)
    conversation = customer_wrote(bare, 30)
    choice = composer(ana, conversation)
    assert choice.select_one(f"option[value='{bare.pk}']").has_attr("disabled")
    assert not choice.select(".template-picker")
    assert "has none configured" in choice.select_one(".unavailable li").text


def test_messenger_past_24_hours_notes_the_human_agent_tag(ana, messenger):
    conversation = customer_wrote(messenger, 30, Sender("messenger", "2000000000000001", "Maria"))
    choice = composer(ana, conversation)
    assert not choice.select_one(f"option[value='{messenger.pk}']").has_attr("disabled")
    (note,) = choice.select(f".unavailable li.human-agent[data-channel='{messenger.pk}']")
    assert "24-hour window on Página Loja has closed" in note.text and "human agent" in note.text

    assert reply(ana, conversation, {"text": "Olá!", "channel": messenger.pk}).json()["ok"]
    assert Message.objects.get(direction="outbound").metadata["human_agent"] is True


def test_the_sync_redraws_the_pickers(ana, whatsapp):
    conversation = customer_wrote(whatsapp, 30)
    channels = ana.get(f"/conversations/{conversation.pk}/sync/").json()["channels"]
    assert "template_variable.1" in channels and "retomar_atendimento/pt_BR" in channels


@pytest.mark.parametrize("language, reason, picker", [
    ("pt-BR", "O WhatsApp só permite respostas livres até 24 horas", "Modelo aprovado"),
    ("es", "WhatsApp solo permite respuestas libres hasta 24 horas", "Plantilla aprobada"),
])
def test_the_reason_and_the_picker_speak_the_agents_language(make_agent, team, whatsapp, language, reason, picker):
    conversation = customer_wrote(whatsapp, 30)
    client = Client(headers={"accept-language": language})
    client.force_login(make_agent("ana", teams=[team]))
    choice = composer(client, conversation)
    assert reason in choice.select_one(".unavailable li").text and picker in choice.text
    refused = reply(client, conversation, {"channel": whatsapp.pk, "template": "retomar_atendimento/pt_BR"})
    assert "retomar_atendimento" in refused.json()["error"] and "missing" not in refused.json()["error"]
