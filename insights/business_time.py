"""Business time between two instants, for response and resolution times.

Reports call `business_seconds(start, end, team_id)`, which uses the function named by
settings.INSIGHTS_BUSINESS_SECONDS. The default counts the opening hours of settings.INSIGHTS_OPENING_HOURS
(one calendar for everyone); a business-calendar app (per-team calendars, holidays) plugs its own in by
naming a function with the same signature.
"""
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string


def calendar_seconds(start, end, team_id=None):
    return max(0.0, (end - start).total_seconds())


def _clock(value):
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def opening_hours_seconds(start, end, team_id=None):
    """Seconds of [start, end) that fall on an opening day between its opening and closing times."""
    if end <= start:
        return 0.0
    hours = settings.INSIGHTS_OPENING_HOURS
    zone = ZoneInfo(hours["time_zone"])
    opens, closes = _clock(hours["start"]), _clock(hours["end"])
    weekdays = set(hours["weekdays"])
    day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    total = 0.0
    while day <= last_day:
        if day.weekday() in weekdays:
            day_open = datetime.combine(day, opens, tzinfo=zone)
            day_close = datetime.combine(day, closes, tzinfo=zone)
            overlap = (min(end, day_close) - max(start, day_open)).total_seconds()
            total += max(0.0, overlap)
        day += timedelta(days=1)
    return total


@lru_cache(maxsize=4)
def _function(path):
    return import_string(path)


def business_seconds(start, end, team_id=None):
    return float(_function(settings.INSIGHTS_BUSINESS_SECONDS)(start, end, team_id))
