from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..models import MessageSentiment
from ..reports.formatting import display

register = template.Library()
MOOD_POINTS = 20


@register.filter
def cell(row, column):
    """The row's value for `column`, formatted for reading."""
    return display(row.get(column.key), column.kind)


@register.filter
def figure(value, kind):
    return display(value, kind)


@register.filter
def message_sentiment(message):
    """The message's score when it was loaded with it (select_related), else None: never a query per message."""
    if "sentiment" not in getattr(message, "_state").fields_cache:
        return None
    try:
        return message.sentiment
    except ObjectDoesNotExist:
        return None


def _sparkline(points):
    width, height = 200, 48
    step = width / max(1, len(points) - 1)
    coordinates = [(index * step, height / 2 - point.score * (height / 2 - 4)) for index, point in enumerate(points)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="sentiment-{p.label}"><title>'
        f'{escape(p.written_at.strftime("%Y-%m-%d %H:%M"))} {escape(p.get_label_display())} {p.score:+.2f}</title></circle>'
        for (x, y), p in zip(coordinates, points))
    return mark_safe(
        f'<svg class="mood-chart" viewBox="-4 0 {width + 8} {height}" role="img" aria-hidden="true">'
        f'<line x1="0" x2="{width}" y1="{height / 2}" y2="{height / 2}" class="zero"/>'
        f'<polyline fill="none" points="{line}"/>{dots}</svg>')


@register.simple_tag
def mood_trend(conversation):
    """The last customer messages' scores of this conversation, oldest first, as points and a sparkline."""
    points = list(MessageSentiment.objects.filter(conversation=conversation).select_related("channel")
                  .order_by("-written_at", "-message_id")[:MOOD_POINTS])[::-1]
    average = sum(p.score for p in points) / len(points) if points else None
    return {"points": points, "average": average, "svg": _sparkline(points) if points else ""}
