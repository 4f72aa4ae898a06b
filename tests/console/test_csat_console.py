"""CSAT from the console on any channel: asked by hand from the panel, or by itself on resolve per channel kind."""
import pytest
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.csat import rate_cycle
from conversations.actions.ingest import ingest_message
from conversations.models import AgentProfile, Conversation, Message
from console.models import CsatPolicy


@pytest.fixture
def desk(make_api_channel, make_agent, team):
    channel = make_api_channel("Shop API", team=team)
    conversation = ingest_message(channel, InboundMessage("in-1", Sender("phone", "+5511988887777", "Rita"), "Oi")
                                  ).message.conversation
    return {"channel": channel, "conversation": conversation, "ana": make_agent("ana", teams=[team]),
            "sofia": make_agent("sofia", role=AgentProfile.Role.SUPERVISOR)}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def page_of(client, conversation):
    return client.get(f"/conversations/{conversation.pk}/").content.decode()


def csat_links(conversation):
    return Message.objects.filter(conversation=conversation, metadata__has_key="csat_cycle")


def test_an_agent_asks_for_a_rating_on_a_channel_other_than_the_web_chat(desk):
    ana, conversation = client_for(desk["ana"]), desk["conversation"]
    assert "Ask for a rating" not in page_of(ana, conversation)  # nothing resolved yet
    update_conversation(conversation, desk["ana"], status=Conversation.Status.RESOLVED)
    assert 'data-fact="ask-csat"' in page_of(ana, conversation)

    answer = ana.post(f"/conversations/{conversation.pk}/csat/")
    assert answer.status_code == 200 and "/csat/" in answer.json()["item"]["html"]
    [link] = csat_links(conversation)
    assert link.channel == desk["channel"] and link.direction == Message.Direction.OUTBOUND
    assert 'data-fact="ask-csat"' not in page_of(ana, conversation)
    assert ana.post(f"/conversations/{conversation.pk}/csat/").status_code == 400
    assert csat_links(conversation).count() == 1

    rate_cycle(link.metadata["csat_cycle"], 4, "Rápido e gentil")
    page = page_of(ana, conversation)
    assert 'data-fact="csat-rating"' in page and "4 out of 5" in page and "Rápido e gentil" in page


def test_a_bad_channel_is_refused_and_nothing_is_sent(desk):
    conversation = desk["conversation"]
    update_conversation(conversation, desk["ana"], status=Conversation.Status.RESOLVED)
    answer = client_for(desk["ana"]).post(f"/conversations/{conversation.pk}/csat/",
                                          {"channel": "not-a-channel"})
    assert answer.status_code == 400 and not csat_links(conversation).exists()


def test_a_channel_kind_can_ask_by_itself_on_resolve(desk, django_capture_on_commit_callbacks):
    sofia = client_for(desk["sofia"])
    assert "api" in sofia.get("/settings/csat/").content.decode()
    sofia.post("/settings/csat/", {"automatic": ["api"]})
    assert CsatPolicy.objects.get(channel_kind="api").automatic

    conversation = desk["conversation"]
    with django_capture_on_commit_callbacks(execute=True):
        update_conversation(conversation, desk["ana"], status=Conversation.Status.RESOLVED)
    [link] = csat_links(conversation)
    assert link.author == desk["ana"] and link.channel == desk["channel"]

    # Off again: the next resolve asks nothing.
    sofia.post("/settings/csat/", {})
    update_conversation(conversation, desk["ana"], status=Conversation.Status.OPEN)
    with django_capture_on_commit_callbacks(execute=True):
        update_conversation(conversation, desk["ana"], status=Conversation.Status.RESOLVED)
    assert csat_links(conversation).count() == 1


def test_only_supervisors_choose_and_unknown_kinds_are_refused(desk):
    assert client_for(desk["ana"]).get("/settings/csat/").status_code == 403
    assert client_for(desk["ana"]).post("/settings/csat/", {"automatic": ["api"]}).status_code == 403
    client_for(desk["sofia"]).post("/settings/csat/", {"automatic": ["api", "pigeon"]})
    assert not CsatPolicy.objects.exists()
