"""The console websocket: authenticate with the session, join only what the agent may see, forward events.

It also carries the agent's presence: online/away heartbeats, which conversation
they are viewing (their subscription) and typing notices, all sent to others
through the event catalogue.
"""
from collections import OrderedDict

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from conversations import events
from conversations.websocket_frames import JsonObjectFrameConsumer
from conversations.actions import presence
from conversations.visibility import can_see_conversation, sees_everything

SEEN_EVENT_IDS_KEPT = 500
MAX_FRAME_BYTES = 4096


@database_sync_to_async
def _groups_and_agent(user):
    agent = presence.describe(user)
    groups = [events.agent_group(user.pk)] + [events.team_group(team_id) for team_id in agent.team_ids]
    if sees_everything(user):
        groups.append(events.SUPERVISORS_GROUP)
    return groups, agent


@database_sync_to_async
def _may_see(user, conversation_id):
    return can_see_conversation(user, conversation_id)


# Presence lives in the cache (Redis in production), not the database: its blocking calls run in a thread.
_connected = sync_to_async(presence.connected)
_heartbeat = sync_to_async(presence.heartbeat)
_disconnected = sync_to_async(presence.disconnected)
_start_viewing = sync_to_async(presence.start_viewing)
_stop_viewing = sync_to_async(presence.stop_viewing)


class ConsoleConsumer(JsonObjectFrameConsumer):
    max_frame_bytes = MAX_FRAME_BYTES

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.viewing = set()
        self.status = presence.ONLINE
        self.groups_joined, self.agent = await _groups_and_agent(user)
        # An event sent to two of our groups (team and agent) arrives twice: forward it once.
        self.seen_event_ids = OrderedDict()
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk})
        here = await _connected(self.agent, self.channel_name)
        self.status = here.status
        await events.emit_now(events.PRESENCE_CHANGED, here)

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if not hasattr(self, "agent"):
            return
        for conversation_id in list(self.viewing):
            await events.emit_now(events.VIEWERS_CHANGED, await _stop_viewing(self.agent, conversation_id))
        offline = await _disconnected(self.agent, self.channel_name)
        if offline is not None:
            await events.emit_now(events.PRESENCE_CHANGED, offline)

    async def receive_frame(self, content):
        kind = content.get("type")
        if kind in ("subscribe", "unsubscribe"):
            await self._subscription(kind, content.get("conversation"))
        elif kind == "ping":
            await self._presence(self.status)
            await self.send_json({"type": "pong"})
        elif kind == "presence":
            await self._presence(content.get("status"))
        elif kind == "typing":
            await self._typing(content.get("conversation"), bool(content.get("private")))
        else:
            await self.send_json({"type": "error", "error": f"Unknown frame type {kind!r}."})

    async def _subscription(self, kind, conversation_id):
        if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
            await self.send_json({"type": "error", "error": "conversation must be an integer id."})
            return
        group = events.conversation_group(conversation_id)
        if kind == "unsubscribe":
            if group in self.groups_joined:
                self.groups_joined.remove(group)
                await self.channel_layer.group_discard(group, self.channel_name)
            await self.send_json({"type": "unsubscribed", "conversation": conversation_id})
            if conversation_id in self.viewing:
                self.viewing.discard(conversation_id)
                await events.emit_now(events.VIEWERS_CHANGED, await _stop_viewing(self.agent, conversation_id))
            return
        if not await _may_see(self.user, conversation_id):
            # Same answer for "missing" and "not yours": ids reveal nothing.
            await self.send_json({"type": "error", "error": "Conversation not found.", "conversation": conversation_id})
            return
        if group not in self.groups_joined:
            self.groups_joined.append(group)
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"type": "subscribed", "conversation": conversation_id})
        # Subscribing is viewing: the others looking at this conversation learn it (collision).
        self.viewing.add(conversation_id)
        await events.emit_now(events.VIEWERS_CHANGED, await _start_viewing(self.agent, conversation_id))

    async def _presence(self, status):
        if status not in presence.STATUSES:
            await self.send_json({"type": "error", "error": "status must be online or away."})
            return
        self.status = status
        changed = await _heartbeat(self.agent, self.channel_name, status)
        if changed is not None:
            await events.emit_now(events.PRESENCE_CHANGED, changed)
        # The heartbeat also keeps this connection's viewing alive.
        for conversation_id in self.viewing:
            await _start_viewing(self.agent, conversation_id)

    async def _typing(self, conversation_id, private):
        # Only from a conversation this connection subscribed to, which was checked for visibility.
        if not isinstance(conversation_id, int) or conversation_id not in self.viewing:
            await self.send_json({"type": "error", "error": "Subscribe to the conversation first.",
                                  "conversation": conversation_id})
            return
        await events.emit_now(events.TYPING, presence.typing(self.agent, conversation_id, private))

    async def dispatch(self, message):
        # Channels closes stale database connections, a hop to a worker thread, before every
        # handler; forwarding an event touches no database, and it runs once per agent per event.
        if message["type"] == "console.event":
            await self.console_event(message)
        else:
            await super().dispatch(message)

    async def console_event(self, message):
        if message["id"] in self.seen_event_ids:
            return
        self.seen_event_ids[message["id"]] = True
        while len(self.seen_event_ids) > SEEN_EVENT_IDS_KEPT:
            self.seen_event_ids.popitem(last=False)
        await self.send_json({"type": "event", "event": message["event"], "payload": message["payload"], "at": message["at"]})
