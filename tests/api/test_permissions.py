import pytest

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.models import AgentProfile


@pytest.fixture
def story(make_api_channel, team, other_team, make_agent):
    support = make_api_channel("Support line", team=team)
    sales = make_api_channel("Sales line", team=other_team)
    mine = ingest_message(support, InboundMessage("s-1", Sender("phone", "+5511999990001"), "support question"))
    theirs = ingest_message(sales, InboundMessage("v-1", Sender("phone", "+5511999990002"), "sales question"))
    return {
        "mine": mine.message.conversation,
        "theirs": theirs.message.conversation,
        "ana": make_agent("ana", teams=[team]),
        "carla": make_agent("carla", role=AgentProfile.Role.SUPERVISOR),
    }


def test_an_agent_lists_only_their_teams_conversations(story, client_for):
    ids = [c["id"] for c in client_for(story["ana"]).get("/api/v1/conversations/").json()["results"]]
    assert ids == [story["mine"].pk]


@pytest.mark.parametrize("path", [
    "/api/v1/conversations/{id}/",
    "/api/v1/conversations/{id}/messages/",
    "/api/v1/customers/{customer}/",
])
def test_another_teams_conversation_is_404(story, client_for, path):
    theirs = story["theirs"]
    response = client_for(story["ana"]).get(path.format(id=theirs.pk, customer=theirs.customer_id))
    assert response.status_code == 404


def test_an_agent_cannot_write_to_another_teams_conversation(story, client_for):
    client = client_for(story["ana"])
    theirs = story["theirs"]
    assert client.post(f"/api/v1/conversations/{theirs.pk}/messages/", {"text": "hi"}, format="json").status_code == 404
    assert client.patch(f"/api/v1/conversations/{theirs.pk}/", {"status": "resolved"}, format="json").status_code == 404
    assert theirs.messages.count() == 1


def test_assignment_makes_a_conversation_visible_to_the_assignee(story, client_for):
    theirs = story["theirs"]
    carla = client_for(story["carla"])
    assert carla.patch(f"/api/v1/conversations/{theirs.pk}/", {"assignee": story["ana"].pk}, format="json").status_code == 200
    assert client_for(story["ana"]).get(f"/api/v1/conversations/{theirs.pk}/").status_code == 200


def test_supervisors_see_everything(story, client_for):
    assert client_for(story["carla"]).get("/api/v1/conversations/").json()["count"] == 2


def test_only_admins_manage_channels_agents_and_teams(story, client_for):
    ana = client_for(story["ana"])
    assert ana.post("/api/v1/teams/", {"name": "X"}, format="json").status_code == 403
    assert ana.post("/api/v1/channels/", {"kind": "api", "name": "X", "config": {"secret": "x" * 20}},
                    format="json").status_code == 403
    assert ana.get("/api/v1/agents/").status_code == 403


def test_anonymous_requests_are_refused(story, client):
    assert client.get("/api/v1/conversations/").status_code in (401, 403)
