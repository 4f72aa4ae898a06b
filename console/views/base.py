"""What every console view shares: the visible conversation, JSON answers for the console's scripts."""
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from conversations.actions.errors import ActionError
from conversations.models import Conversation, Team
from conversations.visibility import visible_conversations


def visible_conversation(user, pk):
    queryset = Conversation.objects.select_related(
        "customer", "assignee__agent", "team", "last_inbound_channel", "last_message__channel"
    )
    return get_object_or_404(visible_conversations(user, queryset), pk=pk)


def choices_context():
    """Who and what a conversation can be given to: the action controls of the inbox and the conversation."""
    return {
        "agents": get_user_model().objects.filter(is_active=True).select_related("agent").order_by("username"),
        "teams": Team.objects.all(),
        "statuses": Conversation.Status.choices,
        "priorities": Conversation.Priority.choices,
    }


def refused(message, status=400):
    return JsonResponse({"ok": False, "error": str(message)}, status=status)


def form_refused(form):
    return refused(" ".join(str(error) for errors in form.errors.values() for error in errors))


def done(**data):
    return JsonResponse({"ok": True, **data})


def id_list(raw, limit=200):
    """"1,2,3" -> [1, 2, 3]; anything else in the list is ignored."""
    return [int(part) for part in (raw or "").split(",")[:limit] if part.strip().isdigit()]


def console_action(view):
    """A signed-in agent's POST that calls an action: its refusal (ActionError) becomes a 400 with the message."""
    @wraps(view)
    def refusing_action_errors(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ActionError as exc:
            return refused(exc.message)

    return login_required(require_POST(refusing_action_errors))
