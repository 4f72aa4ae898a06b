"""Replies through Twilio (request shape, errors, retries, templates, media links) and status callbacks."""
import base64
import json
from urllib.parse import parse_qs

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import send_reply
from conversations.models import Message, RawInboundEvent
from tests.fake_http import ScriptedResponse

from ..providers import ACCOUNT_SID, CUSTOMER, TWILIO_TOKEN, fixture, post_twilio, twilio_config, twilio_form

pytestmark = pytest.mark.django_db(transaction=True)
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
TEMPLATE = {"name": "order_update", "language": "pt_BR", "variables": ["1", "2"],
            "body": "Olá {{1}}, seu pedido {{2}} foi enviado.", "content_sid": "HX" + "a" * 32}


def created(sid):
    return ScriptedResponse(201, {"sid": sid, "status": "queued"})


def twilio_error(status, code, message, **headers):
    return ScriptedResponse(status, {"code": code, "message": message, "status": status}, headers=headers)


@pytest.fixture
def channel_for(team, fake_http, settings):
    settings.PUBLIC_BASE_URL = "https://inbox.example.com"

    def make(kind, **extra):
        channel = create_channel(kind, kind, twilio_config(fake_http.url, **extra), team=team)
        address = f"whatsapp:{CUSTOMER}" if kind == "twilio_whatsapp" else CUSTOMER
        ingest_message(channel, InboundMessage(f"SM-{kind}", Sender("phone", address, "Maria"), "Oi"))
        return channel

    return make


def reply(channel, admin_user, text="Olá Maria!", **kwargs):
    conversation = Message.objects.filter(channel=channel).first().conversation
    message = send_reply(conversation, admin_user, text, channel=channel, **kwargs)
    message.refresh_from_db()
    return message


def form_of(request):
    return {key: values if len(values) > 1 else values[0] for key, values in parse_qs(request.body.decode()).items()}


def test_a_whatsapp_reply_is_posted_as_twilio_expects(channel_for, fake_http, admin_user):
    channel = channel_for("twilio_whatsapp")
    fake_http.respond(created("SM" + "a" * 32))
    message = reply(channel, admin_user)
    assert (message.status, message.external_id) == ("sent", "SM" + "a" * 32)
    (request,) = fake_http.requests
    assert (request.method, request.path) == ("POST", MESSAGES_PATH)
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    assert form_of(request) == {
        "To": f"whatsapp:{CUSTOMER}", "From": "whatsapp:+15005550006", "Body": "Olá Maria!",
        "StatusCallback": f"https://inbox.example.com/webhooks/{channel.pk}/",
    }


