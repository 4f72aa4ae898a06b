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


def _open_seconds(day, start, end, zone, opens, closes):
    day_open = datetime.combine(day, opens, tzinfo=zone)
    day_close = datetime.combine(day, closes, tzinfo=zone)
    return max(0.0, (min(end, day_close) - max(start, day_open)).total_seconds())


def opening_hours_seconds(start, end, team_id=None):
    """Seconds of [start, end) that fall on an opening day between its opening and closing times.

    Whole weeks in the middle of a long span count as whole weeks (a daylight-saving change inside
    them is not corrected for); the days around them are counted one by one.
    """
    if end <= start:
        return 0.0
    hours = settings.INSIGHTS_OPENING_HOURS
    zone = ZoneInfo(hours["time_zone"])
    opens, closes = _clock(hours["start"]), _clock(hours["end"])
    weekdays = set(hours["weekdays"])
    day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    total = 0.0
    weeks = max(0, ((last_day - day).days - 1) // 7)
    if weeks:
        daily = (datetime.combine(day, closes) - datetime.combine(day, opens)).total_seconds()
        total += weeks * len(weekdays) * max(0.0, daily)
    skip_from = day + timedelta(days=1)
    skip_to = skip_from + timedelta(days=7 * weeks)
    while day <= last_day:
        if skip_from <= day < skip_to:
            day = skip_to
            continue
        if day.weekday() in weekdays:
            total += _open_seconds(day, start, end, zone, opens, closes)
        day += timedelta(days=1)
    return total


@lru_cache(maxsize=4)
def _function(path):
    return import_string(path)


def business_seconds(start, end, team_id=None):
    return float(_function(settings.INSIGHTS_BUSINESS_SECONDS)(start, end, team_id))
