"""The disconnect grace: an agent whose last console closes is still present for a few seconds, so a page
reload never shows them leaving nor hands their conversations back to the queue."""
import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from conversations.actions import presence
from conversations.models import AgentProfile
from conversations.signals import agent_presence_changed
from console import open_agents as console_open_agents
from console.open_agents import open_agents
from omnidesk.asgi import application

from .test_websocket_permissions import connect, drain, own_channel_layer, setup  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

GRACE_SECONDS = 0.05


@pytest.fixture
def grace(settings):
    settings.AGENT_DISCONNECT_GRACE_SECONDS = GRACE_SECONDS


@pytest.fixture
def held_grace(grace, monkeypatch):
    """The grace lasts until the test ends it: what happens within it does not race a timer."""
    over = asyncio.Event()

    async def wait_until_over(seconds):
        assert seconds == GRACE_SECONDS
        await over.wait()

    monkeypatch.setattr(console_open_agents, "wait_out_grace", wait_until_over)
    return over


@pytest.fixture
def presence_signals():
    """Every (user id, status) routing hears of."""
    heard = []

    def hear(sender, user_id, status, **kwargs):
        heard.append((user_id, status))

    agent_presence_changed.connect(hear, dispatch_uid="test-disconnect-grace")
    yield heard
    agent_presence_changed.disconnect(dispatch_uid="test-disconnect-grace")


async def reconnect(user):
    """A console opening again within the grace: the agent never left, so nobody is told they arrived."""
    client = Client()
    await sync_to_async(client.force_login)(user)
    communicator = WebsocketCommunicator(application, "/ws/console/", headers=[
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()), (b"origin", b"http://127.0.0.1")])
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


async def graces_over(held=None):
    """End the grace (when the test holds it) and wait for the departures (awaiting them, not guessing a delay)."""
    if held is not None:
        held.set()
    await asyncio.gather(*open_agents().departures)


def status_of(user):
    return presence.statuses([user.pk])[user.pk]


def presence_frames(frames):
    return [(f["payload"]["user"], f["payload"]["status"]) for f in frames if f.get("event") == "presence.changed"]


@pytest.fixture
def supervisor(make_agent):
    return make_agent("carla", role=AgentProfile.Role.SUPERVISOR)


async def test_a_reload_within_the_grace_keeps_the_agent_present(held_grace, setup, supervisor, presence_signals):
    ana = setup["ana"]
    watcher = await connect(supervisor)
    tab = await connect(ana)
    await tab.send_json_to({"type": "presence", "status": "away"})
    await drain(tab)
    await drain(watcher)
    presence_signals.clear()

    await tab.disconnect()
    assert await sync_to_async(status_of)(ana) == presence.AWAY
    reloaded = await reconnect(ana)
    await graces_over(held_grace)

    assert await sync_to_async(status_of)(ana) == presence.AWAY
    assert presence_frames(await drain(watcher)) == []
    assert presence_signals == []
    # Still counted as one open console: closing it for good makes the agent offline after the grace.
    await reloaded.disconnect()
    await graces_over()
    assert await sync_to_async(status_of)(ana) == presence.OFFLINE
    assert presence_frames(await drain(watcher)) == [(ana.pk, "offline")]
    await watcher.disconnect()


async def test_an_agent_who_does_not_come_back_is_offline_after_the_grace(held_grace, setup, supervisor,
                                                                          presence_signals):
    ana = setup["ana"]
    watcher = await connect(supervisor)
    tab = await connect(ana)
    await drain(watcher)
    presence_signals.clear()

    await tab.disconnect()
    assert await sync_to_async(status_of)(ana) == presence.ONLINE
    assert presence_frames(await drain(watcher)) == []
    assert len(open_agents().departures) == 1
    assert presence_signals == []

    await graces_over(held_grace)
    assert await sync_to_async(status_of)(ana) == presence.OFFLINE
    assert presence_frames(await drain(watcher)) == [(ana.pk, "offline")]
    assert presence_signals == [(ana.pk, "offline")]
    await watcher.disconnect()


async def test_a_second_tab_closing_is_no_departure(grace, setup):
    ana = setup["ana"]
    first, second = await connect(ana), await reconnect(ana)
    await second.disconnect()
    assert open_agents().departures == set()
    assert await sync_to_async(status_of)(ana) == presence.ONLINE
    await first.disconnect()
    await graces_over()
    assert await sync_to_async(status_of)(ana) == presence.OFFLINE
