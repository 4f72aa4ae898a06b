"""System lines routing writes into a conversation: stored with their facts, worded in the reader's language."""
from django.utils import translation
from django.utils.translation import gettext as _

from conversations import events
from conversations.models import Message

from .models import AssignmentPolicy, QueueEntry

EVENT_PREFIX = "routing."


def _reason_label(reason):
    return str(dict(QueueEntry.Reason.choices).get(reason, reason))


def _mode_label(mode):
    return str(dict(AssignmentPolicy.Mode.choices).get(mode, mode))


def line_text(data):
    """The sentence of a routing system line, from its metadata."""
    event = data.get("event")
    facts = {"agent": data.get("agent_name", ""), "reason": _reason_label(data.get("reason", "")),
             "mode": _mode_label(data.get("mode", "")), "team": data.get("team_name", ""),
             "kind": data.get("channel_kind", ""), "load": data.get("load", 0), "capacity": data.get("capacity", 0)}
    if event == "routing.assigned":
        return _("Assigned to %(agent)s automatically (%(mode)s): %(reason)s") % facts
    if event == "routing.queued":
        return _("Waiting in the %(team)s queue: %(reason)s") % facts
    if event == "routing.requeued":
        return _("Taken from %(agent)s and returned to the %(team)s queue: %(reason)s") % facts
    if event == "routing.over_capacity":
        return _("Assigned to %(agent)s over capacity (%(kind)s: %(load)s of %(capacity)s)") % facts
    return ""


def write_line(conversation, **data):
    """Store a system line (its text in English as the stored fallback) and show it live."""
    data["event"] = EVENT_PREFIX + data["event"]
    message = Message.objects.create(conversation=conversation, direction=Message.Direction.SYSTEM,
                                     text=_english(data), metadata=data)
    events.message_created(message)
    return message


def _english(data):
    with translation.override("en"):
        return line_text(data)
