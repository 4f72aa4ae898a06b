"""Bad input to the widget's endpoints and socket is a clear 4xx (or error frame) and changes nothing."""
import pytest
from channels.testing import WebsocketCommunicator

from conversations.models import Customer, Message
from omnidesk.asgi import application

from .conftest import SHOP_ORIGIN, visitor_token


def test_a_deep_json_session_body_to_the_widget_is_a_400(client, make_webchat_channel):
    widget = make_webchat_channel()
    body = ("[" * 5000 + "]" * 5000).encode()  # within the session size limit, past the recursion limit
    for path in ("session/", "verification/", "verification/confirm/"):
        response = client.post(f"/webchat/{widget.pk}/{path}", body, content_type="application/json",
                               HTTP_ORIGIN=SHOP_ORIGIN)
        assert response.status_code == 400, path
    assert not Customer.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
async def test_a_deep_json_frame_to_the_widget_socket_gets_an_error_frame(make_webchat_channel):
    from asgiref.sync import sync_to_async

    widget = await sync_to_async(make_webchat_channel)()
    communicator = WebsocketCommunicator(application, f"/ws/webchat/{widget.pk}/",
                                         headers=[(b"origin", SHOP_ORIGIN.encode())])
    assert (await communicator.connect())[0]
    await communicator.send_to(text_data="[" * 16000 + "]" * 16000)
    assert (await communicator.receive_json_from())["type"] == "error"
    # The socket still works afterwards.
    await communicator.send_json_to({"type": "hello", "token": await sync_to_async(visitor_token)(widget)})
    assert (await communicator.receive_json_from())["type"] == "ready"
    await communicator.disconnect()
