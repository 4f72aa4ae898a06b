"""Live fan-out inside one server process: one channel-layer message per event and process, then local sends.

Every event of the catalogue (conversations/events.py) is published ONCE to the
`live` group of the channel layer, of which each server process's hub is the only
member: a process receives one message per event, however many of its sockets
need it. The hub keeps which of its own sockets are in which group (`agent.<id>`,
`team.<id>`, `supervisors`, `conversation.<id>`, ...) and hands each socket at most
one frame of the event: the first tier whose groups it is in. Frames arrive
pre-encoded (JSON text built once by the sender), so a socket only forwards text.

A socket registered here implements:

    async deliver(event_name, text)                  send one pre-encoded frame
    async conversation_access(conversation_id, viewer_groups)
        -> True when the socket lost that conversation (it then said so itself)
    async access_changed(access)                     the user's teams/role/active changed

The hub handles events strictly in arrival order, so a change of access (a
conversation moved, an agent left a team) applies before the next event is sent.
"""
import asyncio
import logging
import weakref

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

LIVE_GROUP = "live"
EVENT_MESSAGE = "live.event"
ACCESS_MESSAGE = "live.access"
# channels_redis forgets group members after a day: the hub says it is here again well before that.
GROUP_REFRESH_SECONDS = 3600
RECEIVE_RETRY_SECONDS = 1


class Hub:
    def __init__(self, layer):
        self.layer = layer
        self.members = {}  # group -> set of sockets
        self.groups_of = {}  # socket -> set of groups
        self.channel = None
        self.tasks = ()
        self.lock = asyncio.Lock()  # one start at a time

    # --- membership (called by the sockets of this process) ------------------------------------------
    async def register(self, socket, groups):
        self.groups_of.setdefault(socket, set())
        for group in groups:
            self.join(socket, group)
        async with self.lock:
            if self.channel is None:
                channel = await self.layer.new_channel()
                await self.layer.group_add(LIVE_GROUP, channel)
                self.channel = channel
                self.tasks = (asyncio.create_task(self._receive(channel)), asyncio.create_task(self._refresh(channel)))

    def join(self, socket, group):
        joined = self.groups_of.get(socket)
        if joined is None or group in joined:
            return
        joined.add(group)
        self.members.setdefault(group, set()).add(socket)

    def leave(self, socket, group):
        joined = self.groups_of.get(socket)
        if joined is None or group not in joined:
            return
        joined.discard(group)
        members = self.members.get(group)
        members.discard(socket)
        if not members:
            del self.members[group]

    def groups(self, socket):
        return frozenset(self.groups_of.get(socket, ()))

    async def unregister(self, socket):
        for group in list(self.groups_of.get(socket, ())):
            self.leave(socket, group)
        self.groups_of.pop(socket, None)
        if self.groups_of or self.channel is None or self.lock.locked():
            return
        # The last socket left: stop listening. The state is reset before any await, so a socket
        # arriving meanwhile (or this task being cancelled, as daphne does to slow disconnects)
        # always finds a hub that either listens or knows it must start again.
        channel, tasks = self.channel, self.tasks
        self.channel, self.tasks = None, ()
        for task in tasks:
            task.cancel()
        await self.layer.group_discard(LIVE_GROUP, channel)

    # --- the process's one subscription ----------------------------------------------------------------
    async def _refresh(self, channel):
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            await self.layer.group_add(LIVE_GROUP, channel)

    async def _receive(self, channel):
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:  # Redis went away for a moment: keep listening once it is back
                logger.exception("live events: receiving failed, trying again")
                await asyncio.sleep(RECEIVE_RETRY_SECONDS)
                continue
            try:
                await self.handle(message)
            except Exception:  # one broken event or socket must not stop the process's live events
                logger.exception("live event %s could not be fanned out", message.get("event"))

    # --- events ------------------------------------------------------------------------------------------
    async def handle(self, message):
        if message.get("type") == ACCESS_MESSAGE:
            for socket in list(self.members.get(message["group"], ())):
                await socket.access_changed(message["access"])
            return
        done = set()
        access = message.get("access")
        if access:
            conversation_id, viewer_groups = access
            for socket in list(self.members.get(f"conversation.{conversation_id}", ())):
                if await socket.conversation_access(conversation_id, frozenset(viewer_groups)):
                    done.add(socket)
        for groups, event_name, text in message["tiers"]:
            for group in groups:
                for socket in list(self.members.get(group, ())):
                    if socket not in done:
                        done.add(socket)
                        await socket.deliver(event_name, text)


_hubs = weakref.WeakKeyDictionary()  # event loop -> Hub


def hub():
    """This process's hub, on the running event loop (tests run several loops and layers, one after the other)."""
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    current = _hubs.get(loop)
    if current is None or current.layer is not layer:
        current = _hubs[loop] = Hub(layer)
    return current
