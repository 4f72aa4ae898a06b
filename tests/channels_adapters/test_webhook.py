"""The one webhook route, over real HTTP through the ASGI app served by daphne."""
import json

import httpx
import pytest
from django.core.management import call_command

from conversations.models import Conversation, Customer, Message, RawInboundEvent

from ..conftest import api_message, signed


@pytest.fixture
def channel(make_api_channel, team):
    return make_api_channel(team=team)


def post(base, channel, body, headers):
    return httpx.post(f"{base}/webhooks/{channel.pk}/", content=body, headers=headers, timeout=10)


def test_a_signed_message_is_stored_and_ingested(live_server_url, channel):
    response = post(live_server_url, channel, *signed(api_message("m-1", "+5511999990001", "Oi", name="Maria")))
    assert response.status_code == 200
    event = RawInboundEvent.objects.get()
    assert event.state == RawInboundEvent.State.PROCESSED and event.attempts == 1
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert (message.text, message.identity.address, message.conversation.customer.name) == (
        "Oi", "+5511999990001", "Maria")


def test_a_duplicate_delivery_is_stored_once(live_server_url, channel):
    body, headers = signed(api_message("m-1", "+5511999990001"))
    assert post(live_server_url, channel, body, headers).status_code == 200
    assert post(live_server_url, channel, body, headers).status_code == 200
    assert RawInboundEvent.objects.count() == 2  # both bodies kept, as received
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "md5=abc"])
def test_a_forged_signature_is_403_and_stores_nothing(live_server_url, channel, signature):
    body, headers = signed(api_message("m-1", "+5511999990001"))
    headers["X-OmniDesk-Signature"] = signature
    response = post(live_server_url, channel, body, headers)
    assert response.status_code == 403
    assert not RawInboundEvent.objects.exists() and not Message.objects.exists()


def test_a_signature_made_with_another_secret_is_refused(live_server_url, channel):
    response = post(live_server_url, channel, *signed(api_message("m-1", "+5511999990001"), secret="x" * 20))
    assert response.status_code == 403
    assert not RawInboundEvent.objects.exists()


def test_unknown_channel_is_404(live_server_url, channel):
    response = httpx.post(f"{live_server_url}/webhooks/00000000-0000-0000-0000-000000000000/", content=b"{}")
    assert response.status_code == 404


def test_inactive_channel_is_410(live_server_url, channel):
    channel.active = False
    channel.save()
    response = post(live_server_url, channel, *signed(api_message("m-1", "+5511999990001")))
    assert response.status_code == 410
    assert not RawInboundEvent.objects.exists()


def test_a_body_over_the_limit_is_413(live_server_url, channel, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 1000
    payload = api_message("m-1", "+5511999990001", text="x" * 2000)
    response = post(live_server_url, channel, *signed(payload))
    assert response.status_code == 413
    assert not RawInboundEvent.objects.exists()


@pytest.mark.parametrize(
    "payload, error",
    [
        (b"not json", "JSON"),
        ({"external_id": "m-1", "from": {"kind": "fax", "address": "1"}, "text": "hi"}, "from.kind"),
        ({"external_id": "", "from": {"kind": "phone", "address": "+5511999990001"}, "text": "hi"}, "external_id"),
        ({"external_id": "m-1", "from": {"kind": "phone", "address": "+5511999990001"}, "text": ""}, "text"),
        ({"external_id": "m-1", "from": {"kind": "phone", "address": "+5511999990001"}, "text": "hi",
          "sent_at": "yesterday"}, "sent_at"),
    ],
)
def test_a_malformed_payload_is_400_with_a_clear_error(live_server_url, channel, payload, error):
    response = post(live_server_url, channel, *signed(payload))
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert not RawInboundEvent.objects.exists()


def test_get_without_a_handshake_is_405(live_server_url, channel):
    assert httpx.get(f"{live_server_url}/webhooks/{channel.pk}/").status_code == 405


def test_a_failed_processing_is_kept_visible_and_can_be_retried(live_server_url, channel):
    # Signed and well-formed, but the address cannot be a phone number: stored, then fails.
    response = post(live_server_url, channel, *signed(api_message("m-1", "12")))
    assert response.status_code == 200
    event = RawInboundEvent.objects.get()
    assert event.state == RawInboundEvent.State.FAILED
    assert "phone number" in event.last_error
    assert not Customer.objects.exists()

    # A fix on our side (here: the sender's country is set), then the retry command.
    payload = json.loads(bytes(event.body))
    payload["from"]["address"] = "+5511999990001"
    RawInboundEvent.objects.filter(pk=event.pk).update(body=json.dumps(payload).encode())
    call_command("reprocess_inbound")
    event.refresh_from_db()
    assert event.state == RawInboundEvent.State.PROCESSED
    assert Conversation.objects.count() == 1


def test_status_callbacks_from_the_integrator_update_the_message(live_server_url, channel, fake_http, admin_user):
    from conversations.actions.replies import send_reply

    channel.config = {**channel.config, "callback_url": fake_http.url + "/hook"}
    channel.save()
    fake_http.respond()
    post(live_server_url, channel, *signed(api_message("m-1", "+5511999990001")))
    reply = send_reply(Conversation.objects.get(), admin_user, "Olá!")
    reply.refresh_from_db()
    assert reply.status == Message.Status.SENT and reply.external_id == f"omnidesk-{reply.pk}"
    status = {"type": "status", "external_id": reply.external_id, "status": "delivered"}
    assert post(live_server_url, channel, *signed(status)).status_code == 200
    reply.refresh_from_db()
    assert reply.status == Message.Status.DELIVERED
