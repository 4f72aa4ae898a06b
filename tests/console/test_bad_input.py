"""Bad input to the console is a clear 4xx and changes nothing."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.models import Message
from omnidesk.asgi import application


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


def test_retrying_an_inbound_message_is_a_400(console_for, ana, make_api_channel, team):
    inbound = ingest_message(make_api_channel(team=team), InboundMessage("in-1", Sender("phone", "+5511999990001"),
                                                                          "Oi")).message
    response = console_for(ana).post(f"/messages/{inbound.pk}/retry/")
    assert response.status_code == 400 and "Only a failed message" in response.json()["error"]
    inbound.refresh_from_db()
    assert inbound.status == Message.Status.RECEIVED


@pytest.mark.parametrize("path, data", [
    ("/conversations/{pk}/reply/", {"text": "x" * 30_000}),
    ("/conversations/{pk}/reply/", {"text": "Oi", "channel": "not-a-uuid"}),
    ("/conversations/{pk}/update/", {"status": "exploded"}),
    ("/conversations/{pk}/update/", {"snoozed_until": "yesterday"}),
])
def test_bad_console_forms_are_400(console_for, ana, make_api_channel, team, path, data):
    inbound = ingest_message(make_api_channel(team=team), InboundMessage("in-1", Sender("phone", "+5511999990001"),
                                                                          "Oi")).message
    response = console_for(ana).post(path.format(pk=inbound.conversation_id), data)
    assert response.status_code == 400
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()


@pytest.mark.django_db(transaction=True)
async def test_a_deep_json_frame_to_the_console_socket_gets_an_error_frame(make_agent, team):
    from channels.layers import channel_layers

    channel_layers.backends.pop("default", None)
    user = await sync_to_async(make_agent)("ana", teams=[team])
    client = Client()
    await sync_to_async(client.force_login)(user)
    communicator = WebsocketCommunicator(application, "/ws/console/", headers=[
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()), (b"origin", b"http://127.0.0.1")])
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from())["type"] == "hello"
    await communicator.receive_json_from()  # own presence
    await communicator.send_to(text_data="[" * 2000 + "]" * 2000)
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.disconnect()
    channel_layers.backends.pop("default", None)
