"""The reply window through the API: refused with the reason, templates, reply-channels, uploads."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.models import Message

TEMPLATE = {"name": "order_update", "language": "pt_BR", "variables": ["1"], "body": "Olá {{1}}, novidades do pedido.",
            "content_sid": "HX" + "a" * 32}


@pytest.fixture
def whatsapp(db, team):
    return create_channel("twilio_whatsapp", "WhatsApp Loja", {
        "account_sid": "AC" + "0" * 32, "auth_token": "token", "from_number": "+15005550006",
        "api_base_url": "http://127.0.0.1:9", "templates": [TEMPLATE]}, team=team)


@pytest.fixture
def admin(admin_user, client_for):
    return client_for(admin_user)


def conversation_written(channel, hours_ago):
    inbound = InboundMessage("in-1", Sender("phone", "+5511999990001", "Maria"), "Oi",
                             sent_at=timezone.now() - timedelta(hours=hours_ago))
    return ingest_message(channel, inbound).message.conversation


def messages_url(conversation):
    return f"/api/v1/conversations/{conversation.pk}/messages/"


def test_inside_the_window_a_free_form_reply_is_accepted(admin, whatsapp):
    conversation = conversation_written(whatsapp, 23.9)
    response = admin.post(messages_url(conversation), {"text": "Olá!"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "queued"


def test_outside_the_window_the_api_explains_and_a_template_goes(admin, whatsapp):
    conversation = conversation_written(whatsapp, 24.1)
    refused = admin.post(messages_url(conversation), {"text": "Olá!"}, format="json")
    assert refused.status_code == 400
    (reason,) = refused.json()["template"]
    assert "only allows free-form replies within 24 hours" in reason and "order_update" in reason
    assert not Message.objects.filter(direction="outbound").exists()

    sent = admin.post(messages_url(conversation), {"template": {"name": "order_update", "variables": {"1": "Maria"}}},
                      format="json")
    assert sent.status_code == 201, sent.content
    assert sent.json()["text"] == "Olá Maria, novidades do pedido."


def test_reply_channels_tell_the_client_what_it_can_send(admin, whatsapp):
    conversation = conversation_written(whatsapp, 25)
    (entry,) = admin.get(f"/api/v1/conversations/{conversation.pk}/reply-channels/").json()
    assert entry["channel"]["id"] == str(whatsapp.pk) and entry["can_reply"] is False
    assert "approved templates" in entry["reason"]
    assert entry["window"]["state"] == "closed" and entry["window"]["hours"] == 24
    assert entry["templates"] == [{"name": "order_update", "language": "pt_BR", "variables": ["1"],
                                   "body": "Olá {{1}}, novidades do pedido."}]


def test_a_reply_needs_a_text_a_template_or_a_file(admin, whatsapp):
    conversation = conversation_written(whatsapp, 1)
    response = admin.post(messages_url(conversation), {"text": "  "}, format="json")
    assert response.status_code == 400 and "text" in response.json()


def test_files_are_uploaded_as_multipart(admin, whatsapp):
    conversation = conversation_written(whatsapp, 1)
    photo = SimpleUploadedFile("foto.jpg", b"\xff\xd8jpeg", content_type="image/jpeg")
    response = admin.post(messages_url(conversation), {"text": "Veja", "attachments": [photo]}, format="multipart")
    assert response.status_code == 201, response.content
    (attachment,) = response.json()["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == ("foto.jpg", "image/jpeg", 6)


def test_a_channel_shows_its_templates_but_never_its_token(admin, whatsapp):
    config = admin.get(f"/api/v1/channels/{whatsapp.pk}/").json()["config"]
    assert "auth_token" not in config and config["templates"] == [TEMPLATE]
