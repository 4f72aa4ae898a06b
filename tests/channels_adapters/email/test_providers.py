"""Provider inbound webhooks (Mailgun, SendGrid, Postmark) on the one route, checked and parsed by django-anymail."""
import base64
import json
import time

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conversations.models import Message, RawInboundEvent
from tests.fake_http import ScriptedResponse

from .conftest import fixture_bytes

SIGNATURES = json.loads(fixture_bytes("signatures.json"))
MAILGUN_KEY = SIGNATURES["mailgun"]["webhook_signing_key"]
FORM = "application/x-www-form-urlencoded"
SENDGRID_FORM = SIGNATURES["sendgrid"]["content_type"]
BASIC_AUTH = ("parse-hook", "a-long-basic-auth-password")


@pytest.fixture
def replay_window_off(settings):
    # The fixtures were signed in January 2026: judge them on their signature alone.
    settings.EMAIL_PROVIDER_WEBHOOK_MAX_AGE_SECONDS = 0


def post(base, channel, body, content_type, auth=None, headers=None):
    return httpx.post(f"{base}/webhooks/{channel.pk}/", content=body, auth=auth, timeout=10,
                      headers={"Content-Type": content_type, **(headers or {})})


def inbound():
    return Message.objects.get(direction=Message.Direction.INBOUND)


@pytest.fixture
def mailgun_channel(make_email_channel):
    return make_email_channel(inbound_provider="mailgun", mailgun_webhook_signing_key=MAILGUN_KEY)


def test_mailgun_forward_is_verified_and_parsed(live_server_url, mailgun_channel, replay_window_off):
    response = post(live_server_url, mailgun_channel, fixture_bytes("mailgun_inbound_form.txt"), FORM)
    assert response.status_code == 200
    message = inbound()
    assert message.external_id == "CAFAKE+0001.gmail.example@mail.gmail.com"
    assert message.identity.address == "maria.teste@example.com"
    assert message.text == "Ainda não recebi, podem verificar?\n\nMaria"
    assert message.metadata["provider"] == "mailgun"
    assert message.metadata["in_reply_to"] == "outbound-0001@inbox.example.com"
    assert message.metadata["subject"] == "Re: [#1234] Pedido atrasado"
    assert "gmail_quote" not in message.html and "Olá Maria" in message.metadata["original_text"]


def test_mailgun_store_keeps_links_to_the_stored_attachments(live_server_url, mailgun_channel, replay_window_off):
    assert post(live_server_url, mailgun_channel, fixture_bytes("mailgun_store_notify.txt"), FORM).status_code == 200
    (attachment,) = inbound().attachments.all()
    assert (attachment.filename, attachment.content_type, attachment.size) == ("nota-fiscal.pdf", "application/pdf",
                                                                              48213)
    assert attachment.source_url.startswith("https://storage-us-east4.api.mailgun.net/v3/domains/mg.example.com/")
    assert not attachment.file


def test_files_mailgun_kept_are_fetched_with_the_api_key(live_server_url, make_email_channel, fake_http,
                                                        replay_window_off):
    channel = make_email_channel(inbound_provider="mailgun", mailgun_webhook_signing_key=MAILGUN_KEY,
                                 mailgun_api_key="key-fake-0123456789", api_base_url=fake_http.url)
    fake_http.respond(ScriptedResponse(200, b"%PDF-1.4 nota", content_type="application/pdf"))
    stored_at = "https%3A%2F%2Fstorage-us-east4.api.mailgun.net%2Fv3%2Fdomains%2Fmg.example.com%2Fmessages%2F"
    body = fixture_bytes("mailgun_store_notify.txt").replace(
        stored_at.encode(), (fake_http.url.replace(":", "%3A").replace("/", "%2F") + "%2Fv3%2Fmessages%2F").encode(), 1)
    assert post(live_server_url, channel, body, FORM).status_code == 200
    (attachment,) = inbound().attachments.all()
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 nota"
    (request,) = fake_http.requests
    assert request.path.startswith("/v3/messages/") and request.path.endswith("/attachments/0")
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"api:key-fake-0123456789").decode()


def test_without_an_api_key_the_kept_file_says_why(live_server_url, mailgun_channel, replay_window_off):
    post(live_server_url, mailgun_channel, fixture_bytes("mailgun_store_notify.txt"), FORM)
    (attachment,) = inbound().attachments.all()
    assert not attachment.file and "mailgun_api_key" in attachment.fetch_error


def test_the_same_mailgun_post_twice_is_one_message(live_server_url, mailgun_channel, replay_window_off):
    body = fixture_bytes("mailgun_inbound_form.txt")
    post(live_server_url, mailgun_channel, body, FORM)
    post(live_server_url, mailgun_channel, body, FORM)
    assert RawInboundEvent.objects.count() == 2 and Message.objects.count() == 1


