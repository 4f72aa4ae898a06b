"""The console's routing pieces: the SLA due badge and its "why" list."""
import json

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import SlaClockEvent, SlaMetric
from ..schedules import ScheduleCache
from ..summary import clock_events, sla_payload

register = template.Library()

REASONS = {
    "reply": gettext_lazy("a reply was sent"),
    "resolved": gettext_lazy("the conversation was resolved"),
    "reply_failed": gettext_lazy("the reply failed to go out"),
    "no_target": gettext_lazy("no target applies any more"),
    "calendar_changed": gettext_lazy("the calendar changed"),
    "pending": gettext_lazy("pending"),
    "snoozed": gettext_lazy("snoozed"),
    "open": gettext_lazy("open"),
}


def metric_label(metric):
    return str(dict(SlaMetric.choices).get(metric, metric))


def event_label(kind):
    return str(dict(SlaClockEvent.Kind.choices).get(kind, kind))


def _schedules(context):
    return context.render_context.setdefault("routing_schedules", ScheduleCache())


@register.inclusion_tag("routing/_sla_badge.html", takes_context=True)
def sla_badge(context, conversation):
    return {"sla": sla_payload(conversation, _schedules(context)), "conversation": conversation}


@register.inclusion_tag("routing/_sla_why.html")
def sla_why(conversation):
    rows = []
    for event in clock_events(conversation):
        data = event["data"]
        reason = data.get("reason")
        rows.append({**event, "moment": parse_datetime(event["at"]), "metric_label": metric_label(event["metric"]), "kind_label": event_label(event["kind"]),
                     "reason_label": str(REASONS.get(reason, reason or "")), "policy": data.get("policy", "")})
    return {"rows": rows, "conversation": conversation}


@register.filter
def periods_json(periods):
    """The countdown's open periods as JSON (escaped by the template like any text)."""
    return json.dumps(periods or [])


@register.filter
def sla_duration(seconds):
    """Time left as the badge shows it before its script takes over: 2d 3h, 1h 05m, 04:10, -12m."""
    if seconds is None or seconds == "":
        return ""
    seconds = int(seconds)
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes:02d}:{secs:02d}"
