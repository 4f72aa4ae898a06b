"""Every lookup by an id of another team's conversation, customer, message or file is a 404, API and console alike.

(The websocket refuses such a subscription: tests/console/test_websocket_permissions.py
test_subscribing_to_another_teams_conversation_is_refused and test_typing_in_a_conversation_outside_ones_teams_is_refused.)
"""
import pytest
from django.test import Client

from channels_adapters.types import Attachment, InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.models import Message


@pytest.fixture
def theirs(make_api_channel, other_team):
    """A conversation of the other team, with a message and a file."""
    inbound = InboundMessage("b-1", Sender("phone", "+5511999990009", "Bia"), "Segredo de vendas",
                             attachments=(Attachment(filename="p.pdf", content_type="application/pdf",
                                                     content=b"%PDF-1.4"),))
    message = ingest_message(make_api_channel("Sales", team=other_team), inbound).message
    return {"conversation": message.conversation_id, "customer": message.conversation.customer_id,
            "message": message.pk, "attachment": message.attachments.get().pk}


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


API = [
    ("get", "/api/v1/conversations/{conversation}/"),
    ("patch", "/api/v1/conversations/{conversation}/"),
    ("get", "/api/v1/conversations/{conversation}/messages/"),
    ("post", "/api/v1/conversations/{conversation}/messages/"),
    ("get", "/api/v1/conversations/{conversation}/reply-channels/"),
    ("post", "/api/v1/conversations/{conversation}/csat-link/"),
    ("get", "/api/v1/customers/{customer}/"),
    ("get", "/api/v1/customers/{customer}/merge-suggestions/"),
    ("post", "/api/v1/customers/{customer}/merge/"),
    ("get", "/api/v1/messages/{message}/"),
    ("post", "/api/v1/messages/{message}/retry/"),
]
CONSOLE = [
    ("get", "/conversations/{conversation}/"),
    ("get", "/conversations/{conversation}/older/?before=x"),
    ("get", "/conversations/{conversation}/sync/"),
    ("post", "/conversations/{conversation}/reply/"),
    ("post", "/conversations/{conversation}/update/"),
    ("post", "/conversations/{conversation}/read/"),
    ("post", "/messages/{message}/retry/"),
    ("get", "/attachments/{attachment}/"),
    ("post", "/customers/{customer}/identities/"),
    ("post", "/customers/{customer}/edit/"),
    ("post", "/customers/{customer}/merge/"),
]


@pytest.mark.parametrize("method, path", API)
def test_the_api_answers_404_for_another_teams_ids(ana, client_for, theirs, method, path):
    response = getattr(client_for(ana), method)(path.format(**theirs), {"text": "x", "source": 1}, format="json") \
        if method != "get" else client_for(ana).get(path.format(**theirs))
    assert response.status_code == 404
    assert "Segredo" not in response.content.decode()
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()


@pytest.mark.parametrize("method, path", CONSOLE)
def test_the_console_answers_404_for_another_teams_ids(ana, theirs, method, path):
    client = Client()
    client.force_login(ana)
    response = getattr(client, method)(path.format(**theirs), {"text": "x", "status": "resolved", "kind": "email",
                                                               "address": "x@example.com", "name": "x"}) \
        if method == "post" else client.get(path.format(**theirs))
    assert response.status_code == 404
    assert "Segredo" not in response.content.decode()
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()
