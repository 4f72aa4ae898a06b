"""Agents count as online while one of their console connections is open (what the web chat asks)."""
import re

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from channels_adapters.setup import create_channel
from channels_adapters.webchat.availability import is_available
from console.consumers import ConsoleConsumer
from conversations import presence as team_presence
from conversations.presence import agents_online

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_cache_and_layer():
    cache.clear()
    channel_layers.backends.clear()


async def console_tab(user):
    communicator = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected and (await communicator.receive_json_from())["type"] == "hello"
    return communicator


async def test_an_agent_is_online_while_a_console_tab_is_open(make_agent, team, other_team):
    ana = await sync_to_async(make_agent)("ana", teams=[team])
    first, second = await console_tab(ana), await console_tab(ana)
    assert agents_online(team.pk) == {ana.pk} and agents_online() == {ana.pk}
    assert agents_online(other_team.pk) == set()
    await first.disconnect()
    assert agents_online(team.pk) == {ana.pk}  # the other tab is still open
    await second.disconnect()
    assert agents_online(team.pk) == set()


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The presence index's clock, moved by the test (the rest of the process keeps the real one)."""
    clock = Clock()
    monkeypatch.setattr(team_presence, "time", clock)
    return clock


async def ping(tab):
    await tab.send_json_to({"type": "ping"})
    while (await tab.receive_json_from())["type"] != "pong":  # colleagues' presence events come first
        pass


async def test_a_pinging_agent_stays_online_and_a_crashed_tab_expires_for_the_web_chat(make_agent, team, clock):
    ana = await sync_to_async(make_agent)("ana", teams=[team])
    bruno = await sync_to_async(make_agent)("bruno", teams=[team])
    ana_tab, bruno_tab = await console_tab(ana), await console_tab(bruno)
    webchat = await sync_to_async(create_channel)("webchat", "Site chat", {
        "allowed_origins": ["https://shop.example"], "hmac_secret": "s" * 32}, team=team)

    # Bruno's browser dies without closing its socket; Ana's console pings at the pace the page tells it.
    for beat in range(1, 7):
        clock.now += team_presence.heartbeat_seconds()
        await ping(ana_tab)
        assert ana.pk in agents_online(team.pk)
        assert (bruno.pk in agents_online(team.pk)) is (beat < 3)
    assert await sync_to_async(is_available)(webchat, webchat.config, timezone.now())

    clock.now += team_presence.presence_seconds()
    assert agents_online(team.pk) == set() and agents_online() == set()
    assert not await sync_to_async(is_available)(webchat, webchat.config, timezone.now())
    await ana_tab.disconnect()
    await bruno_tab.disconnect()


def test_the_console_page_pings_three_times_within_the_presence_lifetime(make_agent, team, settings):
    settings.AGENT_PRESENCE_SECONDS = 90
    client = Client()
    client.force_login(make_agent("ana", teams=[team]))
    page = client.get("/").content.decode()
    heartbeat = int(re.search(r'data-heartbeat-seconds="(\d+)"', page).group(1))
    assert heartbeat == team_presence.heartbeat_seconds() == 30
