"""What routing adds to the customer-facing template language (conversations/variables.py): the SLA due time
and the next opening of the conversation's business calendar, written in the customer's language and in the
calendar's time zone."""
from django.utils import formats, timezone, translation

from conversations import variables

from . import calendars
from .realtime import earliest_due
from .schedules import conversation_schedule


def _written(conversation, instant, schedule):
    zone = schedule.zone or timezone.get_default_timezone()
    with translation.override(conversation.customer.writing_language):
        return formats.date_format(timezone.localtime(instant, zone), "SHORT_DATETIME_FORMAT")


def sla_due(conversation):
    due = earliest_due(conversation)
    return _written(conversation, due, conversation_schedule(conversation)) if due else ""


def next_opening(conversation):
    schedule = conversation_schedule(conversation)
    if schedule.always_open:
        return ""
    opening = calendars.next_opening(schedule, timezone.now())
    return _written(conversation, opening, schedule) if opening else ""


def register():
    variables.register("conversation.sla_due", "When the conversation's SLA is due", sla_due)
    variables.register("business_hours.next_opening", "When the business hours next open", next_opening)
