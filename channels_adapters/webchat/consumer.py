"""The widget's websocket: /ws/webchat/<channel uuid>/.

The Origin must be one of the channel's allowed_origins (checked before the
handshake is accepted). The first frame is {"type": "hello", "token": ...};
the socket then joins only its own visitor's group, so it can only ever
receive that visitor's messages.

Frames from the widget: hello, message, typing, read, pages, csat, ping.
Frames to the widget: ready, history, accepted, message, typing, csat,
refused, error, pong.
"""
import asyncio
import json
import time

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from conversations import events, fanout
from conversations.websocket_frames import JsonObjectFrameConsumer
from conversations.actions import presence

from . import errors, limits, tokens, visitors
from .origins import origin_allowed
from .realtime import mark_connected, mark_disconnected, visitor_group

MAX_FRAME_BYTES = 32 * 1024
# A reply can reach the widget just before its delivery is recorded: its read receipt waits this long at most.
READ_RETRY_PAUSES = (0.1, 0.3, 1.0, 3.0)


def _header(scope, name):
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return ""


class WebchatConsumer(JsonObjectFrameConsumer):
    max_frame_bytes = MAX_FRAME_BYTES

    async def connect(self):
        self.visitor = None
        self.groups_joined = []
        self.conversation_id = None
        self.client_ip = (self.scope.get("client") or ["unknown"])[0]
        channel_id = self.scope["url_route"]["kwargs"]["channel_id"]
        self.widget = await database_sync_to_async(visitors.webchat_channel)(channel_id)
        if self.widget is None or not origin_allowed(_header(self.scope, b"origin"),
                                                     self.widget.config["allowed_origins"]):
            await self.close(code=4403)  # before accept: the handshake is refused (HTTP 403)
            return
        if not await sync_to_async(limits.allow)("connect_ip", self.client_ip, time.time()):
            await self.close(code=4429)
            return
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.conversation_id is not None:
            await fanout.hub().unregister(self)
        if self.visitor is not None:
            await sync_to_async(mark_disconnected)(self.group, self.channel_name)

    async def receive_frame(self, content):
        kind = content.get("type")
        if kind == "hello":
            await self._hello(content)
        elif self.visitor is None:
            await self.send_json({"type": "error", "code": errors.SESSION_EXPIRED,
                                  "error": "Say hello with your token first."})
        elif kind == "ping":
            await sync_to_async(mark_connected)(self.group, self.channel_name)
            await self.send_json({"type": "pong"})
        elif kind in self.HANDLERS:
            try:
                await self.HANDLERS[kind](self, content)
            except visitors.Refused as exc:
                await self.send_json({"type": "refused", "of": kind, "client_id": content.get("client_id"),
                                      "code": exc.code, "error": str(exc)})
        else:
            await self.send_json({"type": "error", "code": errors.INVALID_REQUEST,
                                  "error": f"Unknown frame type {kind!r}."})

    async def _allowed(self, action):
        return await sync_to_async(limits.allow_visitor_and_ip)(action, self.visitor.visitor_id, self.client_ip,
                                                                time.time())

    async def _hello(self, content):
        if self.visitor is not None:
            await self.send_json({"type": "error", "code": errors.INVALID_REQUEST, "error": "Already said hello."})
            return
        try:
            self.visitor = tokens.load(content.get("token"), self.widget.channel.pk)
        except tokens.InvalidToken:
            await self.send_json({"type": "error", "code": errors.SESSION_EXPIRED,
                                  "error": "Invalid or expired token: start a new session."})
            await self.close(code=4401)
            return
        self.group = visitor_group(self.widget.channel.pk, *self.visitor.identity)
        await self._join(self.group)
        await sync_to_async(mark_connected)(self.group, self.channel_name)
        history = await database_sync_to_async(visitors.catch_up)(self.widget, self.visitor, content.get("after"))
        await self._follow_conversation(history["conversation"])
        await self.send_json({"type": "ready", "visitor": visitors.visitor_summary(self.visitor)})
        await self.send_json({"type": "history", "messages": history["messages"]})
        if history["csat"]:
            await self.send_json({"type": "csat", **history["csat"]})

    async def _join(self, group):
        if group not in self.groups_joined:
            self.groups_joined.append(group)
            await self.channel_layer.group_add(group, self.channel_name)

    async def _follow_conversation(self, conversation_id):
        """Follow the conversation's events (through this process's hub) to hear that it was resolved and
        that an agent is typing."""
        if conversation_id and self.conversation_id is None:
            self.conversation_id = conversation_id
            await fanout.hub().register(self, [events.conversation_group(conversation_id)])

    async def _message(self, content):
        if not await self._allowed("message"):
            raise visitors.Refused("You are sending messages too fast; wait a moment.", errors.RATE_LIMITED)
        message = await database_sync_to_async(visitors.accept_message)(self.widget, self.visitor, content)
        if self.conversation_id is None:  # the first message made the conversation: follow it before answering
            await self._follow_conversation(await database_sync_to_async(visitors.conversation_id_of)(self.visitor))
        await self.send_json({"type": "accepted", "client_id": message["client_id"], "message": message})
        # The visitor's other tabs and devices show it too.
        await self.channel_layer.group_send(self.group, {"type": "webchat.message", "message": message,
                                                         "from_connection": self.channel_name})

    async def _typing(self, content):
        if self.conversation_id is None or not await sync_to_async(limits.allow)(
                "typing_visitor", self.visitor.visitor_id, time.time()):
            return
        await events.emit_now(events.TYPING, presence.customer_typing(
            self.conversation_id, self.visitor.name or "", bool(content.get("typing"))))

    async def _read(self, content):
        for pause in READ_RETRY_PAUSES:
            in_delivery = await database_sync_to_async(visitors.mark_read)(self.widget, self.visitor,
                                                                            content.get("up_to"))
            if not in_delivery:
                return
            await asyncio.sleep(pause)

    async def _pages(self, content):
        if not await sync_to_async(limits.allow)("pages_visitor", self.visitor.visitor_id, time.time()):
            return
        stored = await database_sync_to_async(visitors.record_pages)(self.widget, self.visitor, content.get("pages"))
        await self.send_json({"type": "pages_stored" if stored else "pages_kept"})

    async def _csat(self, content):
        await database_sync_to_async(visitors.rate)(self.widget, self.visitor, content.get("cycle"),
                                                    content.get("rating"), content.get("comment"))
        await self.send_json({"type": "csat_thanks", "cycle": content.get("cycle")})

    HANDLERS = {"message": _message, "typing": _typing, "read": _read, "pages": _pages, "csat": _csat}

    # --- group messages -----------------------------------------------------------------
    async def webchat_message(self, event):
        if event.get("from_connection") == self.channel_name:
            return
        await self.send_json({"type": "message", "message": event["message"]})

    # --- the conversation's events, from the hub (conversations/fanout.py) ------------------------------
    async def deliver(self, event_name, text):
        """Events of the conversation's group, for agents: only two facts pass, nothing else.

        An agent typing a reply (not a private note, not the customer's own typing coming back).
        """
        if event_name not in (events.TYPING.name, events.CONVERSATION_UPDATED.name):
            return
        payload = json.loads(text)["payload"]
        if event_name == events.TYPING.name:
            if payload.get("user") is not None and not payload.get("private"):
                await self.send_json({"type": "typing", "typing": bool(payload.get("typing")),
                                      "author": str(payload.get("name", ""))[:100]})
        elif payload.get("status") == "resolved":
            question = await database_sync_to_async(visitors.csat_question_of)(self.conversation_id)
            if question:
                await self.send_json({"type": "csat", **question})

    async def conversation_access(self, conversation_id, viewer_groups):
        return False  # the visitor's own conversation: agents' access changes nothing here

    async def access_changed(self, access):
        """Only agents' sockets are in agents' groups."""
