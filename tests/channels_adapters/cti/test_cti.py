"""Calls from the telephony system (CTI): signed events, the customer found by phone, the recording fetched."""
import json
from pathlib import Path

import pytest
from django.test import Client

from channels_adapters.base import hmac_sha256_hex
from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.calls import log_call
from conversations.actions.errors import ActionError
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation, Customer, Message, RawInboundEvent

from ...fake_http import ScriptedResponse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "providers" / "cti"
SECRET = "a-cti-secret-of-32-characters!!"


def event_body(name, recording_base=""):
    return (FIXTURES / name).read_text().replace("RECORDING_BASE", recording_base).encode()


def post(channel, body, secret=SECRET):
    return Client().post(f"/webhooks/{channel.pk}/", body, content_type="application/json",
                         headers={"X-OmniDesk-Signature": f"sha256={hmac_sha256_hex(secret, body)}"})


@pytest.fixture
def cti(transactional_db, team, fake_http):
    return create_channel("cti", "PBX", {"secret": SECRET, "recording_base_url": fake_http.url}, team=team)


def test_a_forged_signature_is_refused_and_nothing_is_stored(cti):
    assert post(cti, event_body("call_started.json"), secret="not-the-secret-at-all-no-no").status_code == 403
    unsigned = Client().post(f"/webhooks/{cti.pk}/", event_body("call_started.json"), content_type="application/json")
    assert unsigned.status_code == 403
    assert not RawInboundEvent.objects.exists() and not Customer.objects.exists()


def test_a_call_joins_the_customers_one_conversation_and_keeps_its_recording(cti, make_api_channel, fake_http):
    whatsapp = make_api_channel("WhatsApp")
    earlier = ingest_message(whatsapp, InboundMessage("wa-1", Sender("phone", "+5511988887777", "Rita"), "Oi")).message

    fake_http.respond(ScriptedResponse(200, b"ID3-fake-mp3", content_type="audio/mpeg"))
    assert post(cti, event_body("call_started.json")).status_code == 200
    assert post(cti, event_body("call_ended.json", fake_http.url)).status_code == 200

    conversation = Conversation.objects.get()  # the number of the WhatsApp messages: the same customer
    assert conversation.pk == earlier.conversation_id and Customer.objects.count() == 1
    call = Message.objects.get(channel=cti)
    assert call.identity.address == "+5511988887777" and call.conversation_id == conversation.pk
    assert call.metadata["call"] == {"direction": "inbound", "state": "ended", "started_at": "2026-12-03T13:02:11+00:00",
                                     "ended_at": "2026-12-03T13:05:16+00:00", "duration_seconds": 185,
                                     "outcome": "answered"}
    recording = call.attachments.get()
    assert recording.file.read() == b"ID3-fake-mp3" and recording.content_type == "audio/mpeg"
    assert fake_http.requests[0].path == "/recordings/pbx-7f3a91.mp3"


def test_a_recording_elsewhere_than_the_telephony_system_is_not_fetched(cti, fake_http):
    assert post(cti, event_body("call_ended.json", "https://attacker.example")).status_code == 200
    recording = Message.objects.get().attachments.get()
    assert not recording.file and "not one of the provider's hosts" in recording.fetch_error
    assert fake_http.requests == []


@pytest.mark.parametrize("change", [
    {"event": "call.transferred"}, {"direction": "sideways"}, {"caller": ""}, {"at": "yesterday"},
    {"duration_seconds": -1}, {"outcome": "maybe"}, {"recording_url": "javascript:alert(1)"}, {"call_id": ""},
])
def test_a_malformed_event_is_refused_and_nothing_changes(cti, change):
    payload = {**json.loads(event_body("call_ended.json", "https://pbx.example")), **change}
    assert post(cti, json.dumps(payload).encode()).status_code == 400
    assert not RawInboundEvent.objects.exists() and not Customer.objects.exists()


def test_an_agent_logs_a_call_and_it_shows_in_the_timeline(cti, make_agent, team):
    conversation = ingest_message(cti, InboundMessage("x", Sender("phone", "+5511988887777", "Rita"), "")).message.conversation
    ana = make_agent("ana", teams=[team])
    client = Client()
    client.force_login(ana)
    answer = client.post(f"/conversations/{conversation.pk}/calls/", {
        "direction": "outbound", "outcome": "answered", "minutes": "3", "seconds": "5", "notes": "Combinou a troca."})
    assert answer.status_code == 200
    logged = Message.objects.get(metadata__call__logged=True)
    assert (logged.direction, logged.author, logged.text) == (Message.Direction.NOTE, ana, "Combinou a troca.")
    assert logged.metadata["call"]["duration_seconds"] == 185
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "Outgoing call · Answered · 3:05" in page and "Combinou a troca." in page
    reply_choice = page[page.index('id="reply-channel"'):page.index("</select>", page.index('id="reply-channel"'))]
    assert str(cti.pk) not in reply_choice  # a telephony channel is never offered for replies
    assert client.post(f"/conversations/{conversation.pk}/calls/", {"direction": "up", "outcome": "answered"}
                       ).status_code == 400
    with pytest.raises(ActionError):
        log_call(conversation, ana, "inbound", -5, "answered")
