"""Console template helpers: translated system lines, audit lines, names and durations."""
from django import template
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conversations.actions import calls
from conversations.channel_kinds import rules_for
from conversations.downloads import INLINE_IMAGE_TYPES
from conversations.models import Channel, Conversation
from conversations.visibility import display_name
from routing.lines import EVENT_PREFIX as ROUTING_EVENT_PREFIX
from routing.lines import line_text as routing_line_text

from .. import inbox

register = template.Library()
# Previewed in the page; other types (SVG can carry scripts) are only downloaded.


@register.filter
def agent_name(user):
    return display_name(user) if user is not None else ""


@register.filter
def kind_label(kind):
    return rules_for(kind).label if kind else ""


def _channel_name(message, channel_id, fallback):
    """The channel's current name: from the names the timeline read for its page, else one lookup."""
    if not channel_id:
        return fallback
    known = getattr(message, "channel_names", None)
    if known is not None:
        return known.get(str(channel_id)) or fallback
    return Channel.objects.filter(pk=channel_id).values_list("name", flat=True).first() or fallback


@register.simple_tag
def system_text(message):
    """A system line in the agent's language, from the facts in its metadata (its stored text as a fallback)."""
    data = message.metadata or {}
    event = data.get("event")
    if event == "channel_switched":
        return _("Customer moved from %(from)s to %(to)s") % {
            "from": _channel_name(message, data.get("from_channel"), data.get("from_label")),
            "to": _channel_name(message, data.get("to_channel"), data.get("to_label")),
        }
    if event == "participant_reply":
        return _("Replied in the conversation of %(customer)s") % {"customer": data.get("customer_name", "")}
    if event == "merged":
        return _("%(source)s was merged into this conversation") % {"source": data.get("source_name", "")}
    if event == "unmerged":
        return _("Merge of %(source)s into %(target)s undone") % {
            "source": data.get("source_name", ""), "target": data.get("target_name", "")}
    if event and event.startswith(ROUTING_EVENT_PREFIX):
        return routing_line_text(data) or message.text
    return message.text


def _status_label(value):
    return str(dict(Conversation.Status.choices).get(value, value))


@register.simple_tag
def audit_text(event):
    """One audit record as a sentence for the timeline."""
    data = event.data or {}
    actor = agent_name(event.actor) or _("OmniDesk")
    kind = event.kind
    if kind == "assigned":
        if data.get("assignee"):
            return _("%(actor)s assigned this conversation to %(assignee)s") % {
                "actor": actor, "assignee": data.get("assignee_name", "")}
        return _("%(actor)s unassigned this conversation") % {"actor": actor}
    if kind == "team_changed":
        if data.get("team"):
            return _("%(actor)s moved this conversation to the team %(team)s") % {
                "actor": actor, "team": data.get("team_name", "")}
        return _("%(actor)s removed the team") % {"actor": actor}
    if kind == "status_changed":
        if data.get("reason") == "snooze ended":
            return _("Snooze ended: the conversation is open again")
        if data.get("new") == "snoozed" and data.get("snoozed_until"):
            until = timezone.localtime(parse_datetime(data["snoozed_until"]))
            return _("%(actor)s snoozed this conversation until %(until)s") % {
                "actor": actor, "until": formats.date_format(until, "SHORT_DATETIME_FORMAT")}
        if data.get("new") == "resolved":
            return _("%(actor)s resolved this conversation") % {"actor": actor}
        return _("%(actor)s set the status to %(status)s") % {"actor": actor, "status": _status_label(data.get("new"))}
    if kind == "priority_changed":
        priority = str(dict(Conversation.Priority.choices).get(data.get("new"), data.get("new")))
        return _("%(actor)s set the priority to %(priority)s") % {"actor": actor, "priority": priority}
    if kind == "labels_changed":
        labels = ", ".join(data.get("new") or []) or _("none")
        return _("%(actor)s changed the labels to %(labels)s") % {"actor": actor, "labels": labels}
    if kind == "reopened":
        return _("The customer wrote again: the conversation is open again")
    return event.get_kind_display()


@register.filter
def duration(seconds):
    """A short duration: 45 s, 12 min, 3 h 05 min, 2 d."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes % 60}
    return ngettext("%(n)d day", "%(n)d days", hours // 24) % {"n": hours // 24}


@register.filter
def is_image(attachment):
    return bool(attachment.file) and attachment.content_type in INLINE_IMAGE_TYPES


@register.filter
def inbox_sort_key(conversation):
    return inbox.sort_key(conversation)


@register.filter
def call_summary(call):
    """"Incoming call · Answered · 3:05" for a message's metadata["call"]."""
    parts = [str(calls.DIRECTIONS.get(call.get("direction"), _("Phone call")))]
    if call.get("state") == "started":
        parts.append(_("in progress"))
    if call.get("outcome"):
        parts.append(str(calls.OUTCOMES.get(call["outcome"], call["outcome"])))
    seconds = call.get("duration_seconds")
    if isinstance(seconds, int):
        parts.append(f"{seconds // 60}:{seconds % 60:02d}")
    return " · ".join(parts)
