"""A typed address is a claim: it never captures the address's own traffic, and only a proof joins it.

The whole story, both orders, over the widget's HTTP endpoints, the email
pipeline (raw MIME) and Twilio SMS, with codes delivered by a real SMTP
server and a fake Twilio on 127.0.0.1.
"""
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from channels_adapters.pipeline import process_event
from channels_adapters.setup import create_channel
from channels_adapters.types import RawRequest
from channels_adapters.webchat import tokens, visitors
from conversations.actions import verification
from conversations.actions.inbound_events import record_raw_event
from conversations.actions.replies import send_reply
from conversations.models import AddressVerification, Identity, MergeSuggestion, Message
from tests.fake_http import ScriptedResponse

from ..email.conftest import SUPPORT_ADDRESS, fixture_bytes
from ..email.servers import SmtpServer
from ..providers import TWILIO_TOKEN, fixture, twilio_config
from .conftest import HMAC_SECRET, SHOP_ORIGIN

# Codes are delivered after commit: real commits.
pytestmark = pytest.mark.django_db(transaction=True)

OWNER_EMAIL = "maria.teste@example.com"  # the sender of 01_plain_first_message.eml
OWNER_PHONE = "+5511999990001"  # the sender of twilio_sms_inbound.txt
OWNER_MAIL_TEXT = "Fiz o pedido #1234"
OWNER_SMS_TEXT = "My order #1234"


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def email_channel(db, team, smtp_server):
    return create_channel("email", "E-mail suporte", {
        "address": SUPPORT_ADDRESS, "smtp_host": "127.0.0.1", "smtp_port": smtp_server.port, "smtp_security": "none",
    }, team=team)


@pytest.fixture
def sms_channel(db, team, fake_http):
    return create_channel("twilio_sms", "SMS Loja", twilio_config(fake_http.url), team=team)


@pytest.fixture
def widget(make_webchat_channel, team):
    return make_webchat_channel(team=team, prechat_fields=["email"])


def start(client, channel, **body):
    response = client.post(f"/webchat/{channel.pk}/session/", body, content_type="application/json",
                           HTTP_ORIGIN=SHOP_ORIGIN)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def write(channel, token, text, client_id):
    visitor = tokens.load(token, channel.pk)
    return visitors.accept_message(visitors.webchat_channel(channel.pk), visitor, {"client_id": client_id, "text": text})


def widget_history(channel, token):
    return [m["text"] for m in visitors.catch_up(visitors.webchat_channel(channel.pk), tokens.load(token, channel.pk),
                                                 None)["messages"]]


def owner_mails(channel):
    event = record_raw_event(channel, RawRequest(body=fixture_bytes("01_plain_first_message.eml"), headers={},
                                                 content_type="message/rfc822"))
    process_event(event.pk)
    return Message.objects.filter(direction="inbound", channel=channel).latest("id")


def owner_texts(channel):
    event = record_raw_event(channel, RawRequest(body=fixture("twilio_sms_inbound.txt"), headers={},
                                                 content_type="application/x-www-form-urlencoded"))
    process_event(event.pk)
    return Message.objects.filter(direction="inbound", channel=channel).latest("id")


def stranger_of(token, channel):
    return Identity.objects.get(kind="webchat", address=tokens.load(token, channel.pk).visitor_id).customer


def post_widget(client, channel, path, **body):
    return client.post(f"/webchat/{channel.pk}/{path}", body, content_type="application/json",
                       HTTP_ORIGIN=SHOP_ORIGIN)


