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


def conversation_calendar_id(conversation):
    """The business calendar a conversation is in (None: always open), most specific first: the one its
    current channel names (the hours the web chat tells the customer), its team's (its assignment policy),
    else its SLA policy's."""
    from .actions.sla import matching_policy
    from .models import AssignmentPolicy

    channel = conversation.last_inbound_channel
    calendar_id = channel.config.get("business_calendar") if channel is not None else None
    if isinstance(calendar_id, int) and BusinessCalendar.objects.filter(pk=calendar_id).exists():
        return calendar_id
    if conversation.team_id:
        calendar_id = AssignmentPolicy.objects.filter(team_id=conversation.team_id).values_list(
            "calendar_id", flat=True).first()
        if calendar_id:
            return calendar_id
    policy = matching_policy(conversation)
    return policy.calendar_id if policy is not None else None


def conversation_schedule(conversation):
    """The Schedule of `conversation_calendar_id` (always open when the conversation has no calendar)."""
    return ScheduleCache().get(conversation_calendar_id(conversation))
