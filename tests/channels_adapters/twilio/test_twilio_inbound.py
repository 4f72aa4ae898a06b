"""Twilio SMS and WhatsApp inbound: signatures (the documented test vectors and over real HTTP), parsing, media."""
from urllib.parse import urlsplit

import pytest

from channels_adapters.base import SignatureError
from channels_adapters.registry import adapter_for
from channels_adapters.setup import create_channel
from channels_adapters.types import RawRequest
from conversations.models import Attachment, Customer, Identity, Message, RawInboundEvent
from tests.fake_http import ScriptedResponse

from ..providers import (
    ACCOUNT_SID,
    CUSTOMER,
    FORM,
    SIGNATURES,
    fixture,
    post,
    post_twilio,
    twilio_config,
    twilio_form,
    twilio_headers,
)

EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@pytest.fixture
def public_url(settings):
    # Twilio calls the public URL (a proxy in front of us); the live server sees 127.0.0.1.
    settings.PUBLIC_BASE_URL = "https://inbox.example.com"


@pytest.fixture
def whatsapp(db, team, fake_http, public_url):
    return create_channel("twilio_whatsapp", "WhatsApp Loja", twilio_config(fake_http.url), team=team)


@pytest.fixture
def sms(db, team, fake_http, public_url):
    return create_channel("twilio_sms", "SMS Loja", twilio_config(fake_http.url), team=team)


@pytest.mark.parametrize("name", sorted(SIGNATURES["twilio"]["fixtures"]))
def test_the_documented_signature_vectors_verify(whatsapp, name):
    vector = SIGNATURES["twilio"]["fixtures"][name]
    url = urlsplit(vector["url"])
    request = RawRequest(body=fixture(name), headers={"X-Twilio-Signature": vector["X-Twilio-Signature"]},
                         content_type=FORM, path=url.path, query_string=url.query)
    adapter_for(whatsapp).verify(request)

    tampered = RawRequest(body=fixture(name).replace(b"AccountSid=AC0", b"AccountSid=AC1"), headers=request.headers,
                          content_type=FORM, path=url.path, query_string=url.query)
    with pytest.raises(SignatureError):
        adapter_for(whatsapp).verify(tampered)
    elsewhere = RawRequest(body=request.body, headers=request.headers, content_type=FORM, path="/webhooks/other/")
    with pytest.raises(SignatureError):
        adapter_for(whatsapp).verify(elsewhere)


