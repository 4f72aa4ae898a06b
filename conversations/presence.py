"""Which teams have an agent at the console right now, kept in the cache with a short lifetime.

The console marks each of its websocket connections online when it connects
and on each ping, and offline when it closes (an agent with two tabs stays
online while one is open). Each connection expires on its own: a crashed
browser or server stops counting even while colleagues keep pinging.
Redis in production makes this shared by every process. A lost update
between two simultaneous connects is repaired by the next ping.
"""
import time

from django.conf import settings
from django.core.cache import cache

ANY_TEAM = "any"


def presence_seconds():
    """How long a connection counts after its last ping."""
    return settings.AGENT_PRESENCE_SECONDS


def heartbeat_seconds():
    """How often the console pings: a third of the lifetime, so one late or lost ping (a background tab's
    timers run once a minute at worst) never makes an agent look offline."""
    return max(1, presence_seconds() // 3)


def _key(team_id):
    return f"presence:team:{team_id}"


def _live(connections, now):
    return {connection: entry for connection, entry in connections.items() if entry[1] > now}


def _update(team_ids, change):
    now = time.time()
    for team_id in [*team_ids, ANY_TEAM]:
        connections = _live(cache.get(_key(team_id)) or {}, now)
        change(connections, now)
        cache.set(_key(team_id), connections, timeout=presence_seconds())


def mark_agent_online(connection, user_id, team_ids):
    """Called when an agent's console connection opens and on each of its pings."""
    _update(team_ids, lambda connections, now: connections.__setitem__(
        connection, (user_id, now + presence_seconds())))


def mark_agent_offline(connection, team_ids):
    _update(team_ids, lambda connections, now: connections.pop(connection, None))


def agents_online(team_id=None):
    """Ids of agents online for `team_id` (None: for any team)."""
    connections = cache.get(_key(team_id if team_id is not None else ANY_TEAM)) or {}
    return {user_id for user_id, _expires_at in _live(connections, time.time()).values()}
