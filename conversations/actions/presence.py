"""Who is online, away, viewing or typing: ephemeral state kept in the cache (Redis in production), never the database.

Every connection sends a heartbeat; presence and viewing expire on their own
when a process dies without saying goodbye.
"""
import time
from dataclasses import dataclass


from .. import presence as team_presence
from ..shared_cache import shared_cache
from ..signals import agent_presence_changed
from ..visibility import display_name, team_ids

ONLINE, AWAY, OFFLINE = "online", "away", "offline"
STATUSES = (ONLINE, AWAY)


@dataclass(frozen=True)
class Agent:
    """What presence needs to know of a connected agent, read once from the database when they connect."""

    user_id: int
    name: str
    team_ids: tuple


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    status: str
    team_ids: tuple


@dataclass(frozen=True)
class Viewers:
    conversation_id: int
    viewers: tuple  # (user id, name) pairs


@dataclass(frozen=True)
class Typing:
    """Someone typing in a conversation: an agent (user_id), or the customer in the web chat (user_id None)."""

    conversation_id: int
    user_id: int | None
    name: str
    typing: bool = True
    # An agent writing a private note: other agents see it, the customer never does.
    private: bool = False


def describe(user):
    return Agent(user.pk, display_name(user), tuple(team_ids(user)))


def _status_key(user_id):
    return f"presence:status:{user_id}"


def _connections_key(user_id):
    return f"presence:connections:{user_id}"


def _viewers_key(conversation_id):
    return f"presence:viewers:{conversation_id}"


def _presence(agent, status):
    return Presence(agent.user_id, agent.name, status, agent.team_ids)


def _status_entry(status):
    # The expiry travels with the value (not only as the cache's TTL), so "heartbeat older than
    # AGENT_PRESENCE_SECONDS = offline" holds to the second, whatever the cache backend.
    return (status, time.time() + team_presence.presence_seconds())


def _live_status(entry):
    return entry[0] if entry and entry[1] > time.time() else None


def _presence(agent, status):
    return Presence(agent.user_id, agent.name, status, agent.team_ids)


def connected(agent):
    """A console connection opened. Returns the agent's Presence when this made them online (their first
    connection), else None: another tab already said where they are, and nobody needs telling again."""
    shared_cache().add(_connections_key(agent.user_id), 0, timeout=None)
    if shared_cache().incr(_connections_key(agent.user_id)) > 1:
        return None
    return heartbeat(agent, _live_status(shared_cache().get(_status_key(agent.user_id))) or ONLINE, force=True)


def heartbeat(agent, status, force=False):
    """Refresh the agent's presence; returns a Presence when it changed (or `force`), else None.

    The web chat's team index (conversations/presence.py) counts the agent while they are online:
    an agent who is away does not answer a chat soon.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown presence status {status!r}")
    if status == ONLINE:
        team_presence.mark_agent_online(agent.user_id, agent.team_ids)
    else:
        team_presence.mark_agent_offline(agent.user_id, agent.team_ids)
    previous = _live_status(shared_cache().get(_status_key(agent.user_id)))
    shared_cache().set(_status_key(agent.user_id), _status_entry(status), timeout=team_presence.presence_seconds())
    if not (force or previous != status):
        return None
    agent_presence_changed.send(sender=Agent, user_id=agent.user_id, status=status)
    return _presence(agent, status)


def choose_status(agent, status):
    """Set the status an agent's open consoles report (the API's way); None when no console of theirs is open,
    as a status is only ever kept alive by a console's heartbeat."""
    if status not in STATUSES:
        raise ValueError(f"unknown presence status {status!r}")
    previous = _live_status(shared_cache().get(_status_key(agent.user_id)))
    if previous is None:
        return None
    shared_cache().set(_status_key(agent.user_id), _status_entry(status), timeout=team_presence.presence_seconds())
    if previous != status:
        agent_presence_changed.send(sender=Agent, user_id=agent.user_id, status=status)
    return _presence(agent, status)


def disconnected(agent):
    """A connection closed; returns the offline Presence when it was the agent's last one."""
    try:
        remaining = shared_cache().decr(_connections_key(agent.user_id))
    except ValueError:
        remaining = 0
    if remaining > 0:
        return None
    team_presence.mark_agent_offline(agent.user_id, agent.team_ids)
    shared_cache().delete_many([_status_key(agent.user_id), _connections_key(agent.user_id)])
    agent_presence_changed.send(sender=Agent, user_id=agent.user_id, status=OFFLINE)
    return _presence(agent, OFFLINE)


def statuses(user_ids):
    """{user id: online/away/offline} for `user_ids`."""
    found = shared_cache().get_many([_status_key(user_id) for user_id in user_ids])
    return {user_id: _live_status(found.get(_status_key(user_id))) or OFFLINE for user_id in user_ids}


def _live_viewers(conversation_id):
    now = time.time()
    entries = shared_cache().get(_viewers_key(conversation_id)) or {}
    return {user_id: entry for user_id, entry in entries.items() if entry[1] > now}


def _as_viewers(conversation_id, entries):
    return Viewers(conversation_id, tuple((user_id, name) for user_id, (name, _expiry) in sorted(entries.items())))


def _save_viewers(conversation_id, entries):
    shared_cache().set(_viewers_key(conversation_id), entries, timeout=team_presence.presence_seconds())
    return _as_viewers(conversation_id, entries)


def start_viewing(agent, conversation_id):
    entries = _live_viewers(conversation_id)
    entries[agent.user_id] = (agent.name, time.time() + team_presence.presence_seconds())
    return _save_viewers(conversation_id, entries)


def stop_viewing(agent, conversation_id):
    entries = _live_viewers(conversation_id)
    entries.pop(agent.user_id, None)
    return _save_viewers(conversation_id, entries)


def viewers_of(conversation_id):
    return _as_viewers(conversation_id, _live_viewers(conversation_id))


def typing(agent, conversation_id, private=False):
    return Typing(conversation_id, agent.user_id, agent.name, private=private)


def customer_typing(conversation_id, name, typing):
    return Typing(conversation_id, None, name, typing=typing)