def test_a_typed_email_never_captures_the_owners_mail(client, widget, email_channel, admin_user, smtp_server):
    token = start(client, widget, profile={"email": "Maria.Teste@Example.com"})
    write(widget, token, "Hi, where is my order?", "client-0001")
    stranger = stranger_of(token, widget)
    claim = Identity.objects.get(kind="email")
    assert (claim.customer, claim.claimed, claim.verified) == (stranger, True, False)

    mail = owner_mails(email_channel)

    owner = mail.conversation.customer
    assert owner != stranger and OWNER_MAIL_TEXT in mail.text
    claim.refresh_from_db()
    assert (claim.customer, claim.claimed) == (owner, False)  # the address's own traffic took it
    suggestion = MergeSuggestion.objects.get(customer=stranger)
    assert (suggestion.candidate, suggestion.address, suggestion.source) == (owner, OWNER_EMAIL, "claim_superseded")
    assert not Message.objects.filter(conversation__customer=stranger, text__contains=OWNER_MAIL_TEXT).exists()
    assert widget_history(widget, token) == ["Hi, where is my order?"]

    # The stranger goes on writing: still their own conversation; the owner's answer goes to the owner.
    write(widget, token, "Anyone?", "client-0002")
    assert Message.objects.filter(conversation__customer=stranger, direction="inbound").count() == 2
    send_reply(owner.conversation, admin_user, "Seu pedido saiu hoje.")
    (delivered,) = smtp_server.script.received
    assert delivered.rcpt_tos == [OWNER_EMAIL]
    assert "Seu pedido saiu hoje." not in widget_history(widget, token)


def test_the_owner_mailing_first_keeps_the_address_and_the_typist_only_suggests(client, widget, email_channel):
    owner = owner_mails(email_channel).conversation.customer
    token = start(client, widget, profile={"email": OWNER_EMAIL})
    write(widget, token, "I am Maria, show me my order", "client-0001")

    stranger = stranger_of(token, widget)
    assert stranger != owner
    assert Identity.objects.get(kind="email").customer == owner
    suggestion = MergeSuggestion.objects.get()
    assert (suggestion.customer, suggestion.candidate) == (stranger, owner)
    assert widget_history(widget, token) == ["I am Maria, show me my order"]
    # The owner's next mail still lands with the owner only.
    assert owner_mails(email_channel).conversation.customer == owner


def test_a_typed_phone_never_captures_the_owners_sms(client, make_webchat_channel, team, sms_channel):
    widget = make_webchat_channel(team=team, prechat_fields=["phone"])
    token = start(client, widget, profile={"phone": "+55 11 99999-0001"})
    write(widget, token, "Hello", "client-0001")
    stranger = stranger_of(token, widget)

    sms = owner_texts(sms_channel)

    assert sms.conversation.customer != stranger and OWNER_SMS_TEXT in sms.text
    assert Identity.objects.get(kind="phone").customer == sms.conversation.customer
    assert MergeSuggestion.objects.filter(customer=stranger, candidate=sms.conversation.customer).exists()
    assert widget_history(widget, token) == ["Hello"]


def the_code_in(mail):
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    return next(word.rstrip(".") for word in text.split() if word.rstrip(".").isdigit() and len(word.rstrip(".")) == 6)


def test_a_code_sent_to_the_address_and_typed_back_joins_its_history(client, widget, email_channel, smtp_server):
    token = start(client, widget, profile={"email": OWNER_EMAIL})
    write(widget, token, "Hi, it's Maria", "client-0001")
    visitor_customer = stranger_of(token, widget)

    sent = post_widget(client, widget, "verification/", token=token, kind="email", language="pt-BR")
    assert sent.status_code == 201, sent.content
    assert sent.json()["sent_to"] == OWNER_EMAIL
    (mail,) = smtp_server.script.received
    assert mail.rcpt_tos == [OWNER_EMAIL]
    assert "Seu código de verificação" in mail.message.get_body(preferencelist=("plain",)).get_content()
    code = the_code_in(mail)
    assert code not in str(AddressVerification.objects.get().code_hash)  # only a hash is stored
    # Sending the code is not an answer: the conversation still waits for an agent.
    assert visitor_customer.conversation.__class__.objects.get(pk=visitor_customer.conversation.pk).waiting_since

    wrong = post_widget(client, widget, "verification/confirm/", token=token, code="000000" if code != "000000"
                        else "111111")
    assert wrong.status_code == 400 and "4" in wrong.json()["error"]
    assert not tokens.load(token, widget.pk).verified

    confirmed = post_widget(client, widget, "verification/confirm/", token=token, code=code)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["visitor"]["verified"] is True
    proven_token = confirmed.json()["token"]
    identity = Identity.objects.get(kind="email")
    assert (identity.customer, identity.verified, identity.claimed) == (visitor_customer, True, False)

    # Now the address's mail is theirs, and the widget shows it; the proof outlives a page load.
    mail_in = owner_mails(email_channel)
    assert mail_in.conversation.customer == visitor_customer
    reloaded = start(client, widget, token=proven_token)
    assert tokens.load(reloaded, widget.pk).verified
    history = widget_history(widget, reloaded)
    assert "Hi, it's Maria" in history and any(OWNER_MAIL_TEXT in text for text in history)


