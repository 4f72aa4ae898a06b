"""The console websocket joins only what the agent may see; another team's events never arrive."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from omnidesk.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def own_channel_layer():
    """A channel layer of this test's own event loop: the live server thread of the browser tests may still be
    receiving on the process-wide one, and channels_redis refuses two loops receiving on one layer."""
    from channels.layers import channel_layers

    previous = channel_layers.backends.pop("default", None)
    yield
    channel_layers.backends.pop("default", None)
    if previous is not None:
        channel_layers.backends["default"] = previous


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

    # One frame: the new inbox row (the full message only goes where the conversation is open).
    event = await ana.receive_json_from(timeout=3)
    assert (event["event"], event["payload"]["id"]) == ("conversation.created", conversation_id)
    assert await ana.receive_nothing(timeout=0.5)
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


async def drain(communicator):
    """Every frame already sent to this connection."""
    frames = []
    while not await communicator.receive_nothing(timeout=0.3):
        frames.append(await communicator.receive_json_from())
    return frames


async def test_viewing_and_typing_reach_only_who_views_the_conversation(setup, make_agent, team):
    conversation_id = await ingest(setup["support"], "s-1", "+5511999990001")
    carol = await sync_to_async(make_agent)("carol", teams=[team])
    ana, carol_ws, bruno = await connect(setup["ana"]), await connect(carol), await connect(setup["bruno"])
    await drain(ana)  # carol's arrival (same team)

    await carol_ws.send_json_to({"type": "subscribe", "conversation": conversation_id})
    await ana.send_json_to({"type": "subscribe", "conversation": conversation_id})
    frames = await drain(ana)
    viewers = [f["payload"]["viewers"] for f in frames if f.get("event") == "conversation.viewers"][-1]
    assert {v["name"] for v in viewers} == {"Ana", "Carol"}

    await carol_ws.send_json_to({"type": "typing", "conversation": conversation_id})
    typing = [f for f in await drain(ana) if f.get("event") == "conversation.typing"]
    assert [t["payload"]["name"] for t in typing] == ["Carol"]
    assert not [f for f in await drain(bruno) if f.get("type") == "event"]
    for communicator in (ana, carol_ws, bruno):
        await communicator.disconnect()


async def test_typing_in_a_conversation_outside_ones_teams_is_refused(setup):
    conversation_id = await ingest(setup["sales"], "v-1", "+5511999990002")
    bruno = await connect(setup["bruno"])
    await bruno.send_json_to({"type": "subscribe", "conversation": conversation_id})
    await drain(bruno)
    ana = await connect(setup["ana"])
    await ana.send_json_to({"type": "subscribe", "conversation": conversation_id})
    assert (await ana.receive_json_from())["type"] == "error"
    await ana.send_json_to({"type": "typing", "conversation": conversation_id})
    assert (await ana.receive_json_from())["type"] == "error"
    assert not [f for f in await drain(bruno) if f.get("event") == "conversation.typing"]
    await ana.disconnect()
    await bruno.disconnect()


async def test_presence_goes_to_supervisors_only_never_to_every_teammate(setup, make_agent, team):
    from conversations.models import AgentProfile

    carla = await sync_to_async(make_agent)("carla", role=AgentProfile.Role.SUPERVISOR)
    ana_mate = await sync_to_async(make_agent)("dora", teams=[team])
    supervisor, mate, bruno = await connect(carla), await connect(ana_mate), await connect(setup["bruno"])
    await drain(supervisor)
    await drain(mate)
    await drain(bruno)
    ana = await connect(setup["ana"])
    await ana.send_json_to({"type": "presence", "status": "away"})
    await drain(ana)
    statuses = [(f["payload"]["name"], f["payload"]["status"]) for f in await drain(supervisor)
                if f.get("event") == "presence.changed"]
    assert statuses == [("Ana", "online"), ("Ana", "away")]
    for communicator in (mate, bruno):
        assert not [f for f in await drain(communicator) if f.get("event") == "presence.changed"]
    await ana.disconnect()
    offline = [f["payload"]["status"] for f in await drain(supervisor) if f.get("event") == "presence.changed"]
    assert offline == ["offline"]
    for communicator in (supervisor, mate, bruno):
        await communicator.disconnect()


async def test_a_bad_presence_status_is_refused(setup):
    ana = await connect(setup["ana"])
    await ana.send_json_to({"type": "presence", "status": "invisible"})
    assert (await ana.receive_json_from())["type"] == "error"
    await ana.disconnect()
