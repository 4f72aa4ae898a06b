"""Open console sockets follow access as it changes, over real websockets to the real daphne server.

Two agents watch the same conversation; then one of them loses it (leaves the
team, the conversation moves team, it is reassigned away from them, they are
deactivated) and from that moment no full message text reaches them, while
the other keeps getting everything. Each agent gets one frame per change.
"""
import asyncio
import json

import aiohttp
import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.directory import update_agent
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)

QUIET_SECONDS = 0.7
EXPECTED_WITHIN_SECONDS = 10


class Console:
    """One agent's console websocket, as the browser opens it (session cookie, same origin)."""

    def __init__(self, session, ws):
        self.session = session
        self.ws = ws

    @classmethod
    async def open(cls, base_url, user):
        client = Client()
        await sync_to_async(client.force_login)(user)
        session = aiohttp.ClientSession()
        ws = await session.ws_connect(base_url.replace("http://", "ws://") + "/ws/console/", headers={
            "Cookie": f"sessionid={client.cookies['sessionid'].value}", "Origin": base_url})
        console = cls(session, ws)
        assert (await console.frame())["type"] == "hello"
        # Their first connection makes them online: their own socket hears it (so would their other tabs).
        assert [f["event"] for f in await console.frames(first_within=EXPECTED_WITHIN_SECONDS)] == ["presence.changed"]
        return console

    async def frame(self, timeout=5):
        message = await self.ws.receive(timeout=timeout)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        return json.loads(message.data)

    async def frames(self, first_within=QUIET_SECONDS):
        """Every frame that arrives until the socket is quiet for a moment (waiting longer for the first)."""
        frames = []
        while True:
            try:
                message = await self.ws.receive(timeout=first_within if not frames else QUIET_SECONDS)
            except asyncio.TimeoutError:
                return frames
            if message.type != aiohttp.WSMsgType.TEXT:
                frames.append({"closed": message.data})
                return frames
            frames.append(json.loads(message.data))

    async def events(self, expected=True):
        """The events that arrive now; `expected`: some must, wait for them."""
        frames = await self.frames(first_within=EXPECTED_WITHIN_SECONDS if expected else QUIET_SECONDS)
        return [(f["event"], f["payload"]) for f in frames if f.get("type") == "event"]

    async def subscribe(self, conversation_id):
        await self.ws.send_json({"type": "subscribe", "conversation": conversation_id})
        frames = await self.frames()
        assert {"type": "subscribed", "conversation": conversation_id} in frames, frames

    async def close(self):
        await self.ws.close()
        await self.session.close()


def texts(events):
    """The full message texts among `events` (what must stop reaching an agent who lost the conversation)."""
    return [payload["text"] for name, payload in events if name == "message.created"]


@pytest.fixture
def support(make_api_channel, team):
    return make_api_channel("Support line", team=team)


async def customer_writes(channel, external_id, text="Oi"):
    result = await sync_to_async(ingest_message)(
        channel, InboundMessage(external_id, Sender("phone", "+5511999990001"), text))
    return await sync_to_async(Conversation.objects.get)(pk=result.message.conversation_id)


@pytest.fixture
async def watching(live_server_url, support, make_agent, team):
    """Ana and Carla of the support team both have the customer's conversation open."""
    ana = await sync_to_async(make_agent)("ana", teams=[team])
    carla = await sync_to_async(make_agent)("carla", teams=[team])
    conversation = await customer_writes(support, "m-1")
    consoles = {"ana": await Console.open(live_server_url, ana), "carla": await Console.open(live_server_url, carla)}
    for console in consoles.values():
        await console.subscribe(conversation.pk)
    for console in consoles.values():
        await console.frames()  # who else is viewing
    yield {"ana": ana, "carla": carla, "conversation": conversation, **{f"{k}_ws": v for k, v in consoles.items()}}
    for console in consoles.values():
        await console.close()


