"""Raw MIME posted to the one webhook route (signed like the api channel), through the real ASGI app."""
import httpx
import pytest

from channels_adapters.base import signed_headers
from conversations.actions.assignment import update_conversation
from conversations.models import Conversation, ConversationEvent, Customer, Message, RawInboundEvent

from ...conftest import api_message, signed
from .conftest import INBOUND_SECRET, fixture_bytes


@pytest.fixture
def channel(make_email_channel, team):
    return make_email_channel(team=team)


def post_mime(base, channel, raw, secret=INBOUND_SECRET, content_type="message/rfc822"):
    headers = {"Content-Type": content_type, **signed_headers(secret, raw)}
    return httpx.post(f"{base}/webhooks/{channel.pk}/", content=raw, headers=headers, timeout=10)


def inbound_messages():
    return Message.objects.filter(direction=Message.Direction.INBOUND).order_by("id")


def test_a_signed_email_is_stored_then_ingested(live_server_url, channel):
    response = post_mime(live_server_url, channel, fixture_bytes("02_gmail_reply_quoted.eml"))
    assert response.status_code == 200
    event = RawInboundEvent.objects.get()
    assert event.state == RawInboundEvent.State.PROCESSED
    assert bytes(event.body) == fixture_bytes("02_gmail_reply_quoted.eml")
    message = inbound_messages().get()
    assert message.text == "Obrigada! O código de rastreio não funciona no site dos Correios."
    assert message.external_id == "CAFAKEgmail0002+abc=XYZ@mail.gmail.com"
    assert message.identity.address == "maria.teste@example.com"
    assert message.metadata["subject"] == "Re: Pedido #1234 atrasado"
    assert "Rastreio: BR000000000FAKE" in message.metadata["original_text"]
    assert message.conversation.customer.name == "Maria Teste"


def test_attachments_and_inline_images_are_stored(live_server_url, channel):
    post_mime(live_server_url, channel, fixture_bytes("04_html_inline_image_and_attachment.eml"))
    message = inbound_messages().get()
    stored = {a.filename: a for a in message.attachments.all()}
    assert stored["erro.png"].content_id == "erro-png-0004@example.org"
    with stored["comprovante.pdf"].file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-1.4")
    assert 'src="cid:erro-png-0004@example.org"' in message.html


def test_remote_images_stay_blocked_after_the_domain_sanitiser(live_server_url, channel):
    post_mime(live_server_url, channel, fixture_bytes("08_malicious_html.eml"))
    message = inbound_messages().get()
    assert 'data-blocked-src="https://tracker.evil.example/pixel.gif?id=1"' in message.html
    assert "<script" not in message.html and "onerror" not in message.html


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "md5=abc"])
def test_a_forged_signature_is_403_and_stores_nothing(live_server_url, channel, signature):
    raw = fixture_bytes("01_plain_first_message.eml")
    response = httpx.post(f"{live_server_url}/webhooks/{channel.pk}/", content=raw, timeout=10,
                          headers={"Content-Type": "message/rfc822", **signed_headers(INBOUND_SECRET, raw),
                                   "X-OmniDesk-Signature": signature})
    assert response.status_code == 403
    assert not RawInboundEvent.objects.exists() and not Message.objects.exists()


def test_a_channel_without_inbound_secret_refuses_raw_posts(live_server_url, make_email_channel):
    channel = make_email_channel(inbound_secret="")
    response = post_mime(live_server_url, channel, fixture_bytes("01_plain_first_message.eml"))
    assert response.status_code == 403 and "inbound_secret" in response.json()["error"]
    assert not RawInboundEvent.objects.exists()


def test_other_content_types_need_an_inbound_provider(live_server_url, channel):
    response = post_mime(live_server_url, channel, b'{"a": 1}', content_type="application/json")
    assert response.status_code == 403 and "inbound_provider" in response.json()["error"]


def test_an_email_without_sender_is_400_and_stores_nothing(live_server_url, channel):
    response = post_mime(live_server_url, channel, b"Subject: no sender\r\n\r\nhello\r\n")
    assert response.status_code == 400 and "From" in response.json()["error"]
    assert not RawInboundEvent.objects.exists()


