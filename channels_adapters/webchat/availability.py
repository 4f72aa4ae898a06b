"""Is someone there? The widget's business hours (a business calendar, or the older inline hours) and agents
online for the channel's team."""
from datetime import datetime

from conversations.presence import agents_online
from routing import calendars
from routing.models import BusinessCalendar
from routing.schedules import schedule_for

from ..base import ConfigError

WEEKDAYS = calendars.WEEKDAYS


def _minutes(text):
    return calendars.parse_time(text)


def clean_business_hours(value):
    """{"timezone": "America/Sao_Paulo", "days": {"mon": [["09:00", "18:00"]], ...}}; days left out are closed.

    The inline form predates business calendars (`business_calendar`) and keeps working."""
    error = ConfigError({"business_hours": 'must be {"timezone": "Area/City", "days": {"mon": [["09:00", "18:00"]]}}'})
    if not isinstance(value, dict) or set(value) - {"timezone", "days"} or not isinstance(value.get("days"), dict):
        raise error
    try:
        calendars.clean_time_zone(value.get("timezone"))
    except calendars.CalendarError:
        raise ConfigError({"business_hours": "timezone must be an IANA time zone such as America/Sao_Paulo"}) from None
    days = {}
    for day, ranges in value["days"].items():
        if day not in WEEKDAYS or not isinstance(ranges, list):
            raise error
        cleaned = []
        for item in ranges:
            if not (isinstance(item, list) and len(item) == 2 and all(isinstance(t, str) for t in item)):
                raise error
            try:
                start, end = _minutes(item[0]), _minutes(item[1])
            except calendars.CalendarError:
                raise error from None
            if start >= end:
                raise ConfigError({"business_hours": f"{day}: {item[0]}-{item[1]} ends before it starts"})
            cleaned.append([item[0], item[1]])
        days[day] = cleaned
    return {"timezone": value["timezone"], "days": days}


def clean_business_calendar(value):
    """The id of a business calendar (routing's), whose hours, holidays and overrides the widget follows."""
    if not isinstance(value, int) or isinstance(value, bool) or not BusinessCalendar.objects.filter(pk=value).exists():
        raise ConfigError({"business_calendar": "must be the id of a business calendar"})
    return value


def _schedule(config):
    if config.get("business_calendar"):
        calendar = (BusinessCalendar.objects.prefetch_related("exceptions")
                    .filter(pk=config["business_calendar"]).first())
        # A calendar deleted since: closed rather than open around the clock.
        return schedule_for(calendar) if calendar else calendars.build_schedule("UTC", {})
    hours = config.get("business_hours")
    if hours:
        return calendars.build_schedule(hours["timezone"], hours["days"])
    return None


def within_business_hours(config, now):
    schedule = _schedule(config)
    return schedule is None or calendars.is_open(schedule, now)


def is_available(channel, config, now: datetime):
    """True when the widget may promise a live answer; otherwise it asks for an email."""
    return within_business_hours(config, now) and bool(agents_online(channel.team_id))
