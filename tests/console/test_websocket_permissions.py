"""The console websocket joins only what the agent may see; another team's events never arrive."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from omnidesk.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user):
    client = Client()
    await sync_to_async(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(application, "/ws/console/",
                                         headers=[(b"cookie", cookie), (b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    # Connecting makes the agent online; their own other tabs hear it too.
    own_presence = await communicator.receive_json_from()
    assert (own_presence["event"], own_presence["payload"]["user"], own_presence["payload"]["status"]) == (
        "presence.changed", user.pk, "online")
    return communicator


@pytest.fixture
def setup(make_api_channel, team, other_team, make_agent):
    return {
        "support": make_api_channel("Support line", team=team),
        "sales": make_api_channel("Sales line", team=other_team),
        "ana": make_agent("ana", teams=[team]),
        "bruno": make_agent("bruno", teams=[other_team]),
    }


async def ingest(channel, external_id, address):
    result = await sync_to_async(ingest_message)(channel, InboundMessage(external_id, Sender("phone", address), "Oi"))
    return result.message.conversation_id


async def test_agents_receive_only_their_teams_events(setup):
    ana = await connect(setup["ana"])
    bruno = await connect(setup["bruno"])
    conversation_id = await ingest(setup["support"], "s-1", "+5511999990001")

    events = [await ana.receive_json_from(timeout=3) for _ in range(2)]
    assert {e["event"] for e in events} == {"message.created", "conversation.created"}
    assert all(e["payload"].get("conversation", e["payload"].get("id")) == conversation_id for e in events)
    assert await bruno.receive_nothing(timeout=0.5)
    await ana.disconnect()
    await bruno.disconnect()


async def test_subscribing_to_another_teams_conversation_is_refused(setup):
    conversation_id = await ingest(setup["sales"], "v-1", "+5511999990002")
    ana = await connect(setup["ana"])
    await ana.send_json_to({"type": "subscribe", "conversation": conversation_id})
    answer = await ana.receive_json_from()
    assert answer["type"] == "error" and answer["conversation"] == conversation_id
    await ingest(setup["sales"], "v-2", "+5511999990002")
    assert await ana.receive_nothing(timeout=0.5)
    await ana.disconnect()


async def test_subscribing_to_an_own_conversation_works(setup):
    conversation_id = await ingest(setup["support"], "s-1", "+5511999990001")
    ana = await connect(setup["ana"])
    await ana.send_json_to({"type": "subscribe", "conversation": conversation_id})
    assert (await ana.receive_json_from())["type"] == "subscribed"
    await ana.disconnect()


@pytest.mark.parametrize("frame", ['{"type": "subscribe", "conversation": "1"}', "[]", "not json", '{"type": "x"}'])
async def test_bad_frames_get_a_clear_error(setup, frame):
    ana = await connect(setup["ana"])
    await ana.send_to(text_data=frame)
    assert (await ana.receive_json_from())["type"] == "error"
    await ana.disconnect()


async def test_anonymous_connections_are_closed():
    communicator = WebsocketCommunicator(application, "/ws/console/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, code = await communicator.connect()
    assert not connected or (await communicator.receive_output())["type"] == "websocket.close"
    await communicator.disconnect()
