"""Bad input to the REST API is a clear 4xx and changes nothing (the fuzzing in test_schema_fuzz.py goes wider)."""
import pytest

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.models import Message, Team

DEPTH = 100_000


@pytest.fixture
def admin(admin_user, client_for):
    return client_for(admin_user)


@pytest.fixture
def inbound(make_api_channel, team):
    return ingest_message(make_api_channel(team=team), InboundMessage("in-1", Sender("phone", "+5511999990001"),
                                                                       "Oi")).message


@pytest.mark.parametrize("body", ['{"name":' * DEPTH + '"x"' + "}" * DEPTH, "[" * DEPTH + "]" * DEPTH])
def test_a_100000_deep_json_body_is_a_400(admin, body):
    response = admin.generic("POST", "/api/v1/teams/", body, content_type="application/json")
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]
    assert not Team.objects.exists()


def test_retrying_an_inbound_message_is_a_400(admin, inbound):
    response = admin.post(f"/api/v1/messages/{inbound.pk}/retry/")
    assert response.status_code == 400
    assert "Only a failed message can be retried." in response.json()["detail"]
    inbound.refresh_from_db()
    assert inbound.status == Message.Status.RECEIVED and inbound.direction == Message.Direction.INBOUND


@pytest.mark.parametrize("path", ["/api/v1/conversations/abc/", "/api/v1/messages/99999999999999999999/",
                                  "/api/v1/customers/-1/", "/api/v1/channels/not-a-uuid/"])
def test_ids_that_are_not_ids_are_404(admin, path):
    assert admin.get(path).status_code == 404


@pytest.mark.parametrize("body", [{"text": "\x00"}, {"text": "a" * 100_000}, {"text": ["list"]}, {"channel": "x"},
                                  {"template": "not an object"}, {"template": {"name": 5}}])
def test_bad_replies_are_400_and_send_nothing(admin, inbound, body):
    response = admin.post(f"/api/v1/conversations/{inbound.conversation_id}/messages/", body, format="json")
    assert response.status_code == 400, response.content
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()
