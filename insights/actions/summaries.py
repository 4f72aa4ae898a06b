"""The weekly summary email: opt-in per supervisor, in their language and time zone, once per week."""
import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conversations.visibility import profile_of, sees_everything

from ..models import ReportSubscription
from ..reports import build
from ..reports.filters import ReportFilters

# Sent from this hour on Monday morning (the supervisor's own time), for the week that just ended.
SEND_FROM_HOUR = 7
SUMMARY_FIGURES = ("opened", "resolved", "messages_in", "messages_out", "calls", "first_response_median",
                   "resolution_median", "csat_average", "csat_response_rate", "sla_hit_rate")


class NotASupervisor(PermissionError):
    pass


def set_weekly_summary(user, enabled):
    """Opt in or out; only supervisors and admins get the summary."""
    if enabled and not sees_everything(user):
        raise NotASupervisor(_("The weekly summary is for supervisors and admins."))
    subscription, _created = ReportSubscription.objects.get_or_create(user=user)
    subscription.weekly_summary = bool(enabled)
    subscription.save(update_fields=["weekly_summary"])
    return subscription


def wants_weekly_summary(user):
    return ReportSubscription.objects.filter(user=user, weekly_summary=True).exists()


def _zone(user):
    profile = profile_of(user)
    name = profile.time_zone if profile and profile.time_zone else settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _last_week(now, zone):
    """(Monday, Sunday, ISO week label) of the week before `now` in `zone`, or None before Monday 07:00."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    if local < datetime.combine(monday, time(SEND_FROM_HOUR), tzinfo=zone):
        monday -= timedelta(days=7)
    first = monday - timedelta(days=7)
    year, week, _weekday = first.isocalendar()
    return first, first + timedelta(days=6), f"{year}-W{week:02d}"


def summary_message(user, first_day, last_day, zone):
    profile = profile_of(user)
    language = (profile.language if profile and profile.language else settings.LANGUAGE_CODE)
    with translation.override(language), timezone.override(zone):
        report = build("overview", ReportFilters(first_day, last_day, zone, None))
        figures = [figure for figure in report.summary if figure.key in SUMMARY_FIGURES]
        context = {"user": user, "name": profile.display_name if profile else user.get_username(),
                   "first_day": first_day, "last_day": last_day, "figures": figures,
                   "reports_url": settings.PUBLIC_BASE_URL.rstrip("/") + "/reports/"}
        subject = _("OmniDesk weekly summary: %(first)s – %(last)s") % {
            "first": first_day.strftime("%d/%m"), "last": last_day.strftime("%d/%m")}
        text = render_to_string("insights/email/weekly_summary.txt", context)
        html = render_to_string("insights/email/weekly_summary.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def send_weekly_summaries(now=None):
    """Send last week's summary to every subscribed supervisor who has not had it; returns how many were sent.

    The week is claimed (last_sent_week set under a row lock) before the email goes, so two workers
    never send it twice; a failed send gives the claim back.
    """
    now = now or timezone.now()
    sent = 0
    users = get_user_model().objects.filter(
        report_subscription__weekly_summary=True, is_active=True).exclude(email="").select_related("agent")
    for user in users:
        if not sees_everything(user):
            continue
        zone = _zone(user)
        first_day, last_day, week = _last_week(now, zone)
        with transaction.atomic():
            claimed = (ReportSubscription.objects.filter(user=user, weekly_summary=True)
                       .exclude(last_sent_week=week).update(last_sent_week=week))
        if not claimed:
            continue
        try:
            summary_message(user, first_day, last_day, zone).send()
        except Exception:
            ReportSubscription.objects.filter(user=user, last_sent_week=week).update(last_sent_week="")
            raise
        sent += 1
    return sent
