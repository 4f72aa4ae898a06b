"""Visitor A's token never reads visitor B's conversation nor downloads B's files (HTTP and websocket)."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from channels_adapters.webchat import tokens, visitors
from channels_adapters.webchat.payloads import FILE_SALT
from conversations.models import Attachment, ConversationCycle, Message
from omnidesk.asgi import application

from .conftest import SHOP_ORIGIN, visitor_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def upload(client, channel, token, client_id):
    return client.post(f"/webchat/{channel.pk}/upload/", {"token": token, "client_id": client_id,
                                                         "file": SimpleUploadedFile("b.png", PNG, "image/png")},
                       HTTP_ORIGIN=SHOP_ORIGIN)


@pytest.fixture
def two_visitors(webchat, client):
    widget = visitors.webchat_channel(webchat.pk)
    token_a, token_b = visitor_token(webchat), visitor_token(webchat)
    visitors.accept_message(widget, tokens.load(token_a, webchat.pk), {"client_id": "client-a001", "text": "A here"})
    visitors.accept_message(widget, tokens.load(token_b, webchat.pk), {"client_id": "client-b001", "text": "B secret"})
    b_file = upload(client, webchat, token_b, "client-b002").json()["message"]
    return widget, token_a, token_b, b_file


def test_a_sees_only_its_own_messages(two_visitors, webchat):
    widget, token_a, _token_b, _b_file = two_visitors
    texts = [m["text"] for m in visitors.catch_up(widget, tokens.load(token_a, webchat.pk), None)["messages"]]
    assert texts == ["A here"]
    assert all(m["attachments"] == [] for m in visitors.catch_up(widget, tokens.load(token_a, webchat.pk),
                                                                   None)["messages"])


def test_a_cannot_forge_a_link_to_bs_file(two_visitors, client, webchat):
    _widget, token_a, _token_b, b_file = two_visitors
    b_attachment = Attachment.objects.get(message_id=b_file["id"])
    assert client.get(b_file["attachments"][0]["url"]).status_code == 200  # B's own link works for B
    a_file = upload(client, webchat, token_a, "client-a002").json()["message"]
    a_link = a_file["attachments"][0]["url"]
    token = a_link.rstrip("/").rsplit("/", 1)[-1]
    data = signing.loads(token, salt=FILE_SALT)
    tampered = signing.dumps({**data, "a": b_attachment.pk}, salt="not-the-salt")
    assert client.get(f"/webchat/files/{tampered}/").status_code == 404
    assert client.get(a_link.replace(token, token[:-2] + "xx")).status_code == 404


def test_a_cannot_rate_or_mark_read_in_bs_conversation(two_visitors, webchat):
    widget, token_a, token_b, _b_file = two_visitors
    b_conversation = Message.objects.get(text="B secret").conversation
    cycle = ConversationCycle.objects.get(conversation=b_conversation)
    with pytest.raises(visitors.Refused):
        visitors.rate(widget, tokens.load(token_a, webchat.pk), cycle.pk, 1, "bad")
    assert visitors.mark_read(widget, tokens.load(token_a, webchat.pk), 10 ** 9) == 0


def test_a_forged_token_for_bs_visitor_id_is_refused(two_visitors, webchat):
    _widget, _token_a, token_b, _b_file = two_visitors
    b_visitor = tokens.load(token_b, webchat.pk).visitor_id
    forged = signing.dumps({"c": str(webchat.pk), "v": b_visitor}, salt="wrong-salt", compress=True)
    with pytest.raises(tokens.InvalidToken):
        tokens.load(forged, webchat.pk)


@pytest.mark.django_db(transaction=True)
async def test_as_socket_hears_nothing_of_b(make_webchat_channel):
    from channels.layers import channel_layers

    channel_layers.backends.pop("default", None)
    webchat = await sync_to_async(make_webchat_channel)()
    widget = await sync_to_async(visitors.webchat_channel)(webchat.pk)
    token_a, token_b = await sync_to_async(visitor_token)(webchat), await sync_to_async(visitor_token)(webchat)
    communicator = WebsocketCommunicator(application, f"/ws/webchat/{webchat.pk}/",
                                         headers=[(b"origin", SHOP_ORIGIN.encode())])
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": token_a})
    assert (await communicator.receive_json_from())["type"] == "ready"
    assert (await communicator.receive_json_from())["messages"] == []
    await sync_to_async(visitors.accept_message)(widget, tokens.load(token_b, webchat.pk),
                                                 {"client_id": "client-b001", "text": "B secret"})
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()
    channel_layers.backends.pop("default", None)
