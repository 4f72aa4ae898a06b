"""Which teams have an agent at the console right now, kept in the cache with a short lifetime.

The console marks each of its websocket connections online when it connects
and on each ping, and offline when it closes (an agent with two tabs stays
online while one is open); a crashed browser or server simply expires.
Redis in production makes this shared by every process. A lost update
between two simultaneous connects is repaired by the next ping.
"""
from django.conf import settings
from django.core.cache import cache

ANY_TEAM = "any"


def _key(team_id):
    return f"presence:team:{team_id}"


def _update(team_ids, change):
    for team_id in [*team_ids, ANY_TEAM]:
        connections = cache.get(_key(team_id)) or {}
        change(connections)
        cache.set(_key(team_id), connections, timeout=settings.AGENT_PRESENCE_SECONDS)


def mark_agent_online(connection, user_id, team_ids):
    """Called when an agent's console connection opens and on each of its pings."""
    _update(team_ids, lambda connections: connections.__setitem__(connection, user_id))


def mark_agent_offline(connection, team_ids):
    _update(team_ids, lambda connections: connections.pop(connection, None))


def agents_online(team_id=None):
    """Ids of agents online for `team_id` (None: for any team)."""
    return set((cache.get(_key(team_id if team_id is not None else ANY_TEAM)) or {}).values())
