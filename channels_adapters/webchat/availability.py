"""Is someone there? Business hours (optional) and agents online for the channel's team."""
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversations.presence import agents_online

from ..base import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(text):
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(text)
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 24 * 60 or int(minutes) >= 60:
        raise ValueError(text)
    return value


def clean_business_hours(value):
    """{"timezone": "America/Sao_Paulo", "days": {"mon": [["09:00", "18:00"]], ...}}; days left out are closed."""
    error = ConfigError({"business_hours": 'must be {"timezone": "Area/City", "days": {"mon": [["09:00", "18:00"]]}}'})
    if not isinstance(value, dict) or set(value) - {"timezone", "days"} or not isinstance(value.get("days"), dict):
        raise error
    try:
        ZoneInfo(str(value.get("timezone") or ""))
    except (ZoneInfoNotFoundError, ValueError):
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
            except ValueError:
                raise error from None
            if start >= end:
                raise ConfigError({"business_hours": f"{day}: {item[0]}-{item[1]} ends before it starts"})
            cleaned.append([item[0], item[1]])
        days[day] = cleaned
    return {"timezone": value["timezone"], "days": days}


def within_business_hours(business_hours, now):
    if not business_hours:
        return True
    local = now.astimezone(ZoneInfo(business_hours["timezone"]))
    minute = local.hour * 60 + local.minute
    ranges = business_hours["days"].get(WEEKDAYS[local.weekday()], [])
    return any(_minutes(start) <= minute < _minutes(end) for start, end in ranges)


def is_available(channel, config, now: datetime):
    """True when the widget may promise a live answer; otherwise it asks for an email."""
    return within_business_hours(config.get("business_hours"), now) and bool(agents_online(channel.team_id))
