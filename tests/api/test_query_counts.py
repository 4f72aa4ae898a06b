"""Queries per API list page are pinned and do not grow with the data or the page's size."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_adapters.types import Attachment, InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import add_note, send_reply
from conversations.models import AgentProfile, Customer
from customers.models import Journey

# The token with its user, the profile (and an agent's team ids), the page count, the page, its labels,
# its running SLA clocks.
CONVERSATION_LIST_QUERIES = {"supervisor": 6, "agent": 7}
# The token with its user, the profile (and team ids), the conversation with its labels and running SLA
# clocks, the message count, the page, its attachments.
MESSAGES_PAGE_QUERIES = {"supervisor": 8, "agent": 9}


@pytest.fixture
def desk(make_api_channel, team, make_agent, client_for):
    supervisor = make_agent("carla", role=AgentProfile.Role.SUPERVISOR)
    agent = make_agent("ana", teams=[team])
    return {
        "line": make_api_channel("Support line", team=team),
        "supervisor": supervisor,
        "agent": agent,
        "clients": {"supervisor": client_for(supervisor), "agent": client_for(agent)},
    }


def inbound(desk, external_id, address, text="Oi"):
    message = InboundMessage(external_id, Sender("phone", address), text,
                             attachments=(Attachment("photo.png", "image/png", b"\x89PNG"),))
    return ingest_message(desk["line"], message).message.conversation


def add_conversations(desk, first, count):
    for number in range(first, first + count):
        conversation = inbound(desk, f"c{number}", f"+55119{number:08d}")
        update_conversation(conversation, desk["supervisor"], labels=[f"label-{number % 3}", "vip"],
                            assignee=desk["agent"] if number % 2 else None)


def add_messages(desk, conversation, first, count):
    address = conversation.customer.identities.get().address
    for number in range(first, first + count):
        inbound(desk, f"m{number}", address, f"Message {number}")
        send_reply(conversation, desk["agent"], f"Reply {number}")
        add_note(conversation, desk["supervisor"], f"Note {number}")


def queries_of(client, path):
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path)
    assert answer.status_code == 200
    return len(captured), answer.json()


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_conversation_list_costs_the_same_with_3_or_20_conversations(desk, who, django_assert_num_queries):
    client = desk["clients"][who]
    add_conversations(desk, 0, 3)
    few, page = queries_of(client, "/api/v1/conversations/")
    assert page["count"] == 3
    add_conversations(desk, 3, 17)
    with django_assert_num_queries(CONVERSATION_LIST_QUERIES[who]):
        assert client.get("/api/v1/conversations/").json()["count"] == 20
    assert few == CONVERSATION_LIST_QUERIES[who]


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_messages_page_costs_the_same_with_3_or_60_messages(desk, who, django_assert_num_queries):
    client = desk["clients"][who]
    conversation = inbound(desk, "first", "+5511900000001")
    update_conversation(conversation, desk["supervisor"], labels=["vip"])
    path = f"/api/v1/conversations/{conversation.pk}/messages/?page=last"
    add_messages(desk, conversation, 0, 1)
    few, page = queries_of(client, path)
    assert len(page["results"]) == 4
    add_messages(desk, conversation, 1, 19)
    with django_assert_num_queries(MESSAGES_PAGE_QUERIES[who]):
        assert client.get(path).status_code == 200
    assert few == MESSAGES_PAGE_QUERIES[who]


def test_the_journey_stage_filter_costs_the_list_no_query(desk, django_assert_num_queries):
    add_conversations(desk, 0, 20)
    Journey.objects.bulk_create(Journey(customer_id=pk, stage=Journey.Stage.PROSPECT)
                                for pk in Customer.objects.order_by("pk").values_list("pk", flat=True)[::2])
    with django_assert_num_queries(CONVERSATION_LIST_QUERIES["agent"]):
        page = desk["clients"]["agent"].get("/api/v1/conversations/?journey_stage=prospect").json()
    assert page["count"] == 10
