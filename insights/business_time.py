"""Business time between two instants, for response and resolution times.

Reports call `business_seconds(start, end, team_id)`, which uses the function named by
settings.INSIGHTS_BUSINESS_SECONDS. The default, `team_calendar_seconds`, counts the open time of the
team's business calendar (routing's: the one its assignment policy counts in, holidays and special
hours included); a team without one counts settings.INSIGHTS_OPENING_HOURS.
"""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string

from routing.calendars import business_seconds_between
from routing.models import AssignmentPolicy
from routing.schedules import schedule_for


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


_schedules = ContextVar("insights_team_schedules", default=None)


@contextmanager
def calendars_read_once():
    """Within this block each team's calendar is read from the database once (a refresh of many cycles)."""
    token = _schedules.set({})
    try:
        yield
    finally:
        _schedules.reset(token)


def _team_schedule(team_id):
    known = _schedules.get()
    if known is not None and team_id in known:
        return known[team_id]
    policy = (AssignmentPolicy.objects.filter(team_id=team_id, calendar__isnull=False)
              .select_related("calendar").prefetch_related("calendar__exceptions").first())
    schedule = schedule_for(policy.calendar) if policy else None
    if known is not None:
        known[team_id] = schedule
    return schedule


def team_calendar_seconds(start, end, team_id=None):
    """Open seconds of [start, end) in the team's business calendar, else in the default opening hours."""
    schedule = _team_schedule(team_id) if team_id else None
    if schedule is None:
        return opening_hours_seconds(start, end, team_id)
    return business_seconds_between(schedule, start, end)


@lru_cache(maxsize=4)
def _function(path):
    return import_string(path)


def business_seconds(start, end, team_id=None):
    return float(_function(settings.INSIGHTS_BUSINESS_SECONDS)(start, end, team_id))
