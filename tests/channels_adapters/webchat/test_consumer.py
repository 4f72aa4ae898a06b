"""The widget websocket through the real ASGI application (routing, Origin check, consumer)."""
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations import events, fanout
from conversations.actions.assignment import update_conversation
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import add_note, send_reply
from conversations.models import Conversation, CsatRating, Message, Touchpoint
from omnidesk.asgi import application

from .conftest import SHOP_ORIGIN, verified_token, visitor_token

pytestmark = pytest.mark.django_db(transaction=True)


async def widget(channel, origin=SHOP_ORIGIN):
    communicator = WebsocketCommunicator(application, f"/ws/webchat/{channel.pk}/",
                                         headers=[(b"origin", origin.encode())])
    connected, _ = await communicator.connect()
    return communicator, connected


async def hello(channel, token, after=None):
    communicator, connected = await widget(channel)
    assert connected
    await communicator.send_json_to({"type": "hello", "token": token, "after": after})
    ready = await communicator.receive_json_from()
    history = await communicator.receive_json_from()
    assert ready["type"] == "ready" and history["type"] == "history"
    return communicator, history["messages"]


async def say(communicator, client_id, text, **extra):
    await communicator.send_json_to({"type": "message", "client_id": client_id, "text": text, **extra})
    return await communicator.receive_json_from()


@pytest.mark.parametrize("origin", ["https://evil.example", "https://shop.example.evil.example", ""])
async def test_a_disallowed_origin_is_refused_before_the_handshake(webchat, origin):
    communicator, connected = await widget(webchat, origin=origin)
    assert not connected


async def test_an_unknown_or_inactive_channel_is_refused(webchat, make_webchat_channel):
    other = await sync_to_async(make_webchat_channel)("Old chat")
    other.active = False
    await sync_to_async(other.save)()
    communicator, connected = await widget(other)
    assert not connected


async def test_nothing_happens_before_hello_and_a_forged_token_closes(webchat):
    communicator, _ = await widget(webchat)
    await communicator.send_json_to({"type": "message", "client_id": "abcdefgh1", "text": "hi"})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_json_to({"type": "hello", "token": "forged:token"})
    assert (await communicator.receive_json_from())["type"] == "error"
    assert (await communicator.receive_output())["type"] == "websocket.close"
    assert not await sync_to_async(Message.objects.exists)()


async def test_a_visitor_message_is_ingested_once_and_agents_hear_of_it(webchat):
    layer = get_channel_layer()
    agent_channel = await layer.new_channel()
    await layer.group_add(fanout.LIVE_GROUP, agent_channel)
    communicator, history = await hello(webchat, visitor_token(webchat, name="Ana"))
    assert history == []

    accepted = await say(communicator, "client-0001", "Where is my order?")
    assert accepted["type"] == "accepted" and accepted["client_id"] == "client-0001"
    assert accepted["message"]["text"] == "Where is my order?" and accepted["message"]["direction"] == "visitor"
    # The widget resends its outbox after a reconnect: the same client id is stored once.
    again = await say(communicator, "client-0001", "Where is my order?")
    assert again["type"] == "accepted" and again["message"]["id"] == accepted["message"]["id"]

    message = await sync_to_async(Message.objects.select_related("identity", "conversation__customer").get)()
    assert (message.identity.kind, message.identity.verified) == ("webchat", False)
    assert message.conversation.customer.name == "Ana"
    assert message.conversation.team_id == webchat.team_id
    event = await layer.receive(agent_channel)
    frames = {name: (groups, json.loads(text)["payload"]) for groups, name, text in event["tiers"]}
    readers, full = frames["message.created"]
    assert readers == [events.conversation_group(message.conversation_id)] and full["text"] == "Where is my order?"
    viewers, row = frames["conversation.created"]
    assert events.SUPERVISORS_GROUP in viewers and row["last_message_preview"] == "Where is my order?"
    await communicator.disconnect()


async def test_refusals_are_clear_and_store_nothing(webchat, settings):
    settings.WEBCHAT_RATE_LIMITS = {**settings.WEBCHAT_RATE_LIMITS, "message_visitor": (4, 60)}
    communicator, _ = await hello(webchat, visitor_token(webchat))
    too_long = await say(communicator, "client-long", "x" * 5001)
    assert too_long["type"] == "refused" and "5000" in too_long["error"] and too_long["code"] == "too_long"
    empty = await say(communicator, "client-empty", "   ")
    assert (empty["type"], empty["code"]) == ("refused", "empty_message")
    bad_id = await say(communicator, "<script>", "hi")
    assert bad_id["type"] == "refused" and "client id" in bad_id["error"]
    await communicator.send_to(text_data="x" * 40_000)
    assert (await communicator.receive_json_from())["type"] == "error"
    assert (await say(communicator, "client-0002", "one"))["type"] == "accepted"
    limited = await say(communicator, "client-0003", "three")  # the refusals above counted too
    assert limited["type"] == "refused" and "too fast" in limited["error"] and limited["code"] == "rate_limited"
    assert await sync_to_async(Message.objects.count)() == 1
    await communicator.disconnect()


