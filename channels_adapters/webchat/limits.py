"""Fixed-window rate limits kept in Django's cache (Redis in production, so shared by every process)."""
from django.conf import settings
from django.core.cache import cache


def allow(action, key, now_seconds):
    """Count one `action` by `key` (a visitor id or an IP address); False once over the limit.

    Limits come from settings.WEBCHAT_RATE_LIMITS: {action: (count, window seconds)}.
    """
    count, window = settings.WEBCHAT_RATE_LIMITS[action]
    bucket = int(now_seconds // window)
    cache_key = f"webchat:rate:{action}:{key}:{bucket}"
    # add() is atomic: only the first request of a window creates the counter.
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr: a new window starts
        cache.add(cache_key, 1, timeout=window + 1)
        used = 1
    return used <= count


def allow_visitor_and_ip(action, visitor_id, ip, now_seconds):
    """Both limits of `action` ("message": "message_visitor" and "message_ip"); both are counted."""
    visitor_ok = allow(f"{action}_visitor", visitor_id, now_seconds)
    ip_ok = allow(f"{action}_ip", ip, now_seconds)
    return visitor_ok and ip_ok
