"""Console pages of routing's settings: business calendars, SLA policies, each team's assignment.

Supervisors read them; admins change them (as in the API). The actions check every rule, so the
console and the API refuse the same things with the same words.
"""
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.actions.errors import ActionError
from conversations.channel_kinds import rules_for
from conversations.models import Conversation, Team
from conversations.visibility import is_admin, profile_of, sees_everything

from .actions import calendars as calendar_actions
from .actions import policies
from .forms import AgentCapacityForm, AssignmentPolicyForm, CalendarForm, SlaPolicyForm
from .models import AssignmentPolicy, BusinessCalendar, CapacityRule, SlaPolicy

PER_PAGE = 25


def supervisors_only(view):
    """Supervisors and admins see the page; only admins may send it a change."""
    @login_required
    def checked(request, *args, **kwargs):
        if not sees_everything(request.user) or (request.method == "POST" and not is_admin(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def _deletion_confirmed(request):
    if request.POST.get("confirm") == "yes":
        return True
    flash.error(request, _("Tick the box to confirm the deletion."))
    return False


def _for(request, form):
    """Supervisors read the settings; the form is shown to them with every field disabled."""
    if not is_admin(request.user):
        for field in form.fields.values():
            field.disabled = True
    return form


def _show_action_error(form, exc, form_fields):
    form.add_error(exc.field if exc.field in form_fields else None, exc.message)


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


# --- business calendars --------------------------------------------------------------------------------------
@supervisors_only
def calendar_list(request):
    calendars = BusinessCalendar.objects.annotate(holidays=Count("exceptions", distinct=True),
                                                  policies=Count("sla_policies", distinct=True))
    return render(request, "routing/calendars.html", {"page": _page(request, calendars)})


@supervisors_only
def calendar_edit(request, pk=None):
    calendar = get_object_or_404(BusinessCalendar.objects.prefetch_related("exceptions"), pk=pk) if pk else None
    if calendar is None and not is_admin(request.user):
        raise PermissionDenied
    profile = profile_of(request.user)
    initial = (CalendarForm.initial_for(calendar) if calendar
               else CalendarForm.initial_for_new(getattr(profile, "time_zone", "") or settings.TIME_ZONE))
    form = _for(request, CalendarForm(request.POST or None, initial=initial))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = calendar_actions.save_calendar(data["name"], data["time_zone"], data["weekly_hours"],
                                                   data["exception_items"], instance=calendar)
        except ActionError as exc:
            _show_action_error(form, exc, ("name", "time_zone", "exceptions"))
        else:
            flash.success(request, _("Calendar saved."))
            return redirect("routing:calendar", saved.pk)
    return render(request, "routing/calendar_edit.html", {
        "calendar": calendar, "form": form, "time_zones": CalendarForm.time_zones(),
        "used_by": calendar.sla_policies.all() if calendar else [],
        "used_by_teams": (Team.objects.filter(assignment_policy__calendar=calendar).order_by("name")
                          if calendar else []),
        "used_by_widgets": calendar_actions.widgets_following(calendar) if calendar else [],
    })


@require_POST
@supervisors_only
def calendar_delete(request, pk):
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    if not _deletion_confirmed(request):
        return redirect("routing:calendar", calendar.pk)
    try:
        calendar_actions.delete_calendar(calendar)
    except ActionError as exc:
        flash.error(request, exc.message)
        return redirect("routing:calendar", calendar.pk)
    flash.success(request, _("Calendar deleted."))
    return redirect("routing:calendars")


# --- SLA policies --------------------------------------------------------------------------------------------
@supervisors_only
def sla_policy_list(request):
    page = _page(request, SlaPolicy.objects.select_related("calendar").prefetch_related("targets"))
    team_names = dict(Team.objects.values_list("pk", "name"))
    return render(request, "routing/sla_policies.html", {
        "page": page, "rows": [(policy, _applies_to(policy, team_names)) for policy in page]})


def _applies_to(policy, team_names):
    """The policy's conditions in words, one line per condition."""
    conditions = policy.conditions or {}
    priorities = dict(Conversation.Priority.choices)
    described = [
        (_("Teams"), [team_names.get(team_id, f"#{team_id}") for team_id in conditions.get("teams", [])]),
        (_("Channels"), [rules_for(kind).label for kind in conditions.get("channel_kinds", [])]),
        (_("Priorities"), [str(priorities.get(value, value)) for value in conditions.get("priorities", [])]),
        (_("Labels"), conditions.get("labels", [])),
    ]
    return [f"{title}: {', '.join(values)}" for title, values in described if values]


@supervisors_only
def sla_policy_edit(request, pk=None):
    policy = get_object_or_404(SlaPolicy.objects.prefetch_related("targets"), pk=pk) if pk else None
    if policy is None and not is_admin(request.user):
        raise PermissionDenied
    form = _for(request, SlaPolicyForm(request.POST or None,
                                       initial=SlaPolicyForm.initial_for(policy) if policy else None))
    if request.method == "POST" and form.is_valid():
        try:
            saved = policies.save_sla_policy(form.action_data(), instance=policy)
        except ActionError as exc:
            _show_action_error(form, exc, ("name", "pause_statuses"))
        else:
            flash.success(request, _("SLA policy saved. Open conversations are matched again."))
            return redirect("routing:sla_policy", saved.pk)
    return render(request, "routing/sla_policy_edit.html", {
        "policy": policy, "form": form, "priority_labels": Conversation.Priority.labels,
    })


@require_POST
@supervisors_only
def sla_policy_delete(request, pk):
    policy = get_object_or_404(SlaPolicy, pk=pk)
    if not _deletion_confirmed(request):
        return redirect("routing:sla_policy", policy.pk)
    policies.delete_sla_policy(policy)
    flash.success(request, _("SLA policy deleted."))
    return redirect("routing:sla_policies")


# --- team assignment -----------------------------------------------------------------------------------------
@supervisors_only
def assignment_list(request):
    teams = Team.objects.order_by("name").select_related("assignment_policy").prefetch_related(
        Prefetch("capacity_rules", queryset=CapacityRule.objects.order_by("channel_kind")))
    page = _page(request, teams)
    rows = [(team, _policy_of(team)) for team in page]
    return render(request, "routing/assignment.html", {"page": page, "rows": rows})


def _policy_of(team):
    try:
        return team.assignment_policy
    except AssignmentPolicy.DoesNotExist:
        return AssignmentPolicy(team=team)


@supervisors_only
def assignment_edit(request, team_id):
    team = get_object_or_404(Team.objects.select_related("assignment_policy"), pk=team_id)
    policy = _policy_of(team)
    form = _for(request, AssignmentPolicyForm(
        request.POST or None, initial=AssignmentPolicyForm.initial_for(policy, team.capacity_rules.all())))
    if request.method == "POST" and form.is_valid():
        try:
            policies.save_assignment_policy(team, **form.action_options())
        except ActionError as exc:
            _show_action_error(form, exc, ("mode",))
        else:
            flash.success(request, _("Assignment of %(team)s saved.") % {"team": team.name})
            return redirect("routing:assignment_team", team.pk)
    agents = team.agents.filter(user__is_active=True).select_related("user").prefetch_related(
        Prefetch("user__capacity_rules", queryset=CapacityRule.objects.order_by("channel_kind"))).order_by(
        "name", "user__username")
    return render(request, "routing/assignment_edit.html", {"team": team, "form": form, "agents": agents})


@supervisors_only
def agent_capacity_edit(request, team_id, user_id):
    """An agent's own maximum per channel kind, over their teams' defaults."""
    team = get_object_or_404(Team, pk=team_id)
    profile = get_object_or_404(team.agents.filter(user__is_active=True).select_related("user"), user_id=user_id)
    form = _for(request, AgentCapacityForm(
        request.POST or None, initial=AgentCapacityForm.capacity_initial(profile.user.capacity_rules.all())))
    if request.method == "POST" and form.is_valid():
        try:
            policies.set_agent_capacity(profile.user, form.chosen_capacity())
        except ActionError as exc:
            _show_action_error(form, exc, ())
        else:
            flash.success(request, _("Capacity of %(agent)s saved.") % {"agent": profile.display_name})
            return redirect("routing:assignment_team", team.pk)
    return render(request, "routing/agent_capacity.html", {"team": team, "profile": profile, "form": form})
