"""Which teams have an agent at the console right now, kept in the cache with a short lifetime.

The console marks the agent online when their first websocket connection opens
and on each ping of any of them, and offline when the last one closes (an agent
with two tabs stays online while one is open). Each agent's entry expires on its
own: a crashed browser or server stops counting even while colleagues keep
pinging. An entry per agent, not per connection, keeps each update as small as
the team, however many tabs are open. Redis in production makes this shared by
every process. A lost update between two simultaneous connects is repaired by
the next ping.
"""
import time

from django.conf import settings
from .shared_cache import shared_cache

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


def _live(agents, now):
    return {user_id: expires_at for user_id, expires_at in agents.items() if expires_at > now}


def _update(team_ids, change):
    now = time.time()
    keys = [_key(team_id) for team_id in [*team_ids, ANY_TEAM]]
    found = shared_cache().get_many(keys)
    updated = {}
    for key in keys:
        agents = _live(found.get(key) or {}, now)
        change(agents, now)
        updated[key] = agents
    shared_cache().set_many(updated, timeout=presence_seconds())


def mark_agent_online(user_id, team_ids):
    """Called when an agent's first console connection opens and on each ping of any of them."""
    _update(team_ids, lambda agents, now: agents.__setitem__(user_id, now + presence_seconds()))


def mark_agent_offline(user_id, team_ids):
    _update(team_ids, lambda agents, now: agents.pop(user_id, None))


def agents_online(team_id=None):
    """Ids of agents online for `team_id` (None: for any team)."""
    agents = shared_cache().get(_key(team_id if team_id is not None else ANY_TEAM)) or {}
    return set(_live(agents, time.time()))
