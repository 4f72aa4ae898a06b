"""The inbox: views with counts, filters, live rows, bulk actions."""
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from conversations.actions import assignment
from conversations.actions.errors import ActionError
from conversations.models import Conversation, Label, Team
from conversations.visibility import sees_everything, team_ids, visible_conversations

from .. import inbox
from ..actions import saved_views
from ..forms import BulkForm, InboxFiltersForm, SavedViewForm
from .base import choices_context, console_action, done, form_refused, id_list, refused


def _view_slug(request, saved):
    slug = request.GET.get("view")
    allowed = [view.slug for view in inbox.views_for(request.user)] + [view.slug for view, _filters in saved]
    return slug if slug in allowed else inbox.default_view(request.user)


def _saved_views(request, scope):
    """[(saved view, its cleaned filters)] the agent may use."""
    return [(view, InboxFiltersForm(view.filters).cleaned_filters())
            for view in inbox.saved_views_for(request.user, scope)]


def _filters_form(request, slug, saved):
    """The filters of the request; a saved view opened without filters of its own shows the view's."""
    if slug.startswith(inbox.SAVED_PREFIX) and not set(InboxFiltersForm.SAVED_FIELDS) & set(request.GET):
        view = next(view for view, _filters in saved if view.slug == slug)
        return InboxFiltersForm(view.filters)
    return InboxFiltersForm(request.GET)


def _row_html(conversation, query):
    # Without the request: its context processors (a query each) would run again for every row.
    return render_to_string("console/_inbox_row.html", {"c": conversation, "query": query})


def _inbox_state(request, scope):
    """(saved views with their filters, the view's slug, the filters form, its filters, the query to keep)."""
    saved = _saved_views(request, scope)
    slug = _view_slug(request, saved)
    form = _filters_form(request, slug, saved)
    query = QueryDict(mutable=True)
    query.update(form.data)
    query["view"] = slug
    return saved, slug, form, form.cleaned_filters(), query


def inbox_context(request):
    """Everything the inbox column needs, for the inbox page and the conversation page alike."""
    scope = inbox.Scope.of(request.user)
    saved, slug, form, filters, query = _inbox_state(request, scope)
    counts = inbox.counts(request.user, filters, saved, scope)
    # The built-in views are counted under the filters on screen: their links keep them, so a count is what opens.
    filter_query = QueryDict(mutable=True)
    # Open is the status without one: the link needs no parameter for it.
    filter_query.update({name: query[name] for name in InboxFiltersForm.SAVED_FIELDS
                         if query.get(name) and (name, query[name]) != ("status", Conversation.Status.OPEN)})
    return {
        "filters_form": form,
        "filters": filters,
        "view": slug,
        "views": [(view, counts[view.slug]) for view in inbox.views_for(request.user)],
        "saved_views": [(view, counts[view.slug], saved_views.may_remove(request.user, view)) for view, _f in saved],
        "saved_view_form": SavedViewForm(),
        "my_teams": _shareable_teams(request.user, scope),
        "rows": inbox.rows(request.user, slug, filters, scope=scope),
        "page_size": inbox.PAGE_SIZE,
        "query": query.urlencode(),
        "filter_query": filter_query.urlencode(),
        "labels": Label.objects.all(),
        **choices_context(),
    }


@login_required
def inbox_page(request):
    return render(request, "console/inbox.html", inbox_context(request))


@login_required
@require_GET
def inbox_rows(request):
    """Rows for the live inbox: `ids=` the rows an event touched (missing = not in this view), or a page."""
    scope = inbox.Scope.of(request.user)
    saved, slug, _form, filters, query = _inbox_state(request, scope)
    for name in ("ids", "offset"):
        query.pop(name, None)
    requested = id_list(request.GET.get("ids")) if "ids" in request.GET else None
    offset = int(request.GET["offset"]) if request.GET.get("offset", "").isdigit() else 0
    found = inbox.rows(request.user, slug, filters, ids=requested, offset=offset, scope=scope)
    found_ids = {c.pk for c in found}
    return JsonResponse({
        "rows": [
            {"id": c.pk, "html": _row_html(c, query.urlencode())} for c in found
        ],
        "missing": [pk for pk in requested or [] if pk not in found_ids],
        "counts": inbox.counts(request.user, filters, saved, scope),
        "unread_mine": inbox.unread_total(request.user, scope),
        "more": requested is None and len(found) == inbox.PAGE_SIZE,
    })


@login_required
@require_POST
def bulk_update(request):
    """Apply one change to many conversations; each is its own transaction, refusals are reported per row."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        return form_refused(form)
    changes = form.changes()
    add_label = form.cleaned_data["add_label"].strip()
    if not changes and not add_label:
        return refused(_("Choose what to change."))
    conversations = visible_conversations(request.user).filter(pk__in=form.cleaned_data["conversations"])
    updated, errors = 0, []
    for conversation in conversations:
        conversation_changes = dict(changes)
        if add_label:
            conversation_changes["labels"] = [*conversation.labels.values_list("name", flat=True), add_label]
        try:
            with transaction.atomic():
                assignment.update_conversation(conversation, request.user, **conversation_changes)
            updated += 1
        except ActionError as exc:
            errors.append(f"#{conversation.pk}: {exc.message}")
    return JsonResponse({"ok": not errors, "updated": updated, "errors": errors})


def _shareable_teams(user, scope=None):
    if sees_everything(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=scope.team_ids if scope is not None else team_ids(user))


@console_action
def save_view(request):
    """Save the filters the agent is looking at (posted as a query string) as a view of their own or a team's."""
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        return form_refused(form)
    filters = InboxFiltersForm(QueryDict(form.cleaned_data["filters"])).saved_filters()
    view = saved_views.save_view(request.user, form.cleaned_data["name"], filters, form.cleaned_data["team"])
    return done(view=view.slug, url=f"{reverse('console:inbox')}?view={view.slug}")


@console_action
def remove_view(request, pk):
    view = get_object_or_404(inbox.saved_views_for(request.user), pk=pk)
    saved_views.remove_view(request.user, view)
    return done(url=reverse("console:inbox"))