def test_an_sms_reply_can_go_through_a_messaging_service(channel_for, fake_http, admin_user):
    channel = channel_for("twilio_sms", messaging_service_sid="MG" + "1" * 32)
    fake_http.respond(created("SM" + "b" * 32))
    reply(channel, admin_user)
    fields = form_of(fake_http.requests[0])
    assert fields["To"] == CUSTOMER and fields["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in fields


def test_429_with_retry_after_and_5xx_are_retried(channel_for, fake_http, admin_user):
    channel = channel_for("twilio_sms")
    fake_http.respond(twilio_error(429, 20429, "Too Many Requests", **{"Retry-After": "1"}),
                      ScriptedResponse(503, "unavailable", content_type="text/plain"), created("SM" + "c" * 32))
    message = reply(channel, admin_user)
    assert (message.status, message.delivery_attempts, len(fake_http.requests)) == ("sent", 3, 3)


@pytest.mark.parametrize("code, message_text, expected", [
    (21211, "The 'To' number +5511 is not a valid phone number.", "Invalid number or recipient"),
    (21610, "Attempt to send to unsubscribed recipient", "Blocked: the customer replied STOP"),
    (63016, "Failed to send freeform message because you are outside the allowed window.", "Reply window closed"),
    (20003, "Authenticate", "Channel credentials refused"),
    (99999, "Something new", "Rejected by the provider"),
])
def test_final_errors_are_not_retried_and_read_clearly(channel_for, fake_http, admin_user, code, message_text, expected):
    channel = channel_for("twilio_sms")
    fake_http.respond(twilio_error(400, code, message_text))
    message = reply(channel, admin_user)
    assert message.status == "failed" and len(fake_http.requests) == 1
    assert message.failure_reason.startswith(expected) and f"Twilio error {code}" in message.failure_reason


def test_a_template_goes_as_content_sid_with_its_variables(channel_for, fake_http, admin_user):
    channel = channel_for("twilio_whatsapp", templates=[TEMPLATE])
    fake_http.respond(created("SM" + "d" * 32))
    message = reply(channel, admin_user, "", template={"name": "order_update",
                                                      "variables": {"1": "Maria", "2": "4512"}})
    assert message.text == "Olá Maria, seu pedido 4512 foi enviado."
    fields = form_of(fake_http.requests[0])
    assert fields["ContentSid"] == TEMPLATE["content_sid"] and "Body" not in fields
    assert json.loads(fields["ContentVariables"]) == {"1": "Maria", "2": "4512"}


def test_an_attachment_goes_as_a_signed_link_twilio_can_fetch(channel_for, fake_http, admin_user, live_server_url,
                                                              settings):
    channel = channel_for("twilio_sms")
    settings.PUBLIC_BASE_URL = live_server_url  # Twilio fetches the file from us
    fake_http.respond(created("MM" + "e" * 32))
    upload = SimpleUploadedFile("nota fiscal.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    reply(channel, admin_user, "Segue a nota", attachments=[upload])
    fields = form_of(fake_http.requests[0])
    assert fields["Body"] == "Segue a nota"
    fetched = httpx.get(fields["MediaUrl"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == b"%PDF-1.4 fake"
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert httpx.get(fields["MediaUrl"].replace("/outbound-media/", "/outbound-media/x"), timeout=10).status_code == 404


def test_status_callbacks_move_forward_only(channel_for, fake_http, admin_user, live_server_url):
    channel = channel_for("twilio_whatsapp")
    sid = "SM00000000000000000000000000000012"  # the read callback in the fixtures
    fake_http.respond(created(sid))
    message = reply(channel, admin_user)

    assert post_twilio(live_server_url, channel, fixture("twilio_whatsapp_status_read.txt")).status_code == 200
    for late in ("delivered", "sent", "failed"):
        body = twilio_form(MessageSid=sid, MessageStatus=late, From="whatsapp:+15005550006", To=f"whatsapp:{CUSTOMER}",
                           ErrorCode="30008" if late == "failed" else "")
        assert post_twilio(live_server_url, channel, body).status_code == 200
    message.refresh_from_db()
    assert message.status == "read" and message.failure_reason == ""
    assert RawInboundEvent.objects.filter(state="processed").count() == 4


@pytest.mark.parametrize("name, sid, expected", [
    ("twilio_whatsapp_status_failed.txt", "SM00000000000000000000000000000013", "Reply window closed"),
    ("twilio_status_callback_undelivered.txt", "SM00000000000000000000000000000011", "Recipient unreachable"),
])
def test_failed_callbacks_tell_the_agent_why(channel_for, fake_http, admin_user, live_server_url, name, sid, expected):
    channel = channel_for("twilio_whatsapp")
    fake_http.respond(created(sid))
    message = reply(channel, admin_user)
    assert post_twilio(live_server_url, channel, fixture(name)).status_code == 200
    message.refresh_from_db()
    assert message.status == "failed" and message.failure_reason.startswith(expected)


def test_a_delivered_callback_of_an_sms(channel_for, fake_http, admin_user, live_server_url):
    channel = channel_for("twilio_sms")
    fake_http.respond(created("SM00000000000000000000000000000010"))
    message = reply(channel, admin_user)
    assert post_twilio(live_server_url, channel, fixture("twilio_status_callback.txt")).status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered"