async def test_agent_replies_reach_this_visitor_only_and_never_notes(webchat, admin_user):
    maria, _ = await hello(webchat, visitor_token(webchat))
    stranger, _ = await hello(webchat, visitor_token(webchat))
    await say(maria, "client-0001", "Hello")
    await say(stranger, "client-0002", "Hi there")
    conversation = await sync_to_async(Conversation.objects.get)(messages__text="Hello")

    await sync_to_async(add_note)(conversation, admin_user, "Internal: she is a VIP")
    await sync_to_async(send_reply)(conversation, admin_user, "Hi Maria, it ships today")
    frame = await maria.receive_json_from()
    assert frame["type"] == "message"
    assert frame["message"]["text"] == "Hi Maria, it ships today" and frame["message"]["author"] == "Root"
    assert await maria.receive_nothing()
    assert await stranger.receive_nothing()
    reply = await sync_to_async(Message.objects.get)(text="Hi Maria, it ships today")
    assert reply.status == Message.Status.SENT and reply.external_id == f"webchat-{reply.pk}"

    # Read receipt from the widget: the agent sees "read".
    await maria.send_json_to({"type": "read", "up_to": reply.pk})
    await maria.send_json_to({"type": "ping"})
    assert (await maria.receive_json_from())["type"] == "pong"
    await sync_to_async(reply.refresh_from_db)()
    assert reply.status == Message.Status.READ
    # Another visitor cannot mark Maria's messages read.
    await stranger.send_json_to({"type": "read", "up_to": reply.pk + 100})
    await maria.disconnect()
    await stranger.disconnect()


async def test_a_reconnect_catches_up_on_what_was_missed(webchat, admin_user):
    token = visitor_token(webchat)
    first, _ = await hello(webchat, token)
    accepted = await say(first, "client-0001", "Hello")
    await first.disconnect()
    conversation = await sync_to_async(Conversation.objects.get)()
    await sync_to_async(send_reply)(conversation, admin_user, "Sorry for the wait")
    await sync_to_async(add_note)(conversation, admin_user, "note, never shown")

    again, missed = await hello(webchat, token, after=accepted["message"]["id"])
    assert [m["text"] for m in missed] == ["Sorry for the wait"]
    reload, everything = await hello(webchat, token)
    assert [m["text"] for m in everything] == ["Hello", "Sorry for the wait"]
    assert everything[0]["client_id"] == "client-0001"
    await again.disconnect()
    await reload.disconnect()


async def test_a_verified_visitor_sees_the_history_of_every_channel(webchat, make_api_channel, team):
    whatsapp = await sync_to_async(make_api_channel)("WhatsApp", team=team)
    await sync_to_async(ingest_message)(whatsapp, InboundMessage(
        external_id="wa-1", sender=Sender(kind="phone", address="+5511999990001"), text="Order 4512 is late"))

    verified, history = await hello(webchat, verified_token(webchat, "+55 11 99999-0001"))
    assert [(m["text"], m["channel"]) for m in history] == [("Order 4512 is late", "API")]
    await say(verified, "client-0001", "Any news?")
    assert await sync_to_async(Conversation.objects.count)() == 1

    # The same phone typed into a form proves nothing: a new, empty conversation.
    claimed, history = await hello(webchat, visitor_token(webchat, phone="+5511999990001"))
    assert history == []
    await say(claimed, "client-0002", "It's me, show me my order")
    assert await sync_to_async(Conversation.objects.count)() == 2
    await verified.disconnect()
    await claimed.disconnect()


async def resolved_chat(channel, agent):
    """A visitor who wrote, and the CSAT question its widget got when the agent resolved."""
    communicator, _ = await hello(channel, visitor_token(channel))
    await say(communicator, "client-0001", "Thanks, solved")
    conversation = await sync_to_async(Conversation.objects.get)()
    await sync_to_async(update_conversation)(conversation, agent, status=Conversation.Status.RESOLVED)
    return communicator, await communicator.receive_json_from()


