"""The agent's own language and time zone, over what the browser says."""
import zoneinfo
from functools import lru_cache

from django.utils import timezone, translation

from conversations.visibility import profile_of

# Set by the console's script from the browser (Intl), used until the agent picks a time zone.
BROWSER_TIME_ZONE_COOKIE = "omnidesk_tz"


@lru_cache(maxsize=1)
def _known_zones():
    return frozenset(zoneinfo.available_timezones())


def _zone(name):
    return zoneinfo.ZoneInfo(name) if name and name in _known_zones() else None


class AgentPreferencesMiddleware:
    """Runs after AuthenticationMiddleware and LocaleMiddleware (which already read the browser's language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = profile_of(request.user) if request.user.is_authenticated else None
        if profile and profile.language:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = translation.get_language()
        zone = _zone(profile.time_zone if profile else "") or _zone(request.COOKIES.get(BROWSER_TIME_ZONE_COOKIE))
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
