"""Agents count as online while one of their console connections is open (what the web chat asks)."""
import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.core.cache import cache

from console.consumers import ConsoleConsumer
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
