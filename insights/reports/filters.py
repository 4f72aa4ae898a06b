"""The filters every report takes, validated from a query string, and who may use which."""
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.models import Channel, Team
from conversations.visibility import profile_of, sees_everything, team_ids

DEFAULT_DAYS = 30
MAX_DAYS = 366


class ReportInputError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


class ReportForbidden(PermissionError):
    pass


@dataclass(frozen=True)
class ReportFilters:
    first_day: date
    last_day: date
    zone: zoneinfo.ZoneInfo
    team_ids: tuple | None  # None = every team (supervisors); a tuple = only these
    channel_key: str = ""
    agent_id: int | None = None

    @property
    def start(self):
        return datetime.combine(self.first_day, time.min, tzinfo=self.zone)

    @property
    def end(self):
        """Exclusive: midnight after the last day, in the viewer's zone."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=self.zone)

    def days(self):
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += timedelta(days=1)

    def query(self):
        """The query string that gives these filters back (for CSV links and the console's forms)."""
        params = {"from": self.first_day.isoformat(), "to": self.last_day.isoformat(), "tz": self.zone.key}
        if self.team_ids is not None and len(self.team_ids) == 1:
            params["team"] = str(self.team_ids[0])
        if self.channel_key:
            params["channel"] = self.channel_key
        if self.agent_id:
            params["agent"] = str(self.agent_id)
        return params


@lru_cache(maxsize=1)
def _zones():
    return frozenset(zoneinfo.available_timezones())


def _date(params, name, default):
    raw = params.get(name, "")
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ReportInputError(name, _("Enter a date as YYYY-MM-DD.")) from None


def _zone(params, user):
    raw = params.get("tz", "")
    if raw:
        if raw not in _zones():
            raise ReportInputError("tz", _("Unknown time zone."))
        return zoneinfo.ZoneInfo(raw)
    profile = profile_of(user)
    if profile and profile.time_zone in _zones():
        return zoneinfo.ZoneInfo(profile.time_zone)
    current = timezone.get_current_timezone()
    return current if isinstance(current, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo("UTC")


def _integer(params, name):
    raw = params.get(name, "")
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ReportInputError(name, _("Enter a whole number.")) from None
    if value <= 0:
        raise ReportInputError(name, _("Enter a whole number."))
    return value


def parse_filters(params, user):
    """ReportFilters from a query string; ReportInputError (-> 400) or ReportForbidden (-> 403)."""
    zone = _zone(params, user)
    today = timezone.now().astimezone(zone).date()
    last_day = _date(params, "to", today)
    first_day = _date(params, "from", last_day - timedelta(days=DEFAULT_DAYS - 1))
    if first_day > last_day:
        raise ReportInputError("from", _("The start date is after the end date."))
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise ReportInputError("from", _("A report covers at most %(days)s days.") % {"days": MAX_DAYS})

    team = _integer(params, "team")
    if team is not None and not Team.objects.filter(pk=team).exists():
        raise ReportInputError("team", _("Unknown team."))
    if sees_everything(user):
        teams = (team,) if team else None
    else:
        own = tuple(sorted(team_ids(user)))
        if team is not None and team not in own:
            raise ReportForbidden(_("You may only see reports of your own teams."))
        teams = (team,) if team else own

    channel_key = params.get("channel", "")
    if channel_key:
        try:
            channel_key = str(uuid.UUID(channel_key))
        except ValueError:
            raise ReportInputError("channel", _("Unknown channel.")) from None
        if not Channel.objects.filter(pk=channel_key).exists():
            raise ReportInputError("channel", _("Unknown channel."))
    agent = _integer(params, "agent")
    return ReportFilters(first_day, last_day, zone, teams, channel_key, agent)
