"""Business calendars: checked, then written; and the Schedule each one stands for."""
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.models import Channel

from .. import calendars
from ..models import AssignmentPolicy, BusinessCalendar, CalendarException
from .sla import calendar_changed


def _clean_exceptions(items):
    if not isinstance(items, list):
        raise ActionError(_("Exceptions are a list of {date, name, intervals}."), field="exceptions")
    cleaned, seen = [], set()
    for item in items:
        if not isinstance(item, dict):
            raise ActionError(_("Exceptions are a list of {date, name, intervals}."), field="exceptions")
        try:
            day = date.fromisoformat(str(item.get("date", "")))
        except ValueError:
            raise ActionError(_("An exception needs a date such as 2026-12-25."), field="exceptions") from None
        # A holiday has no intervals; special hours list theirs.
        if day in seen:
            raise ActionError(_("%(date)s is listed twice.") % {"date": day.isoformat()}, field="exceptions")
        seen.add(day)
        intervals = item.get("intervals") or []
        try:
            calendars.parse_intervals(intervals, day.isoformat())
        except calendars.CalendarError as exc:
            raise ActionError(str(exc), field="exceptions") from None
        cleaned.append((day, str(item.get("name") or "")[:100], [[str(a), str(b)] for a, b in intervals]))
    return cleaned


def check_calendar(name, time_zone, weekly_hours, exceptions, instance=None):
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ActionError(_("A calendar needs a name of at most 100 characters."), field="name")
    if BusinessCalendar.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        raise ActionError(_("A calendar with this name exists."), field="name")
    try:
        calendars.clean_time_zone(time_zone)
    except calendars.CalendarError as exc:
        raise ActionError(str(exc), field="time_zone") from None
    try:
        weekly = calendars.clean_weekly_hours(weekly_hours)
    except calendars.CalendarError as exc:
        raise ActionError(str(exc), field="weekly_hours") from None
    if not weekly:
        raise ActionError(_("A calendar is open at least one interval a week."), field="weekly_hours")
    return name, weekly, _clean_exceptions(exceptions if exceptions is not None else [])


@transaction.atomic
def save_calendar(name, time_zone, weekly_hours, exceptions=None, instance=None):
    """Create (or, with `instance`, replace) a calendar and its exceptions; running SLA clocks follow it."""
    keep_exceptions = exceptions is None and instance is not None
    name, weekly, cleaned = check_calendar(name, time_zone, weekly_hours, exceptions, instance)
    calendar = instance or BusinessCalendar()
    calendar.name, calendar.time_zone, calendar.weekly_hours = name, time_zone, weekly
    calendar.save()
    if not keep_exceptions:
        calendar.exceptions.all().delete()
        CalendarException.objects.bulk_create(
            CalendarException(calendar=calendar, date=day, name=label, intervals=intervals)
            for day, label, intervals in cleaned
        )
    if instance is not None:
        calendar_changed(calendar)
    return calendar


def widgets_following(calendar):
    """The web chat channels whose away mode follows `calendar` (their configuration is encrypted: read each)."""
    return [channel for channel in Channel.objects.filter(kind="webchat")
            if channel.config.get("business_calendar") == calendar.pk]


def delete_calendar(calendar):
    """Refused while anything counts in it: it would silently fall back to 24/7 (SLA, reassignment) or to
    closed (a web chat's away mode)."""
    if calendar.sla_policies.exists():
        raise ActionError(_("SLA policies use this calendar; change them first."), field="calendar")
    teams = sorted(AssignmentPolicy.objects.filter(calendar=calendar).values_list("team__name", flat=True))
    if teams:
        raise ActionError(_("The assignment of %(teams)s counts in this calendar; change it first.")
                          % {"teams": ", ".join(teams)}, field="calendar")
    widgets = sorted(channel.name for channel in widgets_following(calendar))
    if widgets:
        raise ActionError(_("The web chat %(names)s follows this calendar for its away mode; change it first.")
                          % {"names": ", ".join(widgets)}, field="calendar")
    calendar.delete()
