"""Server-rendered agent console: thin views over the domain actions."""
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from conversations.actions import replies
from conversations.actions.errors import ActionError
from conversations.models import Attachment, Channel, Conversation, Message
from conversations.visibility import visible_conversations

from .forms import ReplyForm

INBOX_PAGE_SIZE = 50


def _visible_conversation(user, pk):
    queryset = Conversation.objects.select_related("customer", "assignee", "team", "last_inbound_channel")
    return get_object_or_404(visible_conversations(user, queryset), pk=pk)


def _reply_channels(conversation):
    """Every active channel with the reason it cannot be used now ("" when it can)."""
    return [
        (channel, replies.unavailable_reason(conversation.customer, channel))
        for channel in Channel.objects.filter(active=True).order_by("name")
    ]


@login_required
def inbox(request):
    conversations = (
        visible_conversations(request.user)
        .exclude(status=Conversation.Status.RESOLVED)
        .select_related("customer", "assignee", "last_message__channel")
        .order_by("waiting_since", "-last_message_at")[:INBOX_PAGE_SIZE]
    )
    return render(request, "console/inbox.html", {"conversations": conversations})


@login_required
def conversation_detail(request, pk):
    conversation = _visible_conversation(request.user, pk)
    timeline = (
        Message.objects.filter(conversation=conversation)
        .select_related("channel", "identity", "author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    channels = _reply_channels(conversation)
    usable = [channel for channel, reason in channels if not reason]
    initial_channel = conversation.last_inbound_channel if conversation.last_inbound_channel in usable else None
    form = ReplyForm(channels=usable, initial={"channel": initial_channel})
    return render(
        request,
        "console/conversation.html",
        {
            "conversation": conversation,
            "timeline": timeline,
            "channels": channels,
            "form": form,
            "identities": conversation.customer.identities.all(),
        },
    )


@login_required
@require_POST
def reply(request, pk):
    conversation = _visible_conversation(request.user, pk)
    usable = [channel for channel, reason in _reply_channels(conversation) if not reason]
    form = ReplyForm(request.POST, channels=usable)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                flash.error(request, error)
        return redirect("console:conversation", pk=pk)
    try:
        if form.cleaned_data["private"]:
            replies.add_note(conversation, request.user, form.cleaned_data["text"])
        else:
            replies.send_reply(conversation, request.user, form.cleaned_data["text"], channel=form.cleaned_data["channel"])
    except ActionError as exc:
        flash.error(request, exc.message)
    return redirect("console:conversation", pk=pk)


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("message"), pk=pk)
    if not visible_conversations(request.user).filter(pk=attachment.message.conversation_id).exists():
        raise Http404
    if not attachment.file:
        raise Http404
    return FileResponse(attachment.file.open("rb"), filename=attachment.filename or None,
                        content_type=attachment.content_type or "application/octet-stream")