def test_a_code_to_a_phone_goes_by_sms(client, make_webchat_channel, team, sms_channel, fake_http):
    widget = make_webchat_channel(team=team, prechat_fields=["phone"])
    token = start(client, widget, profile={"phone": OWNER_PHONE})
    write(widget, token, "Hello", "client-0001")
    fake_http.respond(ScriptedResponse(201, {"sid": "SM" + "c" * 32, "status": "queued"}))

    assert post_widget(client, widget, "verification/", token=token, kind="phone").status_code == 201

    (request,) = fake_http.requests
    fields = parse_qs(request.body.decode())
    assert fields["To"] == [OWNER_PHONE]
    code = next(word.rstrip(".") for word in fields["Body"][0].split() if word.rstrip(".").isdigit())
    confirmed = post_widget(client, widget, "verification/confirm/", token=token, code=code)
    assert confirmed.status_code == 200 and confirmed.json()["visitor"]["verified"]
    assert TWILIO_TOKEN not in request.body.decode()


def test_proving_an_address_another_customer_has_writes_into_their_conversation(client, widget, email_channel,
                                                                                 smtp_server):
    owner = owner_mails(email_channel).conversation.customer
    token = start(client, widget, profile={"email": OWNER_EMAIL})
    write(widget, token, "It's me, Maria, from another computer", "client-0001")
    assert post_widget(client, widget, "verification/", token=token, kind="email").status_code == 201
    # The code went to the owner's mailbox, from the owner's conversation.
    code_message = Message.objects.get(metadata__verification_code__isnull=False)
    assert code_message.conversation.customer == owner and code_message.author is None
    code = the_code_in(smtp_server.script.received[-1])

    proven = post_widget(client, widget, "verification/confirm/", token=token, code=code).json()["token"]
    message = write(widget, proven, "Now verified", "client-0002")
    assert Message.objects.get(pk=message["id"]).conversation.customer == owner
    assert any(OWNER_MAIL_TEXT in text for text in widget_history(widget, proven))


def test_wrong_codes_are_capped_and_a_code_expires(client, widget, email_channel, smtp_server, settings, monkeypatch):
    settings.VERIFICATION_CODE_RESEND_SECONDS = 0
    token = start(client, widget, profile={"email": "new@example.com"})
    write(widget, token, "Hi", "client-0001")
    post_widget(client, widget, "verification/", token=token, kind="email")
    code = the_code_in(smtp_server.script.received[-1])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.VERIFICATION_MAX_ATTEMPTS):
        assert post_widget(client, widget, "verification/confirm/", token=token, code=wrong).status_code == 400
    capped = post_widget(client, widget, "verification/confirm/", token=token, code=code)
    assert capped.status_code == 400 and "Too many wrong codes" in capped.json()["error"]
    assert AddressVerification.objects.get().attempts == settings.VERIFICATION_MAX_ATTEMPTS

    post_widget(client, widget, "verification/", token=token, kind="email")
    fresh = the_code_in(smtp_server.script.received[-1])
    later = timezone.now() + timedelta(seconds=settings.VERIFICATION_CODE_MAX_AGE_SECONDS + 1)
    monkeypatch.setattr(verification.timezone, "now", lambda: later)  # a frozen clock past the code's life
    expired = post_widget(client, widget, "verification/confirm/", token=token, code=fresh)
    assert expired.status_code == 400 and "expired" in expired.json()["error"]
    assert not Identity.objects.get(kind="email").verified


