"""Outbound delivery to the api channel's callback URL: success, retries with backoff, final failure."""
import pytest

from channels_adapters.tasks import backoff_seconds
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.errors import ActionError
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import retry_delivery, send_reply
from conversations.models import Message
from tests.fake_http import ScriptedResponse

# Delivery is enqueued after commit: these tests need real commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation_on(make_api_channel, team, fake_http):
    channel = make_api_channel(team=team, callback_url=fake_http.url + "/callback")
    result = ingest_message(channel, InboundMessage("m-1", Sender("phone", "+5511999990001"), "Oi"))
    return result.message.conversation


def test_a_reply_is_delivered_and_marked_sent_with_the_provider_id(conversation_on, fake_http, admin_user):
    fake_http.respond(ScriptedResponse(200, {"id": "partner-42"}))
    message = send_reply(conversation_on, admin_user, "Olá")
    message.refresh_from_db()
    assert (message.status, message.external_id, message.delivery_attempts) == ("sent", "partner-42", 1)
    conversation_on.refresh_from_db()
    assert conversation_on.waiting_since is None
    assert conversation_on.cycles.get().first_response_at is not None


def test_temporary_failures_are_retried_then_succeed(conversation_on, fake_http, admin_user):
    fake_http.respond(ScriptedResponse(503), ScriptedResponse(429, headers={"Retry-After": "1"}), ScriptedResponse(200))
    message = send_reply(conversation_on, admin_user, "Olá")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.delivery_attempts == 3
    assert len(fake_http.requests) == 3


def test_persistent_failures_end_failed_with_the_reason(conversation_on, fake_http, admin_user, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 4
    fake_http.respond(ScriptedResponse(500))
    message = send_reply(conversation_on, admin_user, "Olá")
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.delivery_attempts == 4 and len(fake_http.requests) == 4
    assert "HTTP 500" in message.failure_reason and "after 4 attempts" in message.failure_reason


def test_a_final_client_error_is_not_retried(conversation_on, fake_http, admin_user):
    fake_http.respond(ScriptedResponse(400))
    message = send_reply(conversation_on, admin_user, "Olá")
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and len(fake_http.requests) == 1


def test_an_unreachable_callback_fails_after_retries(make_api_channel, team, admin_user, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    channel = make_api_channel(team=team, callback_url="http://127.0.0.1:9/nothing-listens-here")
    conversation = ingest_message(channel, InboundMessage("m-1", Sender("phone", "+5511999990001"), "Oi")).message.conversation
    message = send_reply(conversation, admin_user, "Olá")
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "Could not reach" in message.failure_reason


def test_a_failed_message_can_be_retried_by_the_agent(conversation_on, fake_http, admin_user):
    fake_http.respond(ScriptedResponse(400))
    message = send_reply(conversation_on, admin_user, "Olá")
    fake_http.respond(ScriptedResponse(200))
    retry_delivery(message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    with pytest.raises(ActionError):
        retry_delivery(message.pk)


def test_backoff_grows_and_honours_retry_after(settings):
    settings.DELIVERY_BACKOFF_SECONDS = 2
    settings.DELIVERY_BACKOFF_MAX_SECONDS = 60
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [2, 4, 8]
    assert backoff_seconds(1, retry_after=30) == 30
    assert backoff_seconds(10) == 60
