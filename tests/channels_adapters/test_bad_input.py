"""Bad input to the webhooks is a clear 4xx and changes nothing: never a 500."""
import pytest

from channels_adapters.setup import create_channel
from conversations.models import Customer, Message, RawInboundEvent

from ..conftest import signed
from .providers import META_SECRET, TELEGRAM_SECRET, meta_headers, telegram_headers

DEPTH = 100_000
DEEP_OBJECT = ('{"a":' * DEPTH + "1" + "}" * DEPTH).encode()
DEEP_ARRAY = ("[" * DEPTH + "]" * DEPTH).encode()


def nothing_changed():
    return not RawInboundEvent.objects.exists() and not Message.objects.exists() and not Customer.objects.exists()


@pytest.fixture
def channels(make_api_channel, team):
    return {
        "api": make_api_channel(team=team),
        "whatsapp_cloud": create_channel("whatsapp_cloud", "WA", {"phone_number_id": "100000000000002",
                                                                  "access_token": "cloud-token",
                                                                  "app_secret": META_SECRET}, team=team),
        "telegram": create_channel("telegram", "Bot", {"bot_token": "123456789:AAFakeTelegramBotToken_0123456789abc",
                                                       "secret_token": TELEGRAM_SECRET,
                                                       "api_base_url": "http://127.0.0.1:9"}, team=team),
    }


def headers_for(kind, body):
    if kind == "api":
        return signed(body)[1]
    if kind == "whatsapp_cloud":
        return meta_headers(body)
    return telegram_headers()


@pytest.mark.parametrize("body", [DEEP_OBJECT, DEEP_ARRAY], ids=["object", "array"])
@pytest.mark.parametrize("kind", ["api", "whatsapp_cloud", "telegram"])
def test_a_100000_deep_json_body_to_the_webhook_is_a_400(client, channels, kind, body):
    response = client.post(f"/webhooks/{channels[kind].pk}/", body, content_type="application/json",
                           headers=headers_for(kind, body))
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert nothing_changed()


@pytest.mark.parametrize("body", [b"\xff\xfe not utf-8", b"", b"null", b'"text"', b"1e999999", b'{"external_id": 1}'])
def test_malformed_api_channel_bodies_are_400(client, channels, body):
    response = client.post(f"/webhooks/{channels['api'].pk}/", body, content_type="application/json",
                           headers=signed(body)[1])
    assert response.status_code == 400
    assert nothing_changed()