async def test_one_frame_per_new_message_full_text_only_where_it_is_open(live_server_url, support, make_agent,
                                                                        team, watching):
    dora = await sync_to_async(make_agent)("dora", teams=[team])
    dora_ws = await Console.open(live_server_url, dora)  # same team, conversation not open
    await customer_writes(support, "m-2", "Where is my order?")

    for name in ("ana_ws", "carla_ws"):
        [(event, payload)] = await watching[name].events()
        assert event == "message.created" and payload["text"] == "Where is my order?"
        assert payload["inbox_row"]["id"] == watching["conversation"].pk
    [(event, payload)] = await dora_ws.events()
    assert event == "conversation.updated" and "text" not in payload
    assert payload["last_message_preview"] == "Where is my order?"
    await dora_ws.close()


async def test_leaving_the_team_stops_the_texts_at_once(support, watching):
    await sync_to_async(update_agent)(watching["ana"], teams=[])
    frames = await watching["ana_ws"].frames(first_within=EXPECTED_WITHIN_SECONDS)
    assert {"type": "event", "event": "conversation.revoked", "payload": {"conversation": watching["conversation"].pk},
            "at": frames[0].get("at")} == frames[0]
    assert {"type": "access_changed"} in frames

    await customer_writes(support, "m-2", "My card number is 4111")
    assert await watching["ana_ws"].events(expected=False) == []
    assert texts(await watching["carla_ws"].events()) == ["My card number is 4111"]
    # Subscribing again is refused like any conversation that is not hers.
    await watching["ana_ws"].ws.send_json({"type": "subscribe", "conversation": watching["conversation"].pk})
    assert (await watching["ana_ws"].frame())["type"] == "error"


async def test_a_conversation_moving_team_is_revoked_for_who_lost_it(support, watching, team, other_team, make_agent,
                                                                     live_server_url):
    bruno = await sync_to_async(make_agent)("bruno", teams=[other_team])
    bruno_ws = await Console.open(live_server_url, bruno)
    await sync_to_async(update_agent)(watching["carla"], teams=[team, other_team])
    await watching["carla_ws"].frames()

    await sync_to_async(update_conversation)(watching["conversation"], None, team=other_team)
    assert await watching["ana_ws"].events() == [
        ("conversation.revoked", {"conversation": watching["conversation"].pk})]
    events = await bruno_ws.events()  # the new team's inbox gets the row
    assert [(event, payload["team"]) for event, payload in events] == [("conversation.updated", other_team.pk)]

    await customer_writes(support, "m-2", "Still there?")
    assert await watching["ana_ws"].events(expected=False) == []
    assert texts(await watching["carla_ws"].events()) == ["Still there?"]  # in both teams: still hers
    await bruno_ws.close()


async def test_reassigning_away_from_who_saw_it_only_by_assignment(live_server_url, support, make_agent, team,
                                                                   watching):
    outsider = await sync_to_async(make_agent)("edu")  # no team: sees only what is assigned to him
    await sync_to_async(update_conversation)(watching["conversation"], None, assignee=outsider)
    edu_ws = await Console.open(live_server_url, outsider)
    await edu_ws.subscribe(watching["conversation"].pk)
    await watching["ana_ws"].frames()
    await watching["carla_ws"].frames()

    await sync_to_async(update_conversation)(watching["conversation"], None, assignee=watching["carla"])
    assert await edu_ws.events() == [("conversation.revoked", {"conversation": watching["conversation"].pk})]
    await customer_writes(support, "m-2", "Hello again")
    assert await edu_ws.events(expected=False) == []
    assert texts(await watching["carla_ws"].events()) == ["Hello again"]
    await edu_ws.close()


async def test_a_deactivated_agents_sockets_close(support, watching):
    await sync_to_async(update_agent)(watching["ana"], is_active=False)
    message = await watching["ana_ws"].ws.receive(timeout=5)
    assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 4401
    await customer_writes(support, "m-2", "Anyone?")
    assert texts(await watching["carla_ws"].events()) == ["Anyone?"]
