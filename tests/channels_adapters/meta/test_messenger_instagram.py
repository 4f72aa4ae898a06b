"""Messenger and Instagram: inbound fixtures over HTTP, watermark receipts, the Send API, the human-agent tag."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from channels_adapters.setup import create_channel
from conversations.actions.assignment import update_conversation
from conversations.actions.errors import ActionError
from conversations.actions.replies import send_reply
from conversations.models import Conversation, Message
from tests.fake_http import ScriptedResponse

from ..providers import META_SECRET, fixture, post_meta

pytestmark = pytest.mark.django_db(transaction=True)
PAGE_ID = "100000000000010"
USERS = {"messenger": "2000000000000001", "instagram": "3000000000000001"}
FIXTURES = {"messenger": "messenger_text.json", "instagram": "instagram_text.json"}
OBJECTS = {"messenger": "page", "instagram": "instagram"}


@pytest.fixture(params=["messenger", "instagram"])
def kind(request):
    return request.param


@pytest.fixture
def channel(kind, team, fake_http):
    return create_channel(kind, kind.title(), {"page_id": PAGE_ID, "page_access_token": "page-token",
                                               "app_secret": META_SECRET, "api_base_url": fake_http.url}, team=team)


@pytest.fixture
def conversation(live_server_url, channel, kind):
    assert post_meta(live_server_url, channel, fixture(FIXTURES[kind])).status_code == 200
    Message.objects.update(sent_at=timezone.now())  # the window counts from the customer's message: "just now"
    return Conversation.objects.get()


def events(kind, *messaging):
    entry_id = PAGE_ID if kind == "messenger" else "17841400000000001"
    return {"object": OBJECTS[kind], "entry": [{"id": entry_id, "time": 1768221300123, "messaging": list(messaging)}]}


def from_user(kind, **event):
    return {"sender": {"id": USERS[kind]}, "recipient": {"id": PAGE_ID}, "timestamp": 1768221299876, **event}


def sent(mid):
    return ScriptedResponse(200, {"recipient_id": "2000000000000001", "message_id": mid})


def test_the_fixture_is_one_message_from_a_page_scoped_identity(conversation, kind):
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert (message.identity.kind, message.identity.address) == (kind, USERS[kind])
    expected = {"messenger": "Hi! Is the store open on Sunday? 🙂", "instagram": "Vocês entregam em Campinas?"}
    assert message.text == expected[kind]


def test_a_duplicate_is_stored_once(live_server_url, channel, kind, conversation):
    assert post_meta(live_server_url, channel, fixture(FIXTURES[kind])).status_code == 200
    assert Message.objects.count() == 1


def test_echoes_of_what_the_page_sent_are_not_customer_messages(live_server_url, channel, kind):
    echo = events(kind, from_user(kind, message={"mid": "m_echo", "is_echo": True, "text": "from the page"}))
    assert post_meta(live_server_url, channel, echo).status_code == 200
    assert not Message.objects.exists()


def test_attachments_are_fetched_from_the_cdn_link_without_the_token(live_server_url, channel, kind, fake_http):
    fake_http.routes["/cdn/photo.png"] = ScriptedResponse(200, b"png!", content_type="image/png")
    body = events(kind, from_user(kind, message={"mid": "m_photo", "attachments": [
        {"type": "image", "payload": {"url": fake_http.url + "/cdn/photo.png"}},
        {"type": "fallback", "payload": {"url": "https://example.com/item/1"}, "title": "Item"},
    ]}))
    assert post_meta(live_server_url, channel, body).status_code == 200
    message = Message.objects.get()
    assert message.attachments.get().file.read() == b"png!"
    assert "https://example.com/item/1" in message.text
    assert "Authorization" not in fake_http.requests[0].headers


def test_a_reply_uses_the_send_api_and_tags_human_agents_after_24_hours(conversation, channel, kind, fake_http,
                                                                       admin_user):
    fake_http.respond(sent("m_reply_1"))
    message = send_reply(conversation, admin_user, "Yes, 10 to 18h.")
    message.refresh_from_db()
    assert (message.status, message.external_id) == ("sent", "m_reply_1")
    request = fake_http.requests[-1]
    assert request.path == f"/v22.0/{PAGE_ID}/messages" and request.headers["Authorization"] == "Bearer page-token"
    assert request.json() == {"recipient": {"id": USERS[kind]}, "messaging_type": "RESPONSE",
                              "message": {"text": "Yes, 10 to 18h."}}

    Message.objects.filter(direction=Message.Direction.INBOUND).update(
        sent_at=timezone.now() - timedelta(days=3))
    send_reply(conversation, admin_user, "Following up as promised.")
    tagged = fake_http.requests[-1].json()
    assert (tagged["messaging_type"], tagged["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")

    Message.objects.filter(direction=Message.Direction.INBOUND).update(
        sent_at=timezone.now() - timedelta(days=7, minutes=1))
    with pytest.raises(ActionError) as refused:
        send_reply(conversation, admin_user, "Anyone there?")
    assert "7 days" in refused.value.message and refused.value.field == "channel"


def test_an_attachment_goes_first_then_the_text(conversation, kind, fake_http, admin_user):
    fake_http.respond(sent("m_file"), sent("m_text"))
    upload = SimpleUploadedFile("menu.pdf", b"%PDF", content_type="application/pdf")
    message = send_reply(conversation, admin_user, "Our menu", attachments=[upload])
    message.refresh_from_db()
    first, second = (r.json()["message"] for r in fake_http.requests)
    assert first["attachment"]["type"] == "file" and "/outbound-media/" in first["attachment"]["payload"]["url"]
    assert second == {"text": "Our menu"}
    assert message.external_id == "m_text"


@pytest.mark.parametrize("error, status, expected", [
    ({"code": 551, "error_subcode": 1545041, "message": "This person isn't available right now."}, 400, "Blocked"),
    ({"code": 10, "error_subcode": 2018278, "message": "outside of allowed window"}, 400, "Reply window closed"),
    ({"code": 100, "error_subcode": 2018001, "message": "No matching user found"}, 400, "Invalid number or recipient"),
])
def test_send_errors_are_explained(conversation, fake_http, admin_user, error, status, expected):
    fake_http.respond(ScriptedResponse(status, {"error": {**error, "type": "OAuthException"}}))
    message = send_reply(conversation, admin_user, "Hello")
    message.refresh_from_db()
    assert message.status == "failed" and message.failure_reason.startswith(expected)
    assert len(fake_http.requests) == 1


def test_rate_limits_are_retried(conversation, fake_http, admin_user):
    fake_http.respond(ScriptedResponse(400, {"error": {"code": 613, "message": "Calls limit"}}), sent("m_later"))
    message = send_reply(conversation, admin_user, "Hello")
    message.refresh_from_db()
    assert (message.status, message.delivery_attempts) == ("sent", 2)


def test_watermarks_mark_what_was_sent_before_them_and_never_go_back(live_server_url, conversation, channel, kind,
                                                                    fake_http, admin_user):
    fake_http.respond(sent("m_reply_1"))
    message = send_reply(conversation, admin_user, "Hello")
    message.refresh_from_db()
    later_ms = int((message.sent_at + timedelta(seconds=1)).timestamp() * 1000)
    read = events(kind, from_user(kind, read={"watermark": later_ms}))
    delivered = events(kind, from_user(kind, delivery={"mids": ["m_reply_1", "m_not_ours"], "watermark": later_ms}))
    for body in (read, delivered):
        assert post_meta(live_server_url, channel, body).status_code == 200
    message.refresh_from_db()
    assert message.status == "read"


def test_a_watermark_before_a_message_leaves_it_alone(live_server_url, conversation, channel, kind, fake_http,
                                                     admin_user):
    fake_http.respond(sent("m_reply_1"))
    message = send_reply(conversation, admin_user, "Hello")
    message.refresh_from_db()
    earlier_ms = int((message.sent_at - timedelta(minutes=5)).timestamp() * 1000)
    assert post_meta(live_server_url, channel, events(kind, from_user(kind, read={"watermark": earlier_ms}))
                     ).status_code == 200
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_reaction_is_shown_but_does_not_reopen(live_server_url, channel, kind, conversation, admin_user):
    update_conversation(conversation, admin_user, status="resolved")
    reaction = events(kind, from_user(kind, reaction={"mid": "m_reply_1", "action": "react", "emoji": "❤"}))
    assert post_meta(live_server_url, channel, reaction).status_code == 200
    conversation.refresh_from_db()
    assert conversation.status == "resolved"
    assert Message.objects.filter(text="Reacted ❤ to a message").exists()


@pytest.mark.parametrize("kind, config, fixture_name", [
    ("messenger", {}, "messenger_text.json"),  # the entry is another page
    ("instagram", {"instagram_account_id": "17841400000000999"}, "instagram_text.json"),  # another IG account
])
def test_other_accounts_of_the_same_app_are_not_ours(live_server_url, team, kind, config, fixture_name):
    other = create_channel(kind, "Other", {"page_id": "100000000000099", "page_access_token": "t",
                                           "app_secret": META_SECRET, **config}, team=team)
    assert post_meta(live_server_url, other, fixture(fixture_name)).status_code == 200
    assert not Message.objects.exists()
