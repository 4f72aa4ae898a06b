"""A report value as the viewer reads it: localised numbers, dates and durations."""
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _


def duration(seconds):
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": secs}


def number(value, decimals=0):
    # number_format cuts digits off; round first so 66.66 reads 66.7.
    return formats.number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


def day(value, short=False):
    value = date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(value, "SHORT_DATE_FORMAT" if short else "DATE_FORMAT")


def display(value, kind):
    if value is None:
        return "–"
    if kind == "duration":
        return duration(value)
    if kind == "percent":
        return f"{number(value * 100, 1)} %"
    if kind in ("rating", "score"):
        return number(value, 2)
    if kind == "date":
        return day(value, short=True)
    if kind == "boolean":
        return _("Yes") if value else _("No")
    if kind == "number" and isinstance(value, (int, float)):
        return number(value, 0 if float(value).is_integer() else 2)
    return str(value)
