"""Macros in the console: settings, the picker on a conversation, preview then run, and the same over the API."""
import pytest
from django.test import Client

from automation.actions import macros
from automation.models import Macro
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation

CLOSE = [{"type": "add_label", "label": "feito"}, {"type": "set_status", "status": "resolved"}]


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


@pytest.fixture
def conversation(make_api_channel, team):
    inbound = InboundMessage(external_id="m-1", sender=Sender("phone", "+5511999990001", "Maria"), text="Oi")
    return ingest_message(make_api_channel("Loja", team=team), inbound).message.conversation


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_builds_a_personal_macro_in_settings(ana):
    client = signed_in(ana)
    assert "No macros yet" in client.get("/settings/macros/").content.decode()
    client.post("/settings/macros/", {"name": "Fechar", "scope": "personal", "a0_type": "add_label",
                                      "a0_value": "feito", "a1_type": "set_status", "a1_value": "resolved"})
    assert Macro.objects.get().actions == CLOSE
    refused = client.post("/settings/macros/", {"name": "Todos", "scope": "global", "a0_type": "unassign"})
    assert "Only supervisors" in refused.content.decode() and Macro.objects.count() == 1


def test_preview_then_run_from_the_conversation(ana, conversation):
    macro = macros.save_macro(ana, "Fechar", CLOSE)
    client = signed_in(ana)
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert 'data-macro-form' in page and "Fechar" in page
    preview = client.get(f"/macros/{macro.pk}/preview/", {"conversations": conversation.pk,
                                                           "next": f"/conversations/{conversation.pk}/"})
    assert "add_label feito" in preview.content.decode() and Conversation.objects.get().status == "open"
    client.post(f"/macros/{macro.pk}/run/", {"conversations": str(conversation.pk),
                                              "next": f"/conversations/{conversation.pk}/"})
    assert Conversation.objects.get().status == "resolved"


def test_bulk_run_answers_json_for_the_inbox(ana, conversation):
    macro = macros.save_macro(ana, "Fechar", CLOSE)
    answer = signed_in(ana).post(f"/macros/{macro.pk}/run/", {"conversations": str(conversation.pk)},
                                 HTTP_ACCEPT="application/json").json()
    assert answer == {"ok": True, "done": 1, "errors": []}


def test_the_api_previews_and_runs_macros(ana, client_for, conversation):
    api = client_for(ana)
    created = api.post("/api/v1/macros/", {"name": "Fechar", "actions": CLOSE}, format="json")
    assert created.status_code == 201 and created.json()["scope"] == "personal"
    macro_id = created.json()["id"]
    preview = api.post(f"/api/v1/macros/{macro_id}/preview/", {"conversations": [conversation.pk]}, format="json")
    assert preview.status_code == 200 and preview.json()[0]["refused"] == ""
    run = api.post(f"/api/v1/macros/{macro_id}/run/", {"conversations": [conversation.pk]}, format="json")
    assert run.status_code == 200 and run.json()[0]["ok"] is True
    bad = api.post("/api/v1/macros/", {"name": "X", "actions": [{"type": "boom"}]}, format="json")
    assert bad.status_code == 400
