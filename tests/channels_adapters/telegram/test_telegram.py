"""Telegram bots: setWebhook on creation, the secret token header, updates over HTTP, files, sending."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from channels_adapters.setup import create_channel, public_config
from conversations.actions.replies import send_reply
from conversations.models import Conversation, Message, RawInboundEvent
from tests.fake_http import ScriptedResponse

from ..providers import TELEGRAM_SECRET, fixture, post, post_telegram, telegram_headers, webhook_path

pytestmark = pytest.mark.django_db(transaction=True)
BOT_TOKEN = "123456789:AAFakeTelegramBotToken_0123456789abc"
BOT = f"/bot{BOT_TOKEN}"


def ok(result):
    return ScriptedResponse(200, {"ok": True, "result": result})


def telegram_error(code, description, **parameters):
    return ScriptedResponse(code, {"ok": False, "error_code": code, "description": description,
                                   **({"parameters": parameters} if parameters else {})})


@pytest.fixture
def channel(team, fake_http):
    fake_http.respond(ok(True))
    return create_channel("telegram", "Bot da loja", {"bot_token": BOT_TOKEN, "secret_token": TELEGRAM_SECRET,
                                                      "api_base_url": fake_http.url}, team=team)


@pytest.fixture
def conversation(live_server_url, channel, fake_http):
    assert post_telegram(live_server_url, channel, fixture("telegram_text_update.json")).status_code == 200
    fake_http.requests.clear()
    return Conversation.objects.get()


def test_creating_the_channel_registers_the_webhook_with_the_secret(channel, fake_http, settings):
    (request,) = fake_http.requests
    assert request.path == f"{BOT}/setWebhook"
    assert request.json() == {"url": settings.PUBLIC_BASE_URL + webhook_path(channel), "secret_token": TELEGRAM_SECRET,
                              "allowed_updates": ["message", "edited_message", "message_reaction"]}


def test_a_secret_token_is_made_up_when_none_is_given_and_never_shown(team, fake_http):
    fake_http.respond(ok(True))
    channel = create_channel("telegram", "Bot", {"bot_token": BOT_TOKEN, "api_base_url": fake_http.url}, team=team)
    secret = channel.config["secret_token"]
    assert len(secret) >= 32 and fake_http.requests[0].json()["secret_token"] == secret
    assert set(public_config(channel)) == {"api_base_url"}


def test_a_refused_registration_keeps_the_channel_and_says_why(team, fake_http, caplog):
    fake_http.respond(telegram_error(401, "Unauthorized"))
    channel = create_channel("telegram", "Bot", {"bot_token": BOT_TOKEN, "api_base_url": fake_http.url}, team=team)
    assert channel.pk and "Telegram refused setWebhook: Unauthorized" in caplog.text


def test_the_text_update_is_one_message_with_the_senders_name(conversation, channel):
    message = Message.objects.get()
    assert message.text == "Olá! Preciso trocar o tamanho do meu tênis."
    assert (message.identity.kind, message.identity.address, message.external_id) == (
        "telegram", "5000000001", "5000000001:101")
    assert conversation.customer.name == "Maria Teste"


@pytest.mark.parametrize("headers", [{"Content-Type": "application/json"}, telegram_headers("a-guessed-secret")])
def test_a_missing_or_wrong_secret_is_403_and_stores_nothing(live_server_url, channel, headers):
    response = post(live_server_url, channel, fixture("telegram_text_update.json"), headers)
    assert response.status_code == 403
    assert not RawInboundEvent.objects.exists() and not Message.objects.exists()


def test_a_repeated_update_is_stored_once(live_server_url, channel, conversation):
    assert post_telegram(live_server_url, channel, fixture("telegram_text_update.json")).status_code == 200
    assert Message.objects.count() == 1


def test_an_edit_is_kept_as_its_own_message(live_server_url, channel, conversation):
    update = json.loads(fixture("telegram_text_update.json"))
    edited = {"update_id": 900000003, "edited_message": {**update["message"], "text": "Tamanho 40", "edit_date": 1768221600}}
    assert post_telegram(live_server_url, channel, edited).status_code == 200
    assert list(Message.objects.values_list("text", flat=True)) == [
        "Olá! Preciso trocar o tamanho do meu tênis.", "(edited) Tamanho 40"]


def test_the_largest_photo_is_fetched_with_get_file(live_server_url, channel, fake_http):
    fake_http.requests.clear()
    fake_http.routes[f"{BOT}/getFile"] = ok({"file_id": "AgACAgEAAxkBAAFAKE_LARGE_0001",
                                             "file_path": "photos/file_7.jpg"})
    fake_http.routes[f"/file{BOT}/photos/file_7.jpg"] = ScriptedResponse(200, b"jpeg", content_type="image/jpeg")
    assert post_telegram(live_server_url, channel, fixture("telegram_photo_update.json")).status_code == 200
    message = Message.objects.get()
    assert message.text == "Etiqueta do produto"
    attachment = message.attachments.get()
    assert attachment.file.read() == b"jpeg" and attachment.filename == "file_7.jpg"
    assert fake_http.requests[0].json() == {"file_id": "AgACAgEAAxkBAAFAKE_LARGE_0001"}


def test_a_file_telegram_serves_as_octet_stream_keeps_its_declared_type(live_server_url, channel, fake_http):
    fake_http.routes[f"{BOT}/getFile"] = ok({"file_id": "doc", "file_path": "documents/file_8"})
    fake_http.routes[f"/file{BOT}/documents/file_8"] = ScriptedResponse(200, b"%PDF",
                                                                         content_type="application/octet-stream")
    update = {"update_id": 900000009, "message": {"message_id": 109, "date": 1768221600,
              "chat": {"id": 5000000001, "type": "private", "first_name": "Maria"},
              "document": {"file_id": "doc", "file_unique_id": "u", "file_name": "pedido.pdf",
                           "mime_type": "application/pdf", "file_size": 4}}}
    assert post_telegram(live_server_url, channel, update).status_code == 200
    attachment = Message.objects.get().attachments.get()
    assert (attachment.filename, attachment.content_type, attachment.file.read()) == (
        "pedido.pdf", "application/pdf", b"%PDF")


def test_location_and_contact_become_readable(live_server_url, channel):
    base = {"date": 1768221600, "chat": {"id": 5000000001, "type": "private", "first_name": "Maria"}}
    updates = [
        {"update_id": 1, "message": {**base, "message_id": 201, "location": {"latitude": -22.9, "longitude": -47.06}}},
        {"update_id": 2, "message": {**base, "message_id": 202,
                                     "contact": {"phone_number": "+5511999990001", "first_name": "Ana"}}},
        {"update_id": 3, "message": {**base, "message_id": 203, "poll": {"id": "1", "question": "?"}}},
    ]
    for update in updates:
        assert post_telegram(live_server_url, channel, update).status_code == 200
    texts = list(Message.objects.order_by("id").values_list("text", flat=True))
    assert texts[0].startswith("📍 Location: -22.9, -47.06")
    assert texts[1] == "👤 Contact: Ana — +5511999990001"
    assert texts[2] == "[Telegram message of type poll that OmniDesk cannot show]"


def test_a_reply_is_a_send_message_to_the_chat(conversation, fake_http, admin_user):
    fake_http.respond(ok({"message_id": 102, "chat": {"id": 5000000001}, "date": 1768221600, "text": "Claro!"}))
    message = send_reply(conversation, admin_user, "Claro!")
    message.refresh_from_db()
    assert (message.status, message.external_id) == ("sent", "5000000001:102")
    (request,) = fake_http.requests
    assert request.path == f"{BOT}/sendMessage" and request.json() == {"chat_id": "5000000001", "text": "Claro!"}


def test_an_attachment_is_uploaded_with_its_caption(conversation, fake_http, admin_user):
    fake_http.respond(ok({"message_id": 103, "chat": {"id": 5000000001}, "date": 1768221600}))
    upload = SimpleUploadedFile("etiqueta.png", b"\x89PNG fake", content_type="image/png")
    send_reply(conversation, admin_user, "Aqui está", attachments=[upload])
    (request,) = fake_http.requests
    assert request.path == f"{BOT}/sendPhoto"
    assert request.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="caption"\r\n\r\nAqui est\xc3\xa1' in request.body and b"\x89PNG fake" in request.body


@pytest.mark.parametrize("responses, status, attempts, reason", [
    ([telegram_error(429, "Too Many Requests: retry after 1", retry_after=1), ok({"message_id": 1,
      "chat": {"id": 5000000001}})], "sent", 2, ""),
    ([telegram_error(502, "Bad Gateway"), ok({"message_id": 1, "chat": {"id": 5000000001}})], "sent", 2, ""),
    ([telegram_error(403, "Forbidden: bot was blocked by the user")], "failed", 1, "Blocked"),
    ([telegram_error(400, "Bad Request: chat not found")], "failed", 1, "Invalid number or recipient"),
])
def test_errors_are_retried_or_explained(conversation, fake_http, admin_user, responses, status, attempts, reason):
    fake_http.respond(*responses)
    message = send_reply(conversation, admin_user, "Oi")
    message.refresh_from_db()
    assert (message.status, message.delivery_attempts) == (status, attempts)
    assert message.failure_reason.startswith(reason)


def test_there_is_no_reply_window(conversation, fake_http, admin_user):
    Message.objects.update(sent_at="2020-01-01T00:00:00Z", created_at="2020-01-01T00:00:00Z")
    fake_http.respond(ok({"message_id": 104, "chat": {"id": 5000000001}}))
    message = send_reply(conversation, admin_user, "Ainda precisa de ajuda?")
    message.refresh_from_db()
    assert message.status == "sent"


def test_the_webhook_can_be_registered_again_by_command(channel, fake_http):
    fake_http.respond(telegram_error(401, "Unauthorized"))
    with pytest.raises(CommandError, match="Telegram refused setWebhook: Unauthorized"):
        call_command("register_webhook", str(channel.pk))
    fake_http.respond(ok(True))
    call_command("register_webhook", str(channel.pk))
    assert [r.path for r in fake_http.requests] == [f"{BOT}/setWebhook"] * 3
