"""When a repeating campaign runs next: wall-clock time in the shop's zone, so "Mondays at 10:00" stays 10:00
across daylight-saving changes (pure arithmetic, no database)."""
import zoneinfo
from datetime import UTC, datetime, timedelta

DAILY, WEEKLY = "daily", "weekly"


def _instant(day, at_time, zone):
    """The UTC instant of `at_time` on `day` in `zone`. With fold=0 a local time a DST change skips lands an
    hour later, and one it repeats is its first occurrence: once a day, never twice."""
    return datetime.combine(day, at_time, tzinfo=zone).astimezone(UTC)


def next_run(repeat, weekdays, at_time, time_zone, after, until=None):
    """The first occurrence strictly after `after`, or None when the series ends (`until`, a local date)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    day = after.astimezone(zone).date()
    for _offset in range(8):
        if repeat == DAILY or (repeat == WEEKLY and day.weekday() in weekdays):
            instant = _instant(day, at_time, zone)
            if instant > after:
                return None if until is not None and day > until else instant
        day += timedelta(days=1)
    return None
