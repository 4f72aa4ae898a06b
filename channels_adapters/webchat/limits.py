"""The web chat's rate limits (fixed windows in the cache, conversations.rate_limits)."""
from django.conf import settings

from conversations import rate_limits


def allow(action, key, now_seconds):
    """Count one `action` by `key` (a visitor id or an IP address); False once over the limit.

    Limits come from settings.WEBCHAT_RATE_LIMITS: {action: (count, window seconds)}.
    """
    count, window = settings.WEBCHAT_RATE_LIMITS[action]
    return rate_limits.count(f"webchat:{action}", key, now_seconds, window) <= count


def allow_visitor_and_ip(action, visitor_id, ip, now_seconds):
    """Both limits of `action` ("message": "message_visitor" and "message_ip"); both are counted."""
    visitor_ok = allow(f"{action}_visitor", visitor_id, now_seconds)
    ip_ok = allow(f"{action}_ip", ip, now_seconds)
    return visitor_ok and ip_ok
