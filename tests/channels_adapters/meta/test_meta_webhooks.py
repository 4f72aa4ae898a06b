"""What WhatsApp Cloud, Messenger and Instagram share: the GET handshake and X-Hub-Signature-256."""
import json

import httpx
import pytest

from channels_adapters.base import SignatureError
from channels_adapters.registry import adapter_for
from channels_adapters.setup import create_channel
from channels_adapters.types import RawRequest
from conversations.actions.errors import ActionError
from conversations.models import Message, RawInboundEvent

from ..providers import META_SECRET, SIGNATURES, fixture, meta_headers, post, webhook_path

CONFIGS = {
    "whatsapp_cloud": {"phone_number_id": "100000000000002", "access_token": "cloud-token", "app_secret": META_SECRET},
    "messenger": {"page_id": "100000000000010", "page_access_token": "page-token", "app_secret": META_SECRET},
    "instagram": {"page_id": "100000000000010", "page_access_token": "page-token", "app_secret": META_SECRET},
}
FIXTURE_KIND = {"whatsapp_cloud_text.json": "whatsapp_cloud", "whatsapp_cloud_image.json": "whatsapp_cloud",
                "whatsapp_cloud_status_delivered.json": "whatsapp_cloud",
                "whatsapp_cloud_status_failed.json": "whatsapp_cloud",
                "messenger_text.json": "messenger", "instagram_text.json": "instagram"}


@pytest.fixture
def meta_channel(db):
    def make(kind, **extra):
        return create_channel(kind, kind, {**CONFIGS[kind], "verify_token": "verify-me-0123", **extra})

    return make


@pytest.mark.parametrize("name", sorted(SIGNATURES["meta"]["fixtures"]))
def test_the_documented_signature_vectors_verify_over_the_raw_bytes(meta_channel, name):
    adapter = adapter_for(meta_channel(FIXTURE_KIND[name]))
    signature = SIGNATURES["meta"]["fixtures"][name]["X-Hub-Signature-256"]
    body = fixture(name)
    adapter.verify(RawRequest(body=body, headers={"X-Hub-Signature-256": signature}))
    reserialised = json.dumps(json.loads(body)).encode()  # same data, other bytes
    with pytest.raises(SignatureError):
        adapter.verify(RawRequest(body=reserialised, headers={"X-Hub-Signature-256": signature}))


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_the_subscription_handshake_echoes_the_challenge_only_for_our_token(live_server_url, meta_channel, kind):
    channel = meta_channel(kind)
    url = live_server_url + webhook_path(channel)
    ok = httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "verify-me-0123",
                                "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                  "hub.challenge": "1"}).status_code == 403
    assert httpx.get(url, params={"hub.verify_token": "verify-me-0123", "hub.challenge": "1"}).status_code == 403
    assert httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "verify-me-0123",
                                  "hub.challenge": "<script>"}).status_code == 400


@pytest.mark.parametrize("name", sorted(FIXTURE_KIND))
def test_a_forged_or_missing_signature_is_403_and_stores_nothing(live_server_url, meta_channel, name):
    channel = meta_channel(FIXTURE_KIND[name])
    body = fixture(name)
    forged = [
        {"Content-Type": "application/json"},  # no signature
        meta_headers(body, secret="another-app-secret"),  # signed with another key
        meta_headers(b"{}"),  # the signature of another body
        {"Content-Type": "application/json", "X-Hub-Signature-256": "sha1=" + "0" * 40},
    ]
    for headers in forged:
        assert post(live_server_url, channel, body, headers).status_code == 403
    assert not RawInboundEvent.objects.exists() and not Message.objects.exists()


def test_a_verify_token_is_made_up_when_none_is_given_and_shown_to_the_admin(db):
    channel = create_channel("messenger", "Página", CONFIGS["messenger"])
    token = channel.config["verify_token"]
    assert len(token) >= 20
    public = adapter_for(channel).public_config(channel.config)
    assert public["verify_token"] == token and "app_secret" not in public and "page_access_token" not in public


@pytest.mark.parametrize("kind, config, field", [
    ("whatsapp_cloud", {**CONFIGS["whatsapp_cloud"], "phone_number_id": "+1 500"}, "phone_number_id"),
    ("messenger", {**CONFIGS["messenger"], "api_base_url": "ftp://graph"}, "api_base_url"),
    ("instagram", {"page_id": "100000000000010", "app_secret": META_SECRET}, "page_access_token"),
    ("whatsapp_cloud", {**CONFIGS["whatsapp_cloud"], "templates": [{"name": "x", "language": "pt_BR",
                                                                    "body": "Olá {{1}}"}]}, "templates"),
])
def test_bad_configs_are_refused_with_the_key_named(db, kind, config, field):
    with pytest.raises(ActionError) as error:
        create_channel(kind, kind, config)
    assert field in error.value.message
