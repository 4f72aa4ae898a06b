"""Saved views: an agent's filter combinations, personal or a team's, with live counts beside the built-in views."""
import pytest
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation
from console.models import SavedView


@pytest.fixture
def desk(make_api_channel, team, other_team, make_agent):
    support = make_api_channel("Support line", team=team)
    ana, dora, bruno = make_agent("ana", teams=[team]), make_agent("dora", teams=[team]), make_agent("bruno", teams=[other_team])
    conversations = [
        ingest_message(support, InboundMessage(str(n), Sender("phone", f"+551199999000{n}", f"C{n}"), "Oi")).message.conversation
        for n in range(1, 4)
    ]
    update_conversation(conversations[0], ana, priority=Conversation.Priority.URGENT, assignee=ana)
    update_conversation(conversations[1], ana, priority=Conversation.Priority.URGENT)
    return {"support": support, "ana": ana, "dora": dora, "bruno": bruno, "conversations": conversations}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_personal_view_keeps_its_filters_and_counts_live(desk):
    ana = client_for(desk["ana"])
    answer = ana.post("/views/", {"name": "Urgent, nobody on it", "filters": "priority=urgent&assignee=none&bogus=1"})
    assert answer.status_code == 200 and answer.json()["ok"]
    view = SavedView.objects.get()
    assert (view.owner, view.team, view.filters) == (desk["ana"], None, {"priority": "urgent", "assignee": "none"})

    page = ana.get(f"/?view={view.slug}").content.decode()
    assert "Urgent, nobody on it" in page and f'data-count="{view.slug}">1<' in page
    rows = ana.get("/inbox/rows/", {"view": view.slug, "offset": 0}).json()
    assert [row["id"] for row in rows["rows"]] == [desk["conversations"][1].pk]

    # Someone takes it: the view's count follows in the live counts.
    update_conversation(desk["conversations"][1], desk["dora"], assignee=desk["dora"])
    assert ana.get("/inbox/rows/", {"view": "teams", "ids": ""}).json()["counts"][view.slug] == 0
    assert "Urgent, nobody on it" not in client_for(desk["dora"]).get("/").content.decode()


def test_a_team_view_is_shared_with_the_team_only(desk, team, other_team):
    ana = client_for(desk["ana"])
    assert ana.post("/views/", {"name": "Team urgent", "team": team.pk, "filters": "priority=urgent"}).json()["ok"]
    view = SavedView.objects.get()
    assert f'data-count="{view.slug}">2<' in client_for(desk["dora"]).get("/").content.decode()
    assert "Team urgent" not in client_for(desk["bruno"]).get("/").content.decode()
    assert client_for(desk["bruno"]).get("/inbox/rows/", {"view": view.slug, "ids": ""}).json()["counts"].get(
        view.slug) is None

    refused = ana.post("/views/", {"name": "Theirs", "team": other_team.pk, "filters": ""})
    assert refused.status_code == 400 and SavedView.objects.count() == 1


def test_only_the_author_removes_a_team_view_and_bad_input_changes_nothing(desk, team):
    ana = client_for(desk["ana"])
    ana.post("/views/", {"name": "Team urgent", "team": team.pk, "filters": "priority=urgent"})
    view = SavedView.objects.get()
    assert client_for(desk["dora"]).post(f"/views/{view.pk}/remove/").status_code == 400
    assert client_for(desk["bruno"]).post(f"/views/{view.pk}/remove/").status_code == 404
    assert ana.post("/views/", {"name": "   ", "filters": ""}).status_code == 400
    assert ana.post("/views/", {"name": "x", "team": "nope"}).status_code == 400
    assert SavedView.objects.count() == 1
    assert ana.post(f"/views/{view.pk}/remove/").json()["ok"] and not SavedView.objects.exists()
