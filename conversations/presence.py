"""Which teams have an agent at the console right now, kept in the cache with a short lifetime.

The console marks its agents online when their websocket connects and on
each heartbeat, and offline when it closes; a crashed browser simply
expires. Redis in production makes this shared by every process.
"""
from django.conf import settings
from django.core.cache import cache

ANY_TEAM = "any"


def _key(team_id):
    return f"presence:team:{team_id}"


def mark_agent_online(user_id, team_ids):
    """Called on connect and on each heartbeat of an agent's console."""
    lifetime = settings.AGENT_PRESENCE_SECONDS
    for team_id in [*team_ids, ANY_TEAM]:
        agents = cache.get(_key(team_id)) or set()
        agents.add(user_id)
        cache.set(_key(team_id), agents, timeout=lifetime)


def mark_agent_offline(user_id, team_ids):
    for team_id in [*team_ids, ANY_TEAM]:
        agents = cache.get(_key(team_id)) or set()
        agents.discard(user_id)
        cache.set(_key(team_id), agents, timeout=settings.AGENT_PRESENCE_SECONDS)


def agents_online(team_id=None):
    """Ids of agents online for `team_id` (None: for any team)."""
    return set(cache.get(_key(team_id if team_id is not None else ANY_TEAM)) or set())
