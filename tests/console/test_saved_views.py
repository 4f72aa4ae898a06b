"""Saved views: an agent's filter combinations, personal or a team's, with live counts beside the built-in views."""
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import send_reply
from conversations.models import Conversation
from console.models import SavedView
from routing.actions import sla
from routing.models import SlaPolicy, SlaTarget


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
    assert (view.owner, view.team, view.filters) == (desk["ana"], None, {"status": "open", "priority": "urgent", "assignee": "none"})

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


def test_the_built_in_views_open_under_the_filters_they_are_counted_with(desk):
    page = client_for(desk["ana"]).get("/", {"view": "teams", "priority": "urgent", "assignee": "none"}).content.decode()
    # Counted under the filters on screen (one urgent conversation nobody has), and opened under them.
    assert 'data-count="unassigned">1<' in page
    assert 'href="/?view=unassigned&amp;priority=urgent&amp;assignee=none"' in page
    plain = client_for(desk["ana"]).get("/").content.decode()
    assert 'href="/?view=mine"' in plain
    # Without a status the inbox lists open conversations, and its select says so (changing another filter keeps it).
    assert '<option value="open" selected>' in plain


@pytest.fixture
def clocks_and_moods(make_api_channel, team, make_agent, settings, fake_http, django_capture_on_commit_callbacks):
    """Four customers of a 30-minute first-response SLA (warning 15 minutes before), written 0, 20 and 40
    minutes after 10:00, one answered; read at 10:42 (sweep run): the first breached, the second due soon,
    the third on time, the answered one met. The first and the third wrote angrily."""
    settings.INSIGHTS_SENTIMENT_ON_ARRIVAL = True
    support = make_api_channel("Support line", team=team, callback_url=fake_http.url + "/callback")
    ana = make_agent("ana", teams=[team])
    texts = ["PÉSSIMO, NINGUÉM RESOLVE NADA 😡", "Qual o horário da loja?", "Horrível, veio quebrado 😡",
             "Obrigado!"]
    conversations = []
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as clock:
        policy = SlaPolicy.objects.create(name="Standard", warn_before_minutes=15)
        for priority in Conversation.Priority.values:
            SlaTarget.objects.create(policy=policy, metric="first_response", priority=priority, minutes=30)
        for number, (minutes, text) in enumerate(zip((0, 20, 40, 0), texts), start=1):
            clock.move_to(datetime(2026, 3, 2, 10, minutes, tzinfo=UTC))
            with django_capture_on_commit_callbacks(execute=True):
                inbound = InboundMessage(str(number), Sender("phone", f"+551199999000{number}", f"C{number}"), text)
                conversations.append(ingest_message(support, inbound).message.conversation)
        with django_capture_on_commit_callbacks(execute=True):
            send_reply(conversations[3], ana, "Hello!")
        clock.move_to(datetime(2026, 3, 2, 10, 42, tzinfo=UTC))
        with django_capture_on_commit_callbacks(execute=True):
            sla.sweep()
        yield {"ana": ana, "conversations": conversations}


def test_views_of_sla_state_and_mood_list_and_count_what_the_clocks_and_moods_say(
        clocks_and_moods, django_capture_on_commit_callbacks):
    breached, due_soon, on_time, met = clocks_and_moods["conversations"]
    ana = client_for(clocks_and_moods["ana"])
    for name, filters in [("Breached", "sla=breached"), ("Due soon", "sla=due_soon"),
                          ("Angry and late", "sla=breached&sentiment=negative"), ("Angry", "sentiment=negative"),
                          ("Bad SLA", "sla=late")]:
        assert ana.post("/views/", {"name": name, "filters": filters}).json()["ok"]
    views = {view.name: view for view in SavedView.objects.all()}
    # A value the form does not know is not saved (the view keeps its other filters: here the open status).
    assert views["Bad SLA"].filters == {"status": "open"}
    assert views["Angry and late"].filters == {"status": "open", "sla": "breached", "sentiment": "negative"}

    page = ana.get("/").content.decode()
    expected = {"Breached": [breached], "Due soon": [due_soon], "Angry and late": [breached],
                "Angry": [breached, on_time]}
    for name, conversations in expected.items():
        slug = views[name].slug
        assert f'data-count="{slug}">{len(conversations)}<' in page, name
        rows = ana.get("/inbox/rows/", {"view": slug, "offset": 0}).json()
        assert sorted(row["id"] for row in rows["rows"]) == sorted(c.pk for c in conversations), name
    # Opened, a view shows its SLA filter chosen in the sidebar's form.
    opened = ana.get(f"/?view={views['Due soon'].slug}").content.decode()
    assert '<option value="due_soon" selected>' in opened

    # An answer stops the breached clock: the live counts follow.
    with django_capture_on_commit_callbacks(execute=True):
        send_reply(breached, clocks_and_moods["ana"], "Sorry for the wait")
    counts = ana.get("/inbox/rows/", {"view": "teams", "ids": ""}).json()["counts"]
    assert (counts[views["Breached"].slug], counts[views["Angry and late"].slug], counts[views["Angry"].slug]) == (
        0, 0, 2)


def test_the_inbox_filters_by_sla_state_without_a_saved_view(clocks_and_moods):
    breached, due_soon, _on_time, _met = clocks_and_moods["conversations"]
    ana = client_for(clocks_and_moods["ana"])
    rows = ana.get("/inbox/rows/", {"view": "teams", "sla": "due_soon", "offset": 0}).json()
    assert [row["id"] for row in rows["rows"]] == [due_soon.pk]
    assert rows["counts"]["teams"] == 1
    # An unknown state filters nothing rather than emptying the inbox.
    assert len(ana.get("/inbox/rows/", {"view": "teams", "sla": "late", "offset": 0}).json()["rows"]) == 4
