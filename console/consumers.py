"""The console websocket: authenticate with the session, join only what the agent may see, forward events.

Events reach the socket through this process's hub (conversations/fanout.py) as
pre-encoded frames: forwarding one is a single send. The socket also keeps its
access current: a conversation that moves away from the agent, or a change of
their teams or role, drops what they may no longer see at once and tells the
console; a deactivated agent's sockets close.

It also carries the agent's presence: online/away heartbeats, which conversation
they are viewing (their subscription) and typing notices, all sent to others
through the event catalogue.
"""
import logging

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from conversations import events, fanout
from conversations.actions import presence
from conversations.models import Conversation
from conversations.visibility import visible_conversations
from conversations.websocket_frames import JsonObjectFrameConsumer

from .open_agents import open_agents

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 4096
# Closing codes the console understands: signed out or deactivated (it reloads, and so meets the login page).
CLOSE_UNAUTHENTICATED = 4401


@database_sync_to_async
def _viewers_of(user, conversation_id):
    """The viewer groups of a conversation the user may see, or None (missing or not theirs alike)."""
    found = visible_conversations(user, Conversation.objects.filter(pk=conversation_id)).values_list(
        "team_id", "assignee_id").first()
    return frozenset(events.viewer_groups(*found)) if found else None


# Presence lives in the cache (Redis in production), not the database: its blocking calls run in a thread.
_heartbeat = sync_to_async(presence.heartbeat, thread_sensitive=False)
_start_viewing = sync_to_async(presence.start_viewing, thread_sensitive=False)
_stop_viewing = sync_to_async(presence.stop_viewing, thread_sensitive=False)


class ConsoleConsumer(JsonObjectFrameConsumer):
    max_frame_bytes = MAX_FRAME_BYTES
    # No channel of its own on the channel layer: events come through the process's hub.
    channel_layer_alias = None

    async def dispatch(self, message):
        # Channels closes stale database connections, a hop to a worker thread, before every handler;
        # the handlers that touch the database do it in database_sync_to_async, which does that itself.
        await getattr(self, message["type"].replace(".", "_"))(message)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.subscriptions = {}  # conversation id -> its viewer groups, kept current by the events
        self.status = presence.ONLINE
        self.open_agents = open_agents()
        self.opened, first = await self.open_agents.arrive(user)
        self.hub = fanout.hub()
        await self.hub.register(self, self.opened.groups)
        await self.accept()
        # Present only once this socket hears events (what presence sets off must reach it), and before
        # "hello", so a console that got its hello is counted online.
        here = await self.open_agents.present(self.opened) if first else None
        await self.send_json({"type": "hello", "user": user.pk})
        if here is not None:
            self.status = here.status
            await events.emit_now(events.PRESENCE_CHANGED, here)

    @property
    def agent(self):
        return self.opened.agent

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # daphne cancels an application slow to finish (a starved server): what the socket held in
            # this process (its groups, its agent's count of open sockets) is given back all the same.
            await self.disconnect(None)

    async def disconnect(self, code):
        opened = getattr(self, "opened", None)
        if opened is None:
            return
        self.opened = None  # once, whichever of the disconnect and the end of the application comes first
        await self.hub.unregister(self)
        subscriptions, self.subscriptions = list(self.subscriptions), {}
        offline = await self.open_agents.leave(self.user.pk)
        for conversation_id in subscriptions:
            await events.emit_now(events.VIEWERS_CHANGED, await _stop_viewing(opened.agent, conversation_id))
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
        if kind == "unsubscribe":
            await self.send_json({"type": "unsubscribed", "conversation": conversation_id})
            await self._stop_following(conversation_id)
            return
        viewers = await _viewers_of(self.user, conversation_id)
        if viewers is None:
            # Same answer for "missing" and "not yours": ids reveal nothing.
            await self.send_json({"type": "error", "error": "Conversation not found.", "conversation": conversation_id})
            return
        self.subscriptions[conversation_id] = viewers
        self.hub.join(self, events.conversation_group(conversation_id))
        await self.send_json({"type": "subscribed", "conversation": conversation_id})
        # Subscribing is viewing: the others looking at this conversation learn it (collision).
        await events.emit_now(events.VIEWERS_CHANGED, await _start_viewing(self.agent, conversation_id))

    async def _stop_following(self, conversation_id):
        self.hub.leave(self, events.conversation_group(conversation_id))
        if self.subscriptions.pop(conversation_id, None) is not None:
            await events.emit_now(events.VIEWERS_CHANGED, await _stop_viewing(self.agent, conversation_id))

    async def _presence(self, status):
        if status not in presence.STATUSES:
            await self.send_json({"type": "error", "error": "status must be online or away."})
            return
        self.status = status
        changed = await _heartbeat(self.agent, status)
        if changed is not None:
            await events.emit_now(events.PRESENCE_CHANGED, changed)
        # The heartbeat also keeps this connection's viewing alive.
        for conversation_id in self.subscriptions:
            await _start_viewing(self.agent, conversation_id)

    async def _typing(self, conversation_id, private):
        # Only from a conversation this connection subscribed to, which was checked for visibility.
        if not isinstance(conversation_id, int) or conversation_id not in self.subscriptions:
            await self.send_json({"type": "error", "error": "Subscribe to the conversation first.",
                                  "conversation": conversation_id})
            return
        await events.emit_now(events.TYPING, presence.typing(self.agent, conversation_id, private))

    # --- called by the hub, in the order events arrive ------------------------------------------------
    async def deliver(self, event_name, text):
        try:
            await self.send(text_data=text)
        except Exception:  # a socket closing under us: its disconnect unregisters it
            logger.debug("frame not sent to a closing console socket", exc_info=True)

    async def conversation_access(self, conversation_id, viewer_groups):
        """Every event about an open conversation says who may see it now; losing it stops the full texts."""
        if conversation_id not in self.subscriptions:
            return False
        self.subscriptions[conversation_id] = viewer_groups
        if self.hub.groups(self) & viewer_groups:
            return False
        await self._revoke(conversation_id)
        return True

    async def access_changed(self, access):
        wanted = set(access["groups"])
        for group in self.hub.groups(self):
            if access["active"] and group.startswith("conversation.") or group in wanted:
                continue
            self.hub.leave(self, group)
        if not access["active"]:
            self.subscriptions.clear()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        for group in wanted:
            self.hub.join(self, group)
        self.opened.take_access(access)
        mine = self.hub.groups(self)
        for conversation_id, viewer_groups in list(self.subscriptions.items()):
            if not mine & viewer_groups:
                await self._revoke(conversation_id)
        # The inbox and counts differ now: the console reloads them (as after a reconnection).
        await self.send_json({"type": "access_changed"})

    async def _revoke(self, conversation_id):
        self.hub.leave(self, events.conversation_group(conversation_id))
        self.subscriptions.pop(conversation_id, None)
        await self.deliver(events.CONVERSATION_REVOKED.name, events.encode_frame(
            events.CONVERSATION_REVOKED, events.revoked_payload(conversation_id)))
        await events.emit_now(events.VIEWERS_CHANGED, await _stop_viewing(self.agent, conversation_id))
