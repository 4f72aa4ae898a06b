"""One conversation: its timeline, the composer, the actions on it."""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from conversations import variables
from conversations.actions import assignment, calls, canned, notifications, replies
from conversations.downloads import file_response
from conversations.models import Attachment, CsatRating, Message
from conversations.visibility import display_name, profile_of, visible_conversations

from .. import timeline
from ..actions import csat as console_csat
from ..forms import AskCsatForm, CallForm, ConversationUpdateForm, ReplyForm
from .base import choices_context, console_action, done, form_refused, id_list, refused, visible_conversation
from .customers import panel_context
from .inbox import inbox_context

# A sync re-reads this much before the time asked for: a transaction that began before
# the last sync may have committed after it, with earlier timestamps.
SYNC_OVERLAP_SECONDS = 60


def _header_html(request, conversation):
    return render_to_string("console/_conversation_header.html", _header_context(conversation), request=request)


def _header_context(conversation):
    return {
        "conversation": conversation,
        "last_rating": CsatRating.objects.filter(cycle__conversation=conversation).order_by(
            "-cycle__resolved_at").first(),
        "labels_text": ", ".join(conversation.labels.values_list("name", flat=True)),
        **choices_context(),
    }


def _item_json(item):
    return {
        "id": item.dom_id,
        # Without the request: its context processors (a query each) would run again for every item.
        "html": render_to_string("console/_timeline_item.html", {"item": item}),
    }


def _message_json(message):
    """A message just written, as the timeline item the page inserts."""
    item = timeline.Item("message", Message.objects.select_related("channel", "author__agent").get(pk=message.pk))
    return _item_json(item)


def _reply_channels_context(user, conversation):
    channels = replies.reply_choices(user, conversation)
    usable = [options.channel for options in channels if options.usable]
    default_channel = conversation.last_inbound_channel if conversation.last_inbound_channel in usable else (
        usable[0] if usable else None)
    return {"reply_channels": channels, "default_channel": default_channel}


@login_required
def conversation_page(request, pk):
    conversation = visible_conversation(request.user, pk)
    items, cursor = timeline.page(conversation)
    profile = profile_of(request.user)
    variables_context = variables.context_for(conversation, profile)
    canned_responses = []
    for response in canned.available_to(request.user):
        text, problem = canned.expand(response.text, variables_context)
        canned_responses.append({"shortcut": response.shortcut, "title": response.title, "text": text,
                                 "problem": problem})
    context = inbox_context(request)
    context.update(_header_context(conversation))
    context.update(panel_context(request, conversation))
    context.update({
        "items": items,
        "cursor": cursor,
        **_reply_channels_context(request.user, conversation),
        "canned_responses": canned_responses,
        "mention_agents": [
            {"username": user.username, "name": display_name(user)}
            for user in context["agents"]
        ],
        "attachment_max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "attachment_max_files": settings.ATTACHMENT_MAX_FILES,
        "synced_at": timezone.now().isoformat(),
    })
    return render(request, "console/conversation.html", context)


@login_required
@require_GET
def older_items(request, pk):
    conversation = visible_conversation(request.user, pk)
    before = timeline.parse_cursor(request.GET.get("before"))
    if before is None:
        return refused("before must be a cursor from the timeline.")
    items, cursor = timeline.page(conversation, before=before)
    return JsonResponse({"items": [_item_json(item) for item in items], "cursor": cursor})


@login_required
@require_GET
def sync(request, pk):
    """What changed since `since` (an ISO time from the previous answer): live updates and resync after a drop."""
    conversation = visible_conversation(request.user, pk)
    now = timezone.now()
    since = parse_datetime(request.GET.get("since", "")) or now
    since -= timedelta(seconds=SYNC_OVERLAP_SECONDS)
    items = timeline.changes(conversation, since, id_list(request.GET.get("ids")))
    return JsonResponse({
        "items": [_item_json(item) for item in items],
        "header": _header_html(request, conversation),
        "panel": render_to_string("console/_customer_panel.html", panel_context(request, conversation), request=request),
        "channels": render_to_string("console/_reply_channels.html", _reply_channels_context(request.user, conversation),
                                     request=request),
        "synced_at": now.isoformat(),
    })


@console_action
def reply(request, pk):
    conversation = visible_conversation(request.user, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return form_refused(form)
    files = request.FILES.getlist("attachments")
    if form.cleaned_data["private"]:
        message = replies.add_note(conversation, request.user, form.cleaned_data["text"], attachments=files)
    else:
        message = replies.send_reply(conversation, request.user, form.cleaned_data["text"],
                                     channel=form.cleaned_data["channel"], attachments=files,
                                     template=form.template_choice(), cc=form.cc_choice())
    return done(item=_message_json(message))


@console_action
def update(request, pk):
    conversation = visible_conversation(request.user, pk)
    form = ConversationUpdateForm(request.POST)
    if not form.is_valid():
        return form_refused(form)
    # The snooze time is read in the agent's time zone (the active one).
    conversation = assignment.update_conversation(conversation, request.user, **form.changes())
    return done(header=_header_html(request, visible_conversation(request.user, conversation.pk)))


@console_action
def ask_csat(request, pk):
    """Send the customer the rating link of the conversation's last resolved cycle, on any channel."""
    conversation = visible_conversation(request.user, pk)
    form = AskCsatForm(request.POST)
    if not form.is_valid():
        return form_refused(form)
    message = console_csat.ask(conversation, request.user, channel=form.cleaned_data["channel"])
    return done(item=_message_json(message))


@console_action
def log_call(request, pk):
    conversation = visible_conversation(request.user, pk)
    form = CallForm(request.POST)
    if not form.is_valid():
        return form_refused(form)
    message = calls.log_call(conversation, request.user, form.cleaned_data["direction"], form.duration_seconds(),
                             form.cleaned_data["outcome"], form.cleaned_data["notes"])
    return done(item=_message_json(message))


@console_action
def mark_read(request, pk):
    notifications.mark_conversation_read(request.user, visible_conversation(request.user, pk))
    return HttpResponse(status=204)


@console_action
def retry(request, pk):
    visible = visible_conversations(request.user).values("pk")
    message = get_object_or_404(Message, pk=pk, conversation_id__in=visible)
    replies.retry_delivery(message.pk)
    return done()


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("message"), pk=pk)
    if not visible_conversations(request.user).filter(pk=attachment.message.conversation_id).exists():
        raise Http404
    if not attachment.file:
        raise Http404
    return file_response(attachment, inline=request.GET.get("inline") == "1")
