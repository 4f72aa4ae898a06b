"""The baseline of figure 2's fan-out cost: a bare Channels consumer relaying a pre-encoded frame.

The same daphne and the same channel layer (channels_redis on the bench's Redis)
as the console, nothing else: no session, no catalogue, no hub. Each socket joins
one group of the layer and forwards the text of every message it is sent, so
what it costs per frame is the floor of "receive from the layer, send a frame".
"""
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnidesk.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402  (needs Django set up first)

RELAY_GROUP = "bench-relay"
RELAY_MESSAGE = "relay.frame"


class RelayConsumer(AsyncWebsocketConsumer):
    groups = [RELAY_GROUP]

    async def dispatch(self, message):
        # Channels' default closes stale database connections before every handler (a thread hop);
        # a relay touches no database, and the baseline should not pay for what it does not do.
        await getattr(self, message["type"].replace(".", "_"))(message)

    async def connect(self):
        await self.accept()
        await self.send(text_data='{"type": "hello"}')

    async def relay_frame(self, message):
        await self.send(text_data=message["text"])


_websocket = RelayConsumer.as_asgi()


async def application(scope, receive, send):
    if scope["type"] == "websocket":
        await _websocket(scope, receive, send)
    elif scope["type"] == "http":
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})