def test_codes_are_rate_limited_per_visitor_and_per_address(client, widget, email_channel, smtp_server, settings):
    settings.VERIFICATION_CODE_RESEND_SECONDS = 0
    settings.VERIFICATION_CODES_PER_HOUR = 2
    token = start(client, widget, profile={"email": "new@example.com"})
    write(widget, token, "Hi", "client-0001")
    for _ in range(2):
        assert post_widget(client, widget, "verification/", token=token, kind="email").status_code == 201
    refused = post_widget(client, widget, "verification/", token=token, kind="email")
    assert refused.status_code == 400 and "Too many codes" in refused.json()["error"]
    # Another visitor cannot flood the same mailbox either.
    other = start(client, widget, profile={"email": "new@example.com"})
    write(widget, other, "Hi", "client-0002")
    refused = post_widget(client, widget, "verification/", token=other, kind="email")
    assert refused.status_code == 400 and "this address" in refused.json()["error"]
    assert len(smtp_server.script.received) == 2


def test_a_resend_needs_a_pause_and_another_visitor_cannot_use_the_code(client, widget, email_channel, smtp_server):
    token = start(client, widget, profile={"email": "new@example.com"})
    write(widget, token, "Hi", "client-0001")
    post_widget(client, widget, "verification/", token=token, kind="email")
    again = post_widget(client, widget, "verification/", token=token, kind="email")
    assert again.status_code == 400 and "wait a moment" in again.json()["error"]
    code = the_code_in(smtp_server.script.received[-1])

    thief = start(client, widget, profile={"email": "new@example.com"})
    write(widget, thief, "Hi", "client-0002")
    stolen = post_widget(client, widget, "verification/confirm/", token=thief, code=code)
    assert stolen.status_code == 400
    assert not Identity.objects.get(kind="email").verified


@pytest.mark.parametrize("body, status", [
    ({"kind": "email"}, 401),
    ({"token": "forged", "kind": "email"}, 401),
    ({"kind": "fax"}, 400),
    ({"kind": "phone"}, 400),  # no phone was given
])
def test_bad_verification_requests_are_4xx(client, widget, email_channel, body, status):
    token = start(client, widget, profile={"email": "new@example.com"})
    write(widget, token, "Hi", "client-0001")
    if "token" not in body and status == 400:
        body = {**body, "token": token}
    assert post_widget(client, widget, "verification/", **body).status_code == status
    assert not AddressVerification.objects.exists()


def test_a_code_before_the_first_message_is_refused_clearly(client, widget, email_channel):
    token = start(client, widget, profile={"email": "new@example.com"})
    response = post_widget(client, widget, "verification/", token=token, kind="email")
    assert response.status_code == 400 and "first message" in response.json()["error"]


def test_set_user_with_a_valid_hash_proves_the_claim_this_browser_typed(client, widget, email_channel):
    token = start(client, widget, profile={"email": OWNER_EMAIL})
    write(widget, token, "Hi", "client-0001")
    visitor_customer = stranger_of(token, widget)
    identifier_hash = tokens.identifier_hash(HMAC_SECRET, OWNER_EMAIL)
    proven = start(client, widget, token=token, user={"identifier": OWNER_EMAIL, "identifier_hash": identifier_hash})
    assert tokens.load(proven, widget.pk).verified
    identity = Identity.objects.get(kind="email")
    assert (identity.customer, identity.verified, identity.claimed) == (visitor_customer, True, False)
    assert owner_mails(email_channel).conversation.customer == visitor_customer


def test_set_user_with_a_forged_hash_proves_nothing(client, widget, email_channel):
    token = start(client, widget, profile={"email": OWNER_EMAIL})
    write(widget, token, "Hi", "client-0001")
    start(client, widget, token=token, user={"identifier": OWNER_EMAIL, "identifier_hash": "0" * 64})
    assert Identity.objects.get(kind="email").claimed
    assert owner_mails(email_channel).conversation.customer != stranger_of(token, widget)