def test_the_same_email_twice_is_one_message(live_server_url, channel):
    raw = fixture_bytes("01_plain_first_message.eml")
    assert post_mime(live_server_url, channel, raw).status_code == 200
    assert post_mime(live_server_url, channel, raw).status_code == 200
    assert RawInboundEvent.objects.count() == 2
    assert inbound_messages().count() == 1


def test_an_email_joins_the_conversation_the_customer_started_elsewhere(live_server_url, channel, make_api_channel):
    api_channel = make_api_channel()
    body, headers = signed(api_message("shop-1", "maria.teste@example.com", "Oi pelo site", kind="email"))
    assert httpx.post(f"{live_server_url}/webhooks/{api_channel.pk}/", content=body, headers=headers).status_code == 200
    raw = fixture_bytes("01_plain_first_message.eml").replace(
        b"From: Maria Teste <maria.teste@example.com>", b"From: Maria Teste <Maria.Teste@EXAMPLE.com>")
    assert post_mime(live_server_url, channel, raw).status_code == 200
    assert Customer.objects.count() == 1 and Conversation.objects.count() == 1
    assert [m.channel for m in inbound_messages()] == [api_channel, channel]
    assert ConversationEvent.objects.filter(kind=ConversationEvent.Kind.CHANNEL_SWITCHED).count() == 1


def test_an_auto_reply_is_stored_and_marked_but_does_not_reopen(live_server_url, channel, admin_user):
    raw = fixture_bytes("01_plain_first_message.eml").replace(b"maria.teste@example.com", b"carlos.lima@example.com")
    post_mime(live_server_url, channel, raw)
    conversation = Conversation.objects.get()
    update_conversation(conversation, admin_user, status=Conversation.Status.RESOLVED)
    assert post_mime(live_server_url, channel, fixture_bytes("05_auto_reply.eml")).status_code == 200
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    auto_reply = inbound_messages().last()
    assert auto_reply.metadata["automatic"] == "Auto-Submitted: auto-replied"
    assert auto_reply.conversation_id == conversation.pk


def test_a_spoofed_sender_is_marked_not_verified(live_server_url, channel):
    post_mime(live_server_url, channel, fixture_bytes("20_auth_results_fail.eml"))
    message = inbound_messages().get()
    assert message.metadata["sender_verified"] is False
    assert message.identity.verified is False


def test_a_runaway_sender_stops_reopening_the_conversation(live_server_url, channel, admin_user, settings):
    settings.INBOUND_REOPEN_LIMIT_PER_HOUR = 3
    template = fixture_bytes("01_plain_first_message.eml")
    for number in range(3):
        post_mime(live_server_url, channel, template.replace(b"first-0001", f"loop-{number}".encode()))
    conversation = Conversation.objects.get()
    update_conversation(conversation, admin_user, status=Conversation.Status.RESOLVED)
    post_mime(live_server_url, channel, template.replace(b"first-0001", b"loop-3"))
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED
    assert inbound_messages().count() == 4  # stored all the same, never lost
    assert inbound_messages().last().metadata["rate_limited"] is True
    assert not any(m.metadata.get("rate_limited") for m in inbound_messages()[:3])


def test_the_api_says_which_messages_were_automatic_and_why(live_server_url, channel, admin_user):
    from rest_framework.test import APIClient

    for name in ("01_plain_first_message.eml", "05_auto_reply.eml", "17_newsletter_bulk.eml"):
        post_mime(live_server_url, channel, fixture_bytes(name))
    client = APIClient()
    client.force_authenticate(admin_user)
    answer = {}
    for message in inbound_messages():
        row = client.get(f"/api/v1/messages/{message.pk}/").json()
        answer[row["external_id"]] = row["automatic"]
    assert answer == {
        "first-0001@mail.example.com": None,
        "autoreply-0005@example.com": {"kind": "auto_reply", "reason": "Auto-Submitted: auto-replied"},
        "newsletter-0017@promo.example": {"kind": "bulk", "reason": "Precedence: bulk"},
    }