async def test_resolving_asks_the_visitor_for_a_rating(webchat, admin_user):
    communicator, question = await resolved_chat(webchat, admin_user)
    assert question["type"] == "csat"

    await communicator.send_json_to({"type": "csat", "cycle": question["cycle"], "rating": 9, "comment": ""})
    assert (await communicator.receive_json_from())["type"] == "refused"
    await communicator.send_json_to({"type": "csat", "cycle": question["cycle"], "rating": 5, "comment": "Fast!"})
    assert (await communicator.receive_json_from())["type"] == "csat_thanks"
    rating = await sync_to_async(CsatRating.objects.select_related("cycle").get)()
    assert (rating.rating, rating.comment, rating.cycle_id) == (5, "Fast!", question["cycle"])
    await communicator.disconnect()


async def test_a_visitor_cannot_rate_another_conversation(webchat, admin_user):
    owner, question = await resolved_chat(webchat, admin_user)
    cycle = question["cycle"]
    other, _ = await hello(webchat, visitor_token(webchat))
    await other.send_json_to({"type": "csat", "cycle": cycle, "rating": 1})
    assert (await other.receive_json_from())["type"] == "refused"
    assert not await sync_to_async(CsatRating.objects.exists)()
    await owner.disconnect()
    await other.disconnect()


async def agent_console(user, conversation_id):
    """An agent's real console websocket, subscribed to the conversation (its greeting frames read)."""
    client = Client()
    await sync_to_async(client.force_login)(user)
    console = WebsocketCommunicator(application, "/ws/console/", headers=[
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()), (b"origin", b"http://127.0.0.1")])
    assert (await console.connect())[0]
    await console.send_json_to({"type": "subscribe", "conversation": conversation_id})
    while (await console.receive_json_from()).get("type") != "subscribed":
        pass
    return console


async def console_events(console, name):
    frames = []
    while not await console.receive_nothing(timeout=0.3):
        frame = await console.receive_json_from()
        if frame.get("event") == name:
            frames.append(frame["payload"])
    return frames


async def test_typing_goes_both_ways_between_the_widget_and_the_console(webchat, make_agent, team):
    communicator, _ = await hello(webchat, visitor_token(webchat, name="Maria"))
    await say(communicator, "client-0001", "Hi")
    conversation = await sync_to_async(Conversation.objects.get)()
    ana = await sync_to_async(make_agent)("ana", teams=[team])
    console = await agent_console(ana, conversation.pk)

    # The visitor types: the console hears it through the catalogue's typing event, and that they stopped.
    await communicator.send_json_to({"type": "typing", "typing": True})
    await communicator.send_json_to({"type": "typing", "typing": False})
    typing = await console_events(console, events.TYPING.name)
    assert [(t["user"], t["name"], t["typing"]) for t in typing] == [(None, "Maria", True), (None, "Maria", False)]
    assert await communicator.receive_nothing()  # the visitor's own typing does not come back

    # The agent types a reply in the console: the widget shows it with the agent's name.
    await console.send_json_to({"type": "typing", "conversation": conversation.pk})
    assert await communicator.receive_json_from() == {"type": "typing", "typing": True, "author": "Ana"}
    # A private note being written, and anything else of the agents' group (a note, say), never reach the widget.
    await console.send_json_to({"type": "typing", "conversation": conversation.pk, "private": True})
    await sync_to_async(add_note)(conversation, ana, "secret")
    assert await communicator.receive_nothing()
    await console.disconnect()
    await communicator.disconnect()


async def test_page_views_become_touchpoints_once_the_visitor_wrote(webchat):
    from django.utils import timezone

    communicator, _ = await hello(webchat, visitor_token(webchat))
    viewed = timezone.now().replace(microsecond=0)
    pages = [{"url": "https://shop.example/checkout", "title": "Checkout", "at": viewed.isoformat()}]
    await communicator.send_json_to({"type": "pages", "pages": pages})
    assert (await communicator.receive_json_from())["type"] == "pages_kept"  # no customer yet: the widget keeps them
    await say(communicator, "client-0001", "The payment fails", pages=pages)
    await communicator.send_json_to({"type": "pages", "pages": pages})
    assert (await communicator.receive_json_from())["type"] == "pages_stored"
    touchpoint = await sync_to_async(Touchpoint.objects.get)()
    assert (touchpoint.url, touchpoint.title, touchpoint.viewed_at) == ("https://shop.example/checkout", "Checkout",
                                                                        viewed)
    await communicator.disconnect()
