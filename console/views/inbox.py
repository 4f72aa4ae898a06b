"""The inbox: views with counts, filters, live rows, bulk actions."""
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from conversations.actions import assignment
from conversations.actions.errors import ActionError
from conversations.models import Label
from conversations.visibility import visible_conversations

from .. import inbox
from ..forms import BulkForm, InboxFiltersForm
from .base import choices_context, form_refused, id_list, refused


def _view_slug(request):
    slug = request.GET.get("view")
    allowed = [view.slug for view in inbox.views_for(request.user)]
    return slug if slug in allowed else inbox.default_view(request.user)


def _row_html(conversation, query):
    # Without the request: its context processors (a query each) would run again for every row.
    return render_to_string("console/_inbox_row.html", {"c": conversation, "query": query})


def inbox_context(request):
    """Everything the inbox column needs, for the inbox page and the conversation page alike."""
    form = InboxFiltersForm(request.GET)
    filters = form.cleaned_filters()
    slug = _view_slug(request)
    query = request.GET.copy()
    query["view"] = slug
    scope = inbox.Scope.of(request.user)
    counts = inbox.counts(request.user, filters, scope)
    return {
        "filters_form": form,
        "filters": filters,
        "view": slug,
        "views": [(view, counts[view.slug]) for view in inbox.views_for(request.user)],
        "rows": inbox.rows(request.user, slug, filters, scope=scope),
        "page_size": inbox.PAGE_SIZE,
        "query": query.urlencode(),
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
    filters = InboxFiltersForm(request.GET).cleaned_filters()
    slug = _view_slug(request)
    query = request.GET.copy()
    for name in ("ids", "offset"):
        query.pop(name, None)
    requested = id_list(request.GET.get("ids")) if "ids" in request.GET else None
    offset = int(request.GET["offset"]) if request.GET.get("offset", "").isdigit() else 0
    scope = inbox.Scope.of(request.user)
    found = inbox.rows(request.user, slug, filters, ids=requested, offset=offset, scope=scope)
    found_ids = {c.pk for c in found}
    return JsonResponse({
        "rows": [
            {"id": c.pk, "html": _row_html(c, query.urlencode())} for c in found
        ],
        "missing": [pk for pk in requested or [] if pk not in found_ids],
        "counts": inbox.counts(request.user, filters, scope),
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
