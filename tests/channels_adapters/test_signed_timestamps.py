"""OmniDesk-signed requests carry a signed timestamp: a captured request cannot be replayed after 5 minutes."""
import json
from datetime import datetime, timezone

import pytest

from channels_adapters import base
from channels_adapters.base import hmac_sha256_hex, omnidesk_signature
from conversations.models import Message, RawInboundEvent

from ..conftest import API_SECRET, api_message, signed

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(base, "timezone_now", lambda: NOW)


@pytest.fixture
def channel(make_api_channel, team):
    return make_api_channel(team=team)


def post(client, channel, body, headers):
    return client.post(f"/webhooks/{channel.pk}/", body, content_type="application/json", headers=headers)


def nothing_stored():
    return not RawInboundEvent.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("age", [0, 299, -299])
def test_a_request_signed_within_the_window_is_accepted(client, channel, age):
    body, headers = signed(api_message("m-1", "+5511999990001"), timestamp=NOW.timestamp() - age)
    assert post(client, channel, body, headers).status_code == 200
    assert RawInboundEvent.objects.count() == 1


@pytest.mark.parametrize("age", [301, -301, 86400])
def test_a_replayed_or_future_request_is_403_and_stores_nothing(client, channel, age):
    body, headers = signed(api_message("m-1", "+5511999990001"), timestamp=NOW.timestamp() - age)
    response = post(client, channel, body, headers)
    assert response.status_code == 403
    assert "X-OmniDesk-Timestamp" in response.json()["error"]
    assert nothing_stored()


def test_the_old_body_only_scheme_is_refused(client, channel):
    body = json.dumps(api_message("m-1", "+5511999990001")).encode()
    old = {"X-OmniDesk-Signature": f"sha256={hmac_sha256_hex(API_SECRET, body)}"}
    response = post(client, channel, body, old)
    assert response.status_code == 403 and "X-OmniDesk-Timestamp" in response.json()["error"]
    # Nor does a fresh timestamp make a body-only signature valid.
    response = post(client, channel, body, {**old, "X-OmniDesk-Timestamp": str(int(NOW.timestamp()))})
    assert response.status_code == 403 and "<timestamp>.<body>" in response.json()["error"]
    assert nothing_stored()


def test_moving_the_timestamp_of_a_captured_request_breaks_its_signature(client, channel):
    body, headers = signed(api_message("m-1", "+5511999990001"), timestamp=NOW.timestamp() - 3600)
    headers["X-OmniDesk-Timestamp"] = str(int(NOW.timestamp()))
    assert post(client, channel, body, headers).status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize("timestamp", ["", "abc", "1.5", "-100", "9" * 13, "١٧٠٠٠٠٠٠٠٠"])
def test_a_malformed_timestamp_is_403(client, channel, timestamp):
    body, headers = signed(api_message("m-1", "+5511999990001"), timestamp=NOW.timestamp())
    headers["X-OmniDesk-Timestamp"] = timestamp
    assert post(client, channel, body, headers).status_code == 403
    assert nothing_stored()


def test_the_signature_is_an_hmac_of_timestamp_dot_body():
    body = b'{"a":1}'
    assert omnidesk_signature("s" * 16, 1700000000, body) == "sha256=" + hmac_sha256_hex("s" * 16, b"1700000000." + body)