@pytest.mark.parametrize("tamper", [
    lambda body: body.replace(b"signature=5ccf", b"signature=6ccf"),
    lambda body: body.replace(b"Ainda+n", b"Agora+n").replace(b"token=f4k3", b"token=f4k4"),
])
def test_a_forged_mailgun_post_is_403_and_stores_nothing(live_server_url, mailgun_channel, replay_window_off, tamper):
    response = post(live_server_url, mailgun_channel, tamper(fixture_bytes("mailgun_inbound_form.txt")), FORM)
    assert response.status_code == 403
    assert not RawInboundEvent.objects.exists()


def test_a_replayed_mailgun_post_is_refused(live_server_url, mailgun_channel):
    response = post(live_server_url, mailgun_channel, fixture_bytes("mailgun_inbound_form.txt"), FORM)
    assert response.status_code == 403 and "too old" in response.json()["error"]
    assert not RawInboundEvent.objects.exists()


def test_a_fresh_mailgun_signature_is_accepted(live_server_url, mailgun_channel):
    import hashlib
    import hmac

    timestamp, token = str(int(time.time())), "fresh-token-0123456789abcdef0123456789abcdef0123"
    signature = hmac.new(MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    body = (fixture_bytes("mailgun_inbound_form.txt")
            .replace(b"timestamp=1768221600", f"timestamp={timestamp}".encode())
            .replace(b"token=f4k3t0k3n0123456789abcdef0123456789abcdef012345678", f"token={token}".encode())
            .replace(SIGNATURES["mailgun"]["fixtures"]["mailgun_inbound_form.txt"]["signature"].encode(),
                     signature.encode()))
    assert post(live_server_url, mailgun_channel, body, FORM).status_code == 200


def test_sendgrid_with_basic_auth(live_server_url, make_email_channel):
    channel = make_email_channel(inbound_provider="sendgrid", webhook_basic_auth=":".join(BASIC_AUTH))
    body = fixture_bytes("sendgrid_inbound_parse.txt")
    assert post(live_server_url, channel, body, SENDGRID_FORM).status_code == 403
    assert post(live_server_url, channel, body, SENDGRID_FORM, auth=(BASIC_AUTH[0], "wrong")).status_code == 403
    assert not RawInboundEvent.objects.exists()
    assert post(live_server_url, channel, body, SENDGRID_FORM, auth=BASIC_AUTH).status_code == 200
    message = inbound()
    assert message.external_id == "CAFAKE+0002.gmail.example@mail.gmail.com"
    assert message.text == "Segue a nota fiscal em anexo.\n\nMaria"
    assert message.metadata["envelope_sender"] == "maria.teste@example.com"
    (attachment,) = message.attachments.all()
    assert attachment.filename == "nota.txt"
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"NF-e 0001 (fake)\n"
    assert "authorization" not in {name.lower() for name in RawInboundEvent.objects.get().headers}


def test_sendgrid_signed_with_its_security_policy(live_server_url, make_email_channel):
    private_key = ec.generate_private_key(ec.SECP256R1())
    public_der = private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    channel = make_email_channel(inbound_provider="sendgrid",
                                 sendgrid_verification_key=base64.b64encode(public_der).decode())
    body = fixture_bytes("sendgrid_inbound_parse.txt")
    timestamp = str(int(time.time()))
    signature = base64.b64encode(private_key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
    headers = {"X-Twilio-Email-Event-Webhook-Signature": signature,
               "X-Twilio-Email-Event-Webhook-Timestamp": timestamp}
    forged = {**headers, "X-Twilio-Email-Event-Webhook-Timestamp": str(int(timestamp) + 1)}
    assert post(live_server_url, channel, body, SENDGRID_FORM, headers=forged).status_code == 403
    assert post(live_server_url, channel, body, SENDGRID_FORM).status_code == 403
    assert post(live_server_url, channel, body, SENDGRID_FORM, headers=headers).status_code == 200
    assert inbound().identity.address == "maria.teste@example.com"


def test_postmark_with_basic_auth(live_server_url, make_email_channel):
    channel = make_email_channel(inbound_provider="postmark", webhook_basic_auth=":".join(BASIC_AUTH))
    body = fixture_bytes("postmark_inbound.json")
    assert post(live_server_url, channel, body, "application/json").status_code == 403
    assert post(live_server_url, channel, body, "application/json", auth=BASIC_AUTH).status_code == 200
    message = inbound()
    assert message.external_id == "CAFAKEpostmark0001@mail.gmail.com"
    assert message.text == "Chegou hoje, obrigada!"
    assert message.metadata["provider_event_id"] == "22c74902-a0c1-4511-804f-341342852c90"
    assert message.metadata["spam_score"] == -0.1
    assert [a.filename for a in message.attachments.all()] == ["foto.png"]


def test_a_malformed_provider_post_is_400(live_server_url, make_email_channel):
    channel = make_email_channel(inbound_provider="postmark", webhook_basic_auth=":".join(BASIC_AUTH))
    response = post(live_server_url, channel, b"{not json", "application/json", auth=BASIC_AUTH)
    assert response.status_code == 400 and "postmark" in response.json()["error"]
    assert not RawInboundEvent.objects.exists()
