"""Provider credentials never reach a log line or a failure reason, when the provider refuses or is down."""
import logging

import pytest

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import send_reply
from conversations.models import Message
from tests.fake_http import ScriptedResponse

from .email.servers import free_port
from .providers import twilio_config

pytestmark = pytest.mark.django_db(transaction=True)
TWILIO_SECRET = "twilio-auth-token-that-must-not-leak"
TELEGRAM_SECRET = "123456789:AAsecretBotTokenThatMustNotLeak012345"
META_SECRET = "meta-access-token-that-must-not-leak"
API_SECRET = "api-channel-secret-that-must-not-leak"


def everything_logged(caplog):
    return "\n".join(f"{record.getMessage()} {record.exc_text or ''} {record.args!r}" for record in caplog.records)


def channel_for(kind, base_url, team):
    configs = {
        "twilio_sms": ({**twilio_config(base_url), "auth_token": TWILIO_SECRET}, "phone", "+5511999990001"),
        "telegram": ({"bot_token": TELEGRAM_SECRET, "secret_token": "telegram-secret-0123",
                      "api_base_url": base_url}, "telegram", "5000000001"),
        "whatsapp_cloud": ({"phone_number_id": "100000000000002", "access_token": META_SECRET,
                            "app_secret": "meta-app-secret-0123", "api_base_url": base_url}, "phone",
                           "+5511999990001"),
        "api": ({"secret": API_SECRET, "callback_url": f"{base_url}/callback"}, "phone", "+5511999990001"),
    }
    config, identity_kind, address = configs[kind]
    channel = create_channel(kind, kind, config, team=team)
    inbound = ingest_message(channel, InboundMessage(f"{kind}-in-1", Sender(identity_kind, address), "Oi"))
    return channel, inbound.message.conversation


SECRETS = {"twilio_sms": TWILIO_SECRET, "telegram": TELEGRAM_SECRET, "whatsapp_cloud": META_SECRET, "api": API_SECRET}
REFUSALS = {
    "twilio_sms": ScriptedResponse(401, {"code": 20003, "message": "Authenticate", "status": 401}),
    "telegram": ScriptedResponse(401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
    "whatsapp_cloud": ScriptedResponse(401, {"error": {"message": "Invalid OAuth access token.", "code": 190}}),
    "api": ScriptedResponse(500, {"error": "down"}),
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_a_provider_refusal_leaks_no_credential(kind, fake_http, admin_user, team, caplog, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 1
    caplog.set_level(logging.DEBUG)
    channel, conversation = channel_for(kind, fake_http.url, team)
    fake_http.respond(REFUSALS[kind])
    reply = send_reply(conversation, admin_user, "Olá", channel=channel)
    reply.refresh_from_db()
    assert reply.status == Message.Status.FAILED
    logged = everything_logged(caplog)
    assert caplog.records
    assert SECRETS[kind] not in reply.failure_reason
    assert SECRETS[kind] not in logged


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_an_unreachable_provider_leaks_no_credential(kind, admin_user, team, caplog, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 1
    caplog.set_level(logging.DEBUG)
    channel, conversation = channel_for(kind, f"http://127.0.0.1:{free_port()}", team)
    reply = send_reply(conversation, admin_user, "Olá", channel=channel)
    reply.refresh_from_db()
    assert reply.status == Message.Status.FAILED
    assert SECRETS[kind] not in reply.failure_reason
    assert SECRETS[kind] not in everything_logged(caplog)
