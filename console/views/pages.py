"""The console's other pages: supervisor view, search, notifications, settings."""
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.actions import canned, directory, notifications
from conversations.actions.errors import ActionError
from conversations.addresses import InvalidAddress, normalise_phone
from conversations.channel_kinds import rules_for
from conversations.models import CannedResponse, Customer, Identity, Message, Notification
from conversations.visibility import profile_of, sees_everything, visible_conversations
from routing import supervisor as routing_supervisor

from .. import supervisor
from ..actions import csat as console_csat
from ..forms import CannedResponseForm, PreferencesForm, SearchForm

SEARCH_RESULTS = 30


def _supervisor_context(request):
    if not sees_everything(request.user):
        raise PermissionDenied
    conversations = visible_conversations(request.user)
    return {
        "status_counts": supervisor.status_counts(conversations),
        "team_counts": supervisor.unresolved_by(conversations, "team__name", _("No team")),
        "channel_counts": supervisor.unresolved_by(conversations, "last_inbound_channel__name", _("No channel")),
        "waiting": supervisor.longest_waiting_unassigned(conversations),
        "agents": supervisor.agents_with_load(),
        "times": supervisor.times_today_by_channel(),
        **routing_supervisor.board(supervisor.start_of_today()),
    }


@login_required
def supervisor_page(request):
    return render(request, "console/supervisor.html", _supervisor_context(request))


@login_required
def supervisor_panel(request):
    return render(request, "console/_supervisor_panel.html", _supervisor_context(request))


def search_customers(user, text):
    visible = visible_conversations(user).values("customer_id")
    addresses = {text.lower()}
    try:
        addresses.add(normalise_phone(text))
    except InvalidAddress:
        pass
    matching = Identity.objects.filter(
        Q(address__in=addresses) | Q(address__icontains=text.lower())
    ).values("customer_id")
    return (
        Customer.objects.filter(pk__in=visible, merged_into__isnull=True)
        .filter(Q(name__icontains=text) | Q(pk__in=matching))
        .select_related("conversation")
        .prefetch_related("identities")
        .order_by("-last_seen_at")[:SEARCH_RESULTS]
    )


def search_messages(user, text):
    """Full-text search (ranked) on PostgreSQL; a plain substring match on SQLite."""
    messages = Message.objects.filter(
        conversation__in=visible_conversations(user).values("pk"),
        direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND, Message.Direction.NOTE],
    ).select_related("conversation__customer", "channel")
    if connection.vendor == "postgresql":
        # 'simple': no stemming, so Portuguese, Spanish and English text are all found as written;
        # the same expression as the message_text_fts index.
        vector = SearchVector("text", config="simple")
        query = SearchQuery(text, config="simple", search_type="websearch")
        messages = messages.annotate(document=vector, rank=SearchRank(vector, query)).filter(document=query)
        return messages.order_by("-rank", "-created_at")[:SEARCH_RESULTS]
    return messages.filter(text__icontains=text).order_by("-created_at")[:SEARCH_RESULTS]


@login_required
def search_page(request):
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    return render(request, "console/search.html", {
        "form": form,
        "q": text,
        "customers": search_customers(request.user, text) if text else [],
        "messages_found": search_messages(request.user, text) if text else [],
    })


@login_required
def notifications_page(request):
    items = Notification.objects.filter(recipient=request.user).select_related(
        "actor__agent", "message", "conversation__customer")[:100]
    return render(request, "console/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_read(request):
    notifications.mark_notifications_read(request.user)
    if request.headers.get("Accept") == "application/json":
        return HttpResponse(status=204)
    return redirect("console:notifications")


@login_required
def preferences(request):
    profile = profile_of(request.user)
    form = PreferencesForm(request.POST or None, initial={
        "language": profile.language if profile else "", "time_zone": profile.time_zone if profile else ""})
    if request.method == "POST" and form.is_valid():
        try:
            directory.update_preferences(request.user, form.cleaned_data["language"], form.cleaned_data["time_zone"])
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            response = redirect("console:preferences")
            if form.cleaned_data["language"]:
                response.set_cookie("django_language", form.cleaned_data["language"], samesite="Lax")
                translation.activate(form.cleaned_data["language"])  # the confirmation, in the new language
            else:
                response.delete_cookie("django_language")
            flash.success(request, _("Preferences saved."))
            return response
    return render(request, "console/preferences.html", {"form": form})


@login_required
def canned_list(request):
    form = CannedResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            canned.save_canned_response(request.user, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            flash.success(request, _("Canned response saved."))
            return redirect("console:canned")
    responses = CannedResponse.objects.filter(Q(owner=None) | Q(owner=request.user)).select_related("owner")
    return render(request, "console/canned.html", {
        "form": form,
        "responses": [(response, canned.may_manage(request.user, response)) for response in responses],
    })


def _managed_response(request, pk):
    response = get_object_or_404(CannedResponse.objects.filter(Q(owner=None) | Q(owner=request.user)), pk=pk)
    if not canned.may_manage(request.user, response):
        raise PermissionDenied
    return response


@login_required
def canned_edit(request, pk):
    response = _managed_response(request, pk)
    form = CannedResponseForm(request.POST or None, initial={
        "shortcut": response.shortcut, "title": response.title, "text": response.text,
        "shared": response.owner_id is None})
    if request.method == "POST" and form.is_valid():
        try:
            canned.save_canned_response(request.user, response=response, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            flash.success(request, _("Canned response saved."))
            return redirect("console:canned")
    return render(request, "console/canned_edit.html", {"form": form, "response": response})


@login_required
@require_POST
def canned_delete(request, pk):
    response = _managed_response(request, pk)
    canned.delete_canned_response(request.user, response)
    flash.success(request, _("Canned response deleted."))
    return redirect("console:canned")


@login_required
def csat_settings(request):
    """Which channel kinds ask the customer for a rating when a conversation is resolved (supervisors)."""
    if not sees_everything(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            console_csat.set_automatic(request.user, request.POST.getlist("automatic"))
        except ActionError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("Saved."))
        return redirect("console:csat_settings")
    automatic = console_csat.automatic_kinds()
    return render(request, "console/csat_settings.html", {
        "kinds": [(kind, rules_for(kind).label, kind in automatic) for kind in console_csat.configurable_kinds()],
    })
