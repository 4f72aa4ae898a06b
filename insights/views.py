"""Console pages of the reports: filters, summary, each chart with its table, CSV per table."""
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.urls import reverse
from django.utils.http import urlencode

from conversations.models import Channel, Team
from conversations.visibility import sees_everything, team_ids

from .actions.summaries import NotASupervisor, set_weekly_summary, wants_weekly_summary
from .api.views import csv_response
from .reports import REPORTS, build
from .reports.charts import render as render_chart
from .reports.filters import ReportForbidden, ReportInputError, parse_filters


def _choices(user):
    teams = Team.objects.all() if sees_everything(user) else Team.objects.filter(pk__in=team_ids(user))
    agents = get_user_model().objects.filter(agent__isnull=False, is_active=True).select_related("agent")
    if not sees_everything(user):
        agents = agents.filter(agent__teams__in=team_ids(user)).distinct()
    return {"teams": teams, "channels": Channel.objects.all(), "agents": agents.order_by("username")}


def _sections(report, filters, name):
    """Each table with the charts drawn from it and its CSV link."""
    sections = []
    for table in report.tables:
        query = urlencode({**filters.query(), "table": table.key})
        sections.append({
            "table": table,
            "charts": [render_chart(chart, table) for chart in report.charts if chart.table == table.key],
            "csv_url": f"{reverse('insights:report_csv', args=[name])}?{query}",
        })
    return sections


def _resolve(request, name):
    if name not in REPORTS:
        raise Http404
    try:
        filters = parse_filters(request.GET, request.user)
    except ReportForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    return filters


@login_required
def report_page(request, name="overview"):
    fields = ("from", "to", "tz", "team", "channel", "agent")
    context = {"reports": [(key, title) for key, (title, _) in REPORTS.items()], "name": name,
               "values": {field: request.GET.get(field, "") for field in fields},
               "may_subscribe": sees_everything(request.user), "subscribed": wants_weekly_summary(request.user),
               **_choices(request.user)}
    try:
        filters = _resolve(request, name)
    except ReportInputError as exc:
        return render(request, "insights/report.html", {**context, "error": exc.message}, status=400)
    report = build(name, filters)
    context["values"].update({"from": filters.first_day.isoformat(), "to": filters.last_day.isoformat(),
                              "tz": filters.zone.key})
    context.update(report=report, filters=filters, query=urlencode(filters.query()),
                   sections=_sections(report, filters, name))
    return render(request, "insights/report.html", context)


@login_required
def report_csv(request, name):
    try:
        filters = _resolve(request, name)
    except ReportInputError as exc:
        return render(request, "insights/report.html", {"error": exc.message, "reports": [], "values": {}},
                      status=400)
    report = build(name, filters)
    table_key = request.GET.get("table", "")
    if table_key and table_key not in {t.key for t in report.tables}:
        raise Http404
    return csv_response(report, table_key)


@login_required
@require_POST
def weekly_summary(request):
    enabled = request.POST.get("enabled") == "1"
    try:
        set_weekly_summary(request.user, enabled)
    except NotASupervisor as exc:
        raise PermissionDenied(str(exc)) from exc
    flash.success(request, _("You will get the weekly summary by email.") if enabled
                  else _("You will no longer get the weekly summary."))
    return redirect("insights:reports")
