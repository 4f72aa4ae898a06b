"""The console websocket: authenticate with the session, join only what the agent may see, forward events."""
import json
from collections import OrderedDict

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from conversations import events
from conversations.visibility import can_see_conversation, sees_everything, team_ids

SEEN_EVENT_IDS_KEPT = 500
MAX_FRAME_BYTES = 4096


@database_sync_to_async
def _groups_for(user):
    groups = [events.agent_group(user.pk)] + [events.team_group(team_id) for team_id in team_ids(user)]
    if sees_everything(user):
        groups.append(events.SUPERVISORS_GROUP)
    return groups


@database_sync_to_async
def _may_see(user, conversation_id):
    return can_see_conversation(user, conversation_id)


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.groups_joined = await _groups_for(user)
        # An event sent to two of our groups (team and agent) arrives twice: forward it once.
        self.seen_event_ids = OrderedDict()
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if bytes_data is not None or text_data is None or len(text_data) > MAX_FRAME_BYTES:
            await self.send_json({"type": "error", "error": "Frames are JSON text of at most 4 KiB."})
            return
        await super().receive(text_data=text_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "Frames must be JSON objects."})
            return
        kind = content.get("type")
        if kind in ("subscribe", "unsubscribe"):
            await self._subscription(kind, content.get("conversation"))
        elif kind == "ping":
            await self.send_json({"type": "pong"})
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
            return
        if not await _may_see(self.user, conversation_id):
            # Same answer for "missing" and "not yours": ids reveal nothing.
            await self.send_json({"type": "error", "error": "Conversation not found.", "conversation": conversation_id})
            return
        if group not in self.groups_joined:
            self.groups_joined.append(group)
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"type": "subscribed", "conversation": conversation_id})

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
