"""Queries per console page are pinned and do not grow with the data: an N+1 or a per-row query fails here.

Each page is read with a few rows and again with many more (replies, notes, attachments, channel
switches, labels, assignees, merge suggestions, reply channels), and both must cost the pinned count.
"""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels_adapters.types import Attachment, InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import add_note, send_reply
from conversations.models import AgentProfile, Customer, Message
from console.models import SavedView
from customers.models import Journey
from routing.models import SlaPolicy, SlaTarget

# Session, user and profile; the inbox column (team ids, the agent's saved views, view counts, rows, their
# labels, their running SLA clocks); the filter form's and the action controls' choices (channels, labels,
# teams, the assignee filter's agents, agents); the teams a view can be saved for; unread notifications;
# the macros the agent may run in bulk (their team ids, the macros).
INBOX_QUERIES = {("supervisor", "mine"): 18, ("supervisor", "unassigned"): 20, ("supervisor", "teams"): 20,
                 ("supervisor", "all"): 20, ("agent", "mine"): 20, ("agent", "unassigned"): 20,
                 ("agent", "teams"): 20}
# The inbox column, plus the conversation: its timeline (messages, attachments, audit), canned responses,
# its labels, the header's last CSAT rating, the customer panel (identities, merges, claims, suggestions,
# page views, ratings, cycles, and whether a rating can be asked for: the last resolved cycle and the message
# that asked) and the reply channels (which the agent may answer on, and the email participants a reply
# copies); the SLA clocks of the header and their events.
# An agent's visibility reads their team ids (the conversation, the inbox, the panel's suggestions, the
# channels they may answer on).
# The layers' sections: the macro picker (team ids, macros), the "Why?" panel's rule evaluations, the
# customer's consents and the customer 360 and mood includes; the header's last CSAT rating and whether
# a rating may be asked for.
CONVERSATION_QUERIES = {"supervisor": 49, "agent": 52}


@pytest.fixture
def desk(make_api_channel, team, make_agent):
    # The second line belongs to no team: the agents may answer on it (a team's line is only its team's).
    return {
        "lines": [make_api_channel("Support line", team=team), make_api_channel("Sales line")],
        "agent": make_agent("ana", teams=[team]),
        "colleague": make_agent("dora", teams=[team]),
        "supervisor": make_agent("carla", role=AgentProfile.Role.SUPERVISOR, teams=[team]),
        "team": team,
    }


def _inbound(channel, external_id, address, text="Oi", attachments=()):
    inbound = InboundMessage(external_id, Sender("phone", address, f"Customer {address[-4:]}"), text,
                             attachments=tuple(attachments))
    return ingest_message(channel, inbound).message


def add_conversations(desk, first, count):
    """`count` more customers, each with a history of every kind of row the inbox and pages show."""
    support, sales = desk["lines"]
    for number in range(first, first + count):
        address = f"+55119{number:08d}"
        conversation = _inbound(support, f"a{number}", address).conversation
        _inbound(sales, f"b{number}", address, "Now here", [Attachment("photo.png", "image/png", b"\x89PNG")])
        assignee = (desk["agent"], desk["colleague"], None)[number % 3]
        update_conversation(conversation, desk["supervisor"], assignee=assignee, team=desk["team"],
                            labels=[f"label-{number % 4}", "vip"])
        send_reply(conversation, desk["colleague"], f"Answer {number}", channel=sales)
        add_note(conversation, desk["agent"], f"Note {number} for @dora")
        Customer.objects.filter(pk=conversation.customer_id).update(attributes={"phone": f"+55118{number:08d}"})


def add_history(desk, conversation, count):
    """`count` more exchanges in one conversation, switching channel each time, plus lookalike customers."""
    support, sales = desk["lines"]
    address = conversation.customer.identities.get().address
    start = conversation.messages.count()
    for number in range(start, start + count):
        _inbound((support, sales)[number % 2], f"h{conversation.pk}-{number}", address, f"Again {number}",
                 [Attachment(f"file{number}.pdf", "application/pdf", b"%PDF")])
        send_reply(conversation, (desk["agent"], desk["colleague"])[number % 2], f"Reply {number}",
                   channel=(support, sales)[number % 2])
        update_conversation(conversation, desk["supervisor"], priority=("high", "low")[number % 2])
        lookalike = Customer.objects.create(name=f"Lookalike {number}", attributes={"phone": address})
        lookalike.identities.create(kind="email", address=f"lookalike{number}@example.com")


