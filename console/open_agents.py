"""The agents with a console open in this process, looked up and marked present once for all their sockets.

An agent's tabs, or thousands of consoles reconnecting after a deploy, each
need who the agent is (name, teams, role) and must mark them present: this
is done by their first socket in the process, and undone by their last one.
A later socket of the same agent costs its session lookup and nothing else.

Their last socket is undone only after a short grace (AGENT_DISCONNECT_GRACE_SECONDS): a page
reload or a dropped connection reconnects within it, so the agent never looks offline and routing
never takes their conversations back for it. The count of sockets lives in the shared cache, so
the reconnection may reach any process.
"""
import asyncio
import weakref
from collections import defaultdict
from dataclasses import dataclass, replace

from asgiref.sync import sync_to_async
from channels.db import DatabaseSyncToAsync
from django.conf import settings

from conversations import events
from conversations.actions import presence
from conversations.visibility import sees_everything


@dataclass
class OpenAgent:
    agent: presence.Agent
    groups: list
    sockets: int = 0

    def take_access(self, access):
        """The agent's teams or role changed (conversations/events.py access_of)."""
        self.groups = list(access["groups"])
        self.agent = replace(self.agent, team_ids=tuple(access["team_ids"]))


def _describe_sync(user):
    agent = presence.describe(user)
    return OpenAgent(agent, events.agent_groups(user.pk, agent.team_ids, sees_everything(user)))


# A thread of the pool, not the one thread that thread-sensitive code shares: connections after a
# deploy arrive by the thousand and need not queue behind each other.
_describe = DatabaseSyncToAsync(_describe_sync, thread_sensitive=False)
_connected = DatabaseSyncToAsync(presence.connected, thread_sensitive=False)
_leave = sync_to_async(presence.disconnected, thread_sensitive=False)


async def wait_out_grace(seconds):
    """The clock the disconnect grace is waited on (the tests hold it, as they freeze time elsewhere)."""
    await asyncio.sleep(seconds)


class OpenAgents:
    def __init__(self):
        self.entries = {}  # user id -> OpenAgent
        self.locks = defaultdict(asyncio.Lock)  # one arrival or departure of an agent at a time
        self.departures = set()  # last sockets waiting out the disconnect grace (kept until done)

    async def arrive(self, user):
        """A socket of `user` opened: (their OpenAgent, whether it is their first socket in this process)."""
        async with self.locks[user.pk]:
            entry = self.entries.get(user.pk)
            first = entry is None
            if first:
                entry = await _describe(user)
                self.entries[user.pk] = entry
            entry.sockets += 1
            return entry, first

    async def present(self, entry):
        """Mark the agent present, once their socket hears events: what presence sets off (routing hands them
        queued conversations) must reach it. Their Presence when this made them online, else None."""
        return await _connected(entry.agent)

    async def leave(self, user_id):
        """A socket closed: the agent's offline Presence when it was their last one anywhere, else None.
        The last socket of the process is given back after the disconnect grace, which sends the offline
        Presence itself if the agent has not come back by then."""
        async with self.locks[user_id]:
            entry = self.entries[user_id]
            entry.sockets -= 1
            if entry.sockets:
                return None
            del self.entries[user_id]
            grace = settings.AGENT_DISCONNECT_GRACE_SECONDS
            if grace <= 0:
                return await _leave(entry.agent)
        departure = asyncio.get_running_loop().create_task(self._depart_after(entry.agent, grace))
        self.departures.add(departure)
        departure.add_done_callback(self.departures.discard)
        return None

    async def _depart_after(self, agent, grace):
        await wait_out_grace(grace)
        offline = await _leave(agent)
        if offline is not None:
            await events.emit_now(events.PRESENCE_CHANGED, offline)


_registries = weakref.WeakKeyDictionary()  # event loop -> OpenAgents (tests run one loop after another)


def open_agents():
    loop = asyncio.get_running_loop()
    if loop not in _registries:
        _registries[loop] = OpenAgents()
    return _registries[loop]
