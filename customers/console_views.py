"""Console pages of the customer layer: the panel fragment and its older timeline entries; for admins, export,
erasure and the typed attribute registry."""
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from conversations.actions.errors import ActionError
from conversations.models import Conversation, Customer
from conversations.visibility import is_admin, visible_conversations

from . import export, panel
from .actions import attributes, privacy
from .forms import AttributeDefinitionEditForm, AttributeDefinitionForm
from .models import AttributeDefinition
from .actions.journey import people_of


def _visible_customer(user, pk):
    return get_object_or_404(Customer.objects.filter(pk__in=visible_conversations(user).values("customer_id")), pk=pk)


def _older_url(conversation, cursor):
    if cursor is None:
        return ""
    return f"{reverse('customer360:timeline', args=[conversation.pk])}?{urlencode({'before': str(cursor)})}"


@login_required
@require_GET
def panel_fragment(request, pk):
    """The Customer 360 sections alone, for a conversation the agent may see.

    Rendered without the request's context processors: they read what the console's top bar shows (unread
    notifications, the scripts' sentences), and this fragment shows none of it."""
    conversation = get_object_or_404(visible_conversations(request.user, panel.panel_conversations()), pk=pk)
    facts = panel.panel_facts(conversation)
    return HttpResponse(render_to_string("customers/console_panel.html", {
        **facts, "conversation": conversation, "older_url": _older_url(conversation, facts["timeline_more"]),
        "may_erase": is_admin(request.user), "csrf_token": get_token(request)}))


@login_required
@require_GET
def timeline_page(request, pk):
    """Older entries of the customer timeline: ?before= the cursor of the last entry shown."""
    conversation = get_object_or_404(visible_conversations(request.user, Conversation.objects.select_related(
        "customer")), pk=pk)
    try:
        cursor = panel.Cursor.parse(request.GET.get("before"))
    except ValueError:
        return JsonResponse({"ok": False, "error": _("This part of the timeline does not exist.")}, status=400)
    entries, more = panel.timeline(conversation, people_of(conversation.customer), cursor)
    return JsonResponse({"ok": True, "html": render_to_string("customers/_timeline_entries.html",
                                                              {"entries": entries}),
                         "more": _older_url(conversation, more) or None})


@login_required
def export_customer(request, pk, kind):
    if not is_admin(request.user):
        raise PermissionDenied
    if kind not in ("json", "csv"):
        raise Http404
    customer = _visible_customer(request.user, pk)
    data = export.collect(customer)
    body, content_type = (export.as_csv(data), "text/csv; charset=utf-8") if kind == "csv" else (
        export.as_json(data), "application/json")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.{kind}"'
    return response


@login_required
@require_POST
def erase_customer(request, pk):
    if not is_admin(request.user):
        return JsonResponse({"ok": False, "error": "Only admins may erase a customer."}, status=403)
    record = privacy.erase_customer(_visible_customer(request.user, pk), request.user)
    return JsonResponse({"ok": True, "erasure": record.pk, "next": reverse("console:inbox")})


def _admin_only(request):
    if not is_admin(request.user):
        raise PermissionDenied


def _refused_into(form, exc):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def attribute_list(request):
    """The typed attributes, and a form to define one."""
    _admin_only(request)
    form = AttributeDefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            definition = attributes.define_attribute(**form.cleaned_data)
        except ActionError as exc:
            _refused_into(form, exc)
        else:
            flash.success(request, _("Attribute %(key)s defined.") % {"key": definition.key})
            return redirect("customer360:attributes")
    return render(request, "customers/attributes.html", {
        "form": form, "definitions": AttributeDefinition.objects.all()}, status=400 if form.errors else 200)


@login_required
def attribute_edit(request, pk):
    _admin_only(request)
    definition = get_object_or_404(AttributeDefinition, pk=pk)
    form = AttributeDefinitionEditForm(request.POST or None, initial={
        "label": definition.label, "options": "\n".join(definition.options),
        "writable_by_agents": definition.writable_by_agents, "writable_by_api": definition.writable_by_api,
        "writable_by_widget": definition.writable_by_widget})
    if request.method == "POST" and form.is_valid():
        try:
            attributes.update_definition(definition, **form.cleaned_data)
        except ActionError as exc:
            _refused_into(form, exc)
        else:
            flash.success(request, _("Attribute %(key)s saved.") % {"key": definition.key})
            return redirect("customer360:attributes")
    return render(request, "customers/attribute_edit.html", {"form": form, "definition": definition},
                  status=400 if form.errors else 200)


@login_required
def attribute_delete(request, pk):
    """GET asks for confirmation (how many customers have a value); POST deletes."""
    _admin_only(request)
    definition = get_object_or_404(AttributeDefinition, pk=pk)
    if request.method == "POST":
        attributes.delete_definition(definition)
        flash.success(request, _("Attribute %(key)s deleted.") % {"key": definition.key})
        return redirect("customer360:attributes")
    return render(request, "customers/attribute_delete.html", {
        "definition": definition, "values": definition.values.count()})