def queries_of(client, path):
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path)
    assert answer.status_code == 200
    return len(captured)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("who", "view"), sorted(INBOX_QUERIES))
def test_inbox_views_cost_the_same_queries_with_3_or_20_conversations(desk, who, view, django_assert_num_queries):
    client = signed_in(desk[who])
    add_conversations(desk, 0, 3)
    few = queries_of(client, f"/?view={view}")
    add_conversations(desk, 3, 17)
    assert few == INBOX_QUERIES[who, view]
    with django_assert_num_queries(INBOX_QUERIES[who, view]):
        assert client.get(f"/?view={view}").status_code == 200


@pytest.mark.parametrize("view", ["mine", "unassigned", "teams"])
def test_live_inbox_rows_cost_the_same_with_3_or_20_rows(desk, view):
    client = signed_in(desk["agent"])
    add_conversations(desk, 0, 3)
    few = queries_of(client, f"/inbox/rows/?view={view}")
    add_conversations(desk, 3, 17)
    assert queries_of(client, f"/inbox/rows/?view={view}") == few


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_conversation_page_costs_the_same_with_a_short_or_long_history(desk, who, django_assert_num_queries):
    add_conversations(desk, 0, 3)
    conversation = Message.objects.get(external_id="a0").conversation
    add_history(desk, conversation, 1)
    client = signed_in(desk[who])
    few = queries_of(client, f"/conversations/{conversation.pk}/")
    add_history(desk, conversation, 19)
    add_conversations(desk, 3, 17)
    assert few == CONVERSATION_QUERIES[who]
    with django_assert_num_queries(CONVERSATION_QUERIES[who]):
        assert client.get(f"/conversations/{conversation.pk}/").status_code == 200


@pytest.mark.parametrize("stage", ["customer", "visitor"])
def test_the_journey_stage_filter_costs_the_inbox_no_query(desk, stage, django_assert_num_queries):
    add_conversations(desk, 0, 20)
    # Every other customer has bought; the others are visitors.
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    Journey.objects.bulk_create([Journey(customer_id=pk, stage=Journey.Stage.CUSTOMER) for pk in customers[::2]]
                                + [Journey(customer_id=pk, stage=Journey.Stage.VISITOR) for pk in customers[1::2]])
    client = signed_in(desk["agent"])
    with django_assert_num_queries(INBOX_QUERIES["agent", "teams"]):
        assert client.get(f"/?view=teams&stage={stage}").status_code == 200


def test_a_saved_view_of_sla_state_and_mood_costs_the_inbox_pins(desk, settings, django_capture_on_commit_callbacks,
                                                                   django_assert_num_queries):
    """The SLA state and the mood are conditions of the rows' and counts' queries, not queries per row."""
    settings.INSIGHTS_SENTIMENT_ON_ARRIVAL = True
    client = signed_in(desk["agent"])
    assert client.post("/views/", {"name": "Late, calm", "filters": "sla=breached&sentiment=neutral"}).json()["ok"]
    view = SavedView.objects.get()
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False) as clock:
        policy = SlaPolicy.objects.create(name="Quick", warn_before_minutes=5)
        SlaTarget.objects.create(policy=policy, metric="resolution", priority="none", minutes=10)
        with django_capture_on_commit_callbacks(execute=True):
            add_conversations(desk, 0, 3)
        clock.shift(timedelta(minutes=11))
        few = queries_of(client, f"/?view={view.slug}")
        shown = client.get("/inbox/rows/", {"view": view.slug, "offset": 0}).json()["rows"]
        with django_capture_on_commit_callbacks(execute=True):
            add_conversations(desk, 3, 17)
        clock.shift(timedelta(minutes=11))
        assert shown and len(client.get("/inbox/rows/", {"view": view.slug, "offset": 0}).json()["rows"]) > len(shown)
        assert few == INBOX_QUERIES["agent", "teams"]
        with django_assert_num_queries(few):
            assert client.get(f"/?view={view.slug}").status_code == 200
