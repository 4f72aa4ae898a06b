"""Fixed-window counters in Django's cache (Redis in production, so shared by every process).

The web chat's limits and the sign-in limits count with these.
"""
from django.core.cache import cache


def _key(action, key, now_seconds, window):
    return f"rate:{action}:{key}:{int(now_seconds // window)}"


def count(action, key, now_seconds, window):
    """Count one `action` by `key` in the current window; returns how many there were in it, this one included."""
    cache_key = _key(action, key, now_seconds, window)
    # add() is atomic: only the first request of a window creates the counter.
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        return cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr: a new window starts
        cache.add(cache_key, 1, timeout=window + 1)
        return 1


def counted(action, key, now_seconds, window):
    """How many `action`s by `key` the current window has seen so far (without counting one)."""
    return cache.get(_key(action, key, now_seconds, window), 0)