def test_a_signed_sms_is_accepted_with_empty_twiml_and_decoded(live_server_url, sms):
    response = post_twilio(live_server_url, sms, fixture("twilio_sms_inbound.txt"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml") and response.content == EMPTY_TWIML
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.text == "Olá! My order #1234 hasn't arrived yet & I'm worried (tracking: BR+123)."
    assert message.external_id == "SM00000000000000000000000000000001"
    assert (message.identity.kind, message.identity.address) == ("phone", CUSTOMER)
    assert message.channel == sms


def test_a_signed_whatsapp_message_fills_the_profile_name(live_server_url, whatsapp):
    assert post_twilio(live_server_url, whatsapp, fixture("twilio_whatsapp_inbound.txt")).status_code == 200
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.text == "Oi, preciso de ajuda com a minha fatura 🙏"
    assert message.identity.address == CUSTOMER
    assert message.conversation.customer.name == "Maria Teste"


@pytest.mark.parametrize("headers", [
    {"Content-Type": FORM},
    {"Content-Type": FORM, "X-Twilio-Signature": "bXMVyzBw0bfkRyicnX/vU3uiNek="},  # valid, for another URL
    {"Content-Type": FORM, "X-Twilio-Signature": "not-base64-at-all"},
])
def test_a_forged_or_missing_signature_is_403_and_stores_nothing(live_server_url, sms, headers):
    response = post(live_server_url, sms, fixture("twilio_sms_inbound.txt"), headers)
    assert response.status_code == 403
    assert not RawInboundEvent.objects.exists() and not Message.objects.exists()


def test_a_signature_made_with_another_auth_token_is_refused(live_server_url, sms):
    body = fixture("twilio_sms_inbound.txt")
    response = post(live_server_url, sms, body, twilio_headers(sms, body, token="another-auth-token"))
    assert response.status_code == 403
    assert not RawInboundEvent.objects.exists()


def test_the_signature_follows_the_public_url_not_the_host_we_see(live_server_url, sms, settings):
    body = fixture("twilio_sms_inbound.txt")
    headers = twilio_headers(sms, body)  # signed for https://inbox.example.com
    settings.PUBLIC_BASE_URL = live_server_url  # a deployment that forgot its proxy
    assert post(live_server_url, sms, body, headers).status_code == 403


def test_another_account_is_refused_with_400(live_server_url, sms):
    body = twilio_form(MessageSid="SM" + "1" * 32, From=CUSTOMER, Body="hi", AccountSid="AC" + "9" * 32)
    response = post_twilio(live_server_url, sms, body)
    assert response.status_code == 400 and "AccountSid" in response.json()["error"]
    assert not RawInboundEvent.objects.exists()


def test_a_duplicate_delivery_is_stored_once(live_server_url, whatsapp):
    body = fixture("twilio_whatsapp_inbound.txt")
    assert post_twilio(live_server_url, whatsapp, body).status_code == 200
    assert post_twilio(live_server_url, whatsapp, body).status_code == 200
    assert RawInboundEvent.objects.count() == 2
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1


def test_a_location_and_an_unknown_type_become_readable_text(live_server_url, whatsapp):
    location = twilio_form(MessageSid="SM" + "2" * 32, From=f"whatsapp:{CUSTOMER}", To="whatsapp:+15005550006",
                           NumMedia="0", MessageType="location", Latitude="-23.5505", Longitude="-46.6333",
                           Address="Av. Paulista, 1000", Label="Loja Paulista", Body="")
    odd = twilio_form(MessageSid="SM" + "3" * 32, From=f"whatsapp:{CUSTOMER}", NumMedia="0", MessageType="poll",
                      Body="")
    for body in (location, odd):
        assert post_twilio(live_server_url, whatsapp, body).status_code == 200
    first, second = Message.objects.filter(direction=Message.Direction.INBOUND).order_by("id")
    assert first.text.startswith("📍 Location: Loja Paulista, Av. Paulista, 1000") and "-23.5505" in first.text
    assert first.metadata["location"]["longitude"] == "-46.6333"
    assert second.text == "[WhatsApp message of type poll that OmniDesk cannot show]"


def test_media_is_fetched_from_twilio_with_basic_auth_through_its_redirect(live_server_url, whatsapp, fake_http):
    media_path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'0' * 31}3/Media/ME{'0' * 31}3"
    fake_http.routes[media_path] = ScriptedResponse(307, headers={"Location": "/cdn/photo-0003.jpg"})
    fake_http.routes["/cdn/photo-0003.jpg"] = ScriptedResponse(200, b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    body = twilio_form(MessageSid=f"MM{'0' * 31}3", From=f"whatsapp:{CUSTOMER}", NumMedia="1", MessageType="image",
                       MediaUrl0=fake_http.url + media_path, MediaContentType0="image/jpeg",
                       Body="Foto do produto danificado", ProfileName="Maria Teste")
    assert post_twilio(live_server_url, whatsapp, body).status_code == 200

    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.text == "Foto do produto danificado"
    attachment = message.attachments.get()
    assert attachment.file.read() == b"\xff\xd8\xff fake jpeg"
    assert (attachment.content_type, attachment.filename, attachment.fetch_error) == ("image/jpeg", "photo-0003.jpg", "")
    first = fake_http.requests[0]
    assert first.path == media_path and first.headers["Authorization"].startswith("Basic ")


def test_media_on_a_host_that_is_not_twilio_is_never_fetched(live_server_url, whatsapp, fake_http):
    body = twilio_form(MessageSid=f"MM{'0' * 31}4", From=f"whatsapp:{CUSTOMER}", NumMedia="1",
                       MediaUrl0="http://169.254.169.254/latest/meta-data/", MediaContentType0="image/jpeg")
    assert post_twilio(live_server_url, whatsapp, body).status_code == 200
    attachment = Attachment.objects.get()
    assert not attachment.file and "not one of the provider's hosts" in attachment.fetch_error
    assert fake_http.requests == []


def test_the_fixture_with_media_is_parsed_into_a_referenced_attachment(whatsapp):
    request = RawRequest(body=fixture("twilio_whatsapp_media_inbound.txt"), headers={}, content_type=FORM)
    (message,) = adapter_for(whatsapp).parse(request)
    assert message.external_id == "MM00000000000000000000000000000003"
    assert message.text == "Foto do produto danificado" and message.sender.name == "Maria Teste"
    (attachment,) = message.attachments
    assert attachment.url.startswith("https://api.twilio.com/2010-04-01/Accounts/")
    assert attachment.content_type == "image/jpeg" and attachment.content is None


def test_sms_and_whatsapp_from_one_phone_are_one_customer(live_server_url, sms, whatsapp):
    assert post_twilio(live_server_url, sms, fixture("twilio_sms_inbound.txt")).status_code == 200
    assert post_twilio(live_server_url, whatsapp, fixture("twilio_whatsapp_inbound.txt")).status_code == 200
    assert Customer.objects.count() == Identity.objects.count() == 1
    assert {m.conversation_id for m in Message.objects.filter(direction=Message.Direction.INBOUND)} == {
        Customer.objects.get().conversation.pk}
