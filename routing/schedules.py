"""The Schedule each stored calendar stands for (routing/calendars.py does the arithmetic)."""
from . import calendars
from .models import BusinessCalendar


def schedule_for(calendar):
    """The Schedule of `calendar` (None: always open), its exceptions included."""
    if calendar is None:
        return calendars.ALWAYS_OPEN
    exceptions = {item.date: item.intervals for item in calendar.exceptions.all()}
    return calendars.build_schedule(calendar.time_zone, calendar.weekly_hours, exceptions)


class ScheduleCache:
    """Schedules by calendar id for the length of one request or task (calendars are read once)."""

    def __init__(self):
        self._schedules = {}

    def get(self, calendar_id):
        if calendar_id is None:
            return calendars.ALWAYS_OPEN
        if calendar_id not in self._schedules:
            calendar = BusinessCalendar.objects.prefetch_related("exceptions").get(pk=calendar_id)
            self._schedules[calendar_id] = schedule_for(calendar)
        return self._schedules[calendar_id]
