"""Business time: when a calendar is open, and exact arithmetic over its open periods.

A calendar is evaluated in its IANA time zone, day by day in local wall-clock time; each local
interval is turned into UTC instants, so a day that loses or gains an hour (DST) loses or gains
it in business time too, exactly. An interval whose end is not after its start runs into the
next day; a date exception (holiday, special hours) replaces the intervals that START that day.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# How far ahead to look for an open period before deciding a calendar never opens.
HORIZON_DAYS = 2 * 366


class CalendarError(ValueError):
    """A calendar definition that cannot be used; the message says what is wrong."""


@dataclass(frozen=True)
class Schedule:
    """A calendar ready for arithmetic; `zone` None means always open (calendar time)."""

    zone: ZoneInfo | None = None
    weekly: dict = field(default_factory=dict)  # weekday (0 = Monday) -> ((start minute, end minute), ...)
    exceptions: dict = field(default_factory=dict)  # date -> ((start minute, end minute), ...)

    @property
    def always_open(self):
        return self.zone is None


ALWAYS_OPEN = Schedule()


def parse_time(text):
    """"HH:MM" -> minutes since midnight; "24:00" is allowed as an end."""
    hours, _colon, minutes = str(text).partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise CalendarError(_("%(text)s is not a time such as 09:30") % {"text": repr(text)})
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > MINUTES_PER_DAY:
        raise CalendarError(_("%(text)s is not a time of day") % {"text": repr(text)})
    return value


def parse_intervals(items, where):
    """[["09:00", "17:00"], ["22:00", "02:00"]] -> ((540, 1020), (1320, 120)), checked."""
    if not isinstance(items, list):
        raise CalendarError(_("%(where)s: a list of [start, end] pairs") % {"where": where})
    intervals = []
    for item in items:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            raise CalendarError(_("%(where)s: each interval is [start, end]") % {"where": where})
        try:
            start, end = parse_time(item[0]), parse_time(item[1])
        except CalendarError as exc:
            raise CalendarError("%s: %s" % (where, exc)) from None
        if start == MINUTES_PER_DAY:
            raise CalendarError(_("%(where)s: an interval cannot start at 24:00") % {"where": where})
        if start == end:
            raise CalendarError(_("%(where)s: %(start)s-%(end)s is empty") % {
                "where": where, "start": item[0], "end": item[1]})
        intervals.append((start, end))
    spans = sorted((start, end if end > start else end + MINUTES_PER_DAY) for start, end in intervals)
    for (_s1, e1), (s2, _e2) in zip(spans, spans[1:]):
        if s2 < e1:
            raise CalendarError(_("%(where)s: intervals overlap") % {"where": where})
    return tuple(sorted(intervals))


def clean_weekly_hours(value):
    """Validate {"mon": [["09:00", "17:00"]], ...}; returns it normalised (days left out are closed)."""
    if not isinstance(value, dict):
        raise CalendarError(_('Weekly hours are {"mon": [["09:00", "17:00"]], ...}'))
    unknown = sorted(set(value) - set(WEEKDAYS))
    if unknown:
        raise CalendarError(_("Unknown weekday %(day)s; use %(days)s.") % {
            "day": repr(unknown[0]), "days": ", ".join(WEEKDAYS)})
    cleaned = {}
    for day in WEEKDAYS:
        if value.get(day):
            parse_intervals(value[day], day)
            cleaned[day] = [[str(start), str(end)] for start, end in value[day]]
    return cleaned


def clean_time_zone(name):
    try:
        return ZoneInfo(str(name or ""))
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(
            _("%(name)s is not an IANA time zone such as America/Sao_Paulo") % {"name": repr(name)}) from None


def build_schedule(time_zone, weekly_hours, exceptions=None):
    """A Schedule from stored values: weekly hours by weekday name, exceptions {date: [[start, end]...]}."""
    zone = clean_time_zone(time_zone)
    weekly = {index: parse_intervals(weekly_hours.get(day) or [], day) for index, day in enumerate(WEEKDAYS)}
    exceptions = {day: parse_intervals(intervals, str(day)) for day, intervals in (exceptions or {}).items()}
    return Schedule(zone, weekly, exceptions)


def _instant(zone, day, minute):
    days, minute = divmod(minute, MINUTES_PER_DAY)
    local = datetime.combine(day + timedelta(days=days), time(minute // 60, minute % 60), tzinfo=zone)
    return local.astimezone(UTC)


def _day_periods(schedule, day):
    intervals = schedule.exceptions[day] if day in schedule.exceptions else schedule.weekly.get(day.weekday(), ())
    for start, end in intervals:
        end = end if end > start else end + MINUTES_PER_DAY
        yield _instant(schedule.zone, day, start), _instant(schedule.zone, day, end)


def open_periods(schedule, start, until=None):
    """The open periods from `start` on, as (from, to) UTC instants, merged and clipped to `start`."""
    if schedule.always_open:
        yield start, until or datetime.max.replace(tzinfo=UTC)
        return
    # The day before: its interval may run past midnight into `start`'s day.
    day = start.astimezone(schedule.zone).date() - timedelta(days=1)
    last_day = day + timedelta(days=HORIZON_DAYS)
    pending = None
    while day <= last_day:
        for begin, end in sorted(_day_periods(schedule, day)):
            if end <= start:
                continue
            begin = max(begin, start)
            if pending and begin <= pending[1]:
                pending = (pending[0], max(pending[1], end))
                continue
            if pending:
                yield pending
            if until is not None and begin >= until:
                return
            pending = (begin, end)
            last_day = day + timedelta(days=HORIZON_DAYS)
        day += timedelta(days=1)
    if pending:
        yield pending


def add_business_time(schedule, start, seconds):
    """The instant `seconds` of open time after `start`; None when the calendar never opens again."""
    if seconds <= 0:
        return start
    remaining = timedelta(seconds=seconds)
    for begin, end in open_periods(schedule, start):
        if remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    return None


def business_seconds_between(schedule, start, end):
    """Open seconds in [start, end)."""
    if end <= start:
        return 0.0
    total = timedelta()
    for begin, finish in open_periods(schedule, start, until=end):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total.total_seconds()


def periods_between(schedule, start, end, limit=50):
    """Up to `limit` open periods within [start, end): what the console counts down over."""
    periods = []
    for begin, finish in open_periods(schedule, start, until=end):
        if begin >= end or len(periods) >= limit:
            break
        periods.append((begin, min(finish, end)))
    return periods


def is_open(schedule, at):
    for begin, _end in open_periods(schedule, at):
        return begin <= at
    return False


def next_opening(schedule, at):
    """When the calendar is next open at or after `at` (`at` itself when open); None: never."""
    for begin, _end in open_periods(schedule, at):
        return begin
    return None
