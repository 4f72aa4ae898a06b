"""One rule decides which channels an agent may answer on: their teams' channels (console, API, send_reply alike)."""
import pytest
from bs4 import BeautifulSoup
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.errors import ActionError
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import answerable_channels, send_reply
from conversations.models import AgentProfile, Message

CUSTOMER = "+5511999990001"


@pytest.fixture
def channels(make_api_channel, team, other_team):
    """Team A's number, team B's number, and a channel of no team (shared)."""
    return {
        "a": make_api_channel("A number", team=team),
        "b": make_api_channel("B number", team=other_team),
        "shared": make_api_channel("Shared number"),
    }


@pytest.fixture
def conversation(channels):
    """A customer of team A who wrote on every channel (so each one could reach them)."""
    for name, channel in channels.items():
        ingest_message(channel, InboundMessage(f"in-{name}", Sender("phone", CUSTOMER, "Maria"), "Oi"))
    conversation = Message.objects.filter(direction="inbound").first().conversation
    conversation.team = channels["a"].team
    conversation.save(update_fields=["team"])
    return conversation


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


def names(channel_list):
    return sorted(channel.name for channel in channel_list)


def test_an_agent_answers_on_their_teams_channels_and_shared_ones_only(ana, conversation, channels):
    assert names(answerable_channels(ana, conversation)) == ["A number", "Shared number"]
    with pytest.raises(ActionError) as refused:
        send_reply(conversation, ana, "Olá", channel=channels["b"])
    assert refused.value.field == "channel" and "another team" in refused.value.message
    assert send_reply(conversation, ana, "Olá", channel=channels["a"]).channel == channels["a"]


def test_the_default_channel_obeys_the_rule_too(ana, conversation, channels):
    conversation.last_inbound_channel = channels["b"]
    conversation.save(update_fields=["last_inbound_channel"])
    with pytest.raises(ActionError):
        send_reply(conversation, ana, "Olá")
    assert not Message.objects.filter(direction="outbound").exists()


def test_supervisors_answer_everywhere(make_agent, conversation, channels):
    boss = make_agent("boss", role=AgentProfile.Role.SUPERVISOR)
    assert names(answerable_channels(boss, conversation)) == ["A number", "B number", "Shared number"]
    assert send_reply(conversation, boss, "Olá", channel=channels["b"]).channel == channels["b"]


def test_the_assignee_answers_on_the_conversations_team_channels(make_agent, admin_user, conversation, channels,
                                                                 other_team):
    bob = make_agent("bob", teams=[other_team])
    assert names(answerable_channels(bob, conversation)) == ["B number", "Shared number"]
    update_conversation(conversation, admin_user, assignee=bob)
    conversation.refresh_from_db()
    assert names(answerable_channels(bob, conversation)) == ["A number", "B number", "Shared number"]


def test_system_messages_are_not_scoped(conversation, channels):
    assert send_reply(conversation, None, "Automatic notice", channel=channels["b"]).author is None


def test_the_api_lists_and_accepts_the_same_channels(ana, client_for, conversation, channels):
    api = client_for(ana)
    listed = api.get(f"/api/v1/conversations/{conversation.pk}/reply-channels/").json()
    assert sorted(entry["channel"]["name"] for entry in listed) == ["A number", "Shared number"]
    url = f"/api/v1/conversations/{conversation.pk}/messages/"
    refused = api.post(url, {"text": "Olá", "channel": str(channels["b"].pk)}, format="json")
    assert refused.status_code == 400 and "another team" in refused.json()["channel"][0]
    assert api.post(url, {"text": "Olá", "channel": str(channels["a"].pk)}, format="json").status_code == 201
    assert Message.objects.filter(direction="outbound").count() == 1


def test_the_console_composer_offers_and_accepts_the_same_channels(ana, conversation, channels):
    console = Client()
    console.force_login(ana)
    page = BeautifulSoup(console.get(f"/conversations/{conversation.pk}/").content, "html.parser")
    offered = [option["value"] for option in page.select("#reply-channel option")]
    assert sorted(offered) == sorted([str(channels["a"].pk), str(channels["shared"].pk)])
    refused = console.post(f"/conversations/{conversation.pk}/reply/", {"text": "Olá", "channel": channels["b"].pk})
    assert refused.status_code == 400 and "another team" in refused.json()["error"]
    accepted = console.post(f"/conversations/{conversation.pk}/reply/", {"text": "Olá", "channel": channels["a"].pk})
    assert accepted.status_code == 200
    assert list(Message.objects.filter(direction="outbound").values_list("channel", flat=True)) == [channels["a"].pk]
