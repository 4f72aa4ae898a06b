"""Phone calls in the customer's one conversation: logged by an agent, or recorded from the telephony system.

A call is a message of the conversation carrying `metadata["call"]`: the timeline shows it as a call, and the
identity rules are the ones of every channel, because a reported call goes through the one ingest path.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import events
from ..models import Message
from .errors import ActionError
from .ingest import _store_attachments, announce_message, ingest_message

DIRECTIONS = {"inbound": gettext_lazy("Incoming call"), "outbound": gettext_lazy("Outgoing call")}
OUTCOMES = {
    "answered": gettext_lazy("Answered"),
    "missed": gettext_lazy("Missed"),
    "voicemail": gettext_lazy("Voicemail"),
    "busy": gettext_lazy("Busy"),
    "failed": gettext_lazy("Failed"),
}
MAX_DURATION_SECONDS = 24 * 3600
MAX_NOTES_LENGTH = 5000


def check_call(direction, duration_seconds, outcome):
    if direction not in DIRECTIONS:
        raise ActionError(_("The direction is inbound or outbound."), field="direction")
    if outcome and outcome not in OUTCOMES:
        raise ActionError(_("Unknown call outcome."), field="outcome")
    if duration_seconds is not None and (isinstance(duration_seconds, bool) or not isinstance(duration_seconds, int)
                                         or not 0 <= duration_seconds <= MAX_DURATION_SECONDS):
        raise ActionError(_("The duration is a whole number of seconds, up to a day."), field="duration")


@transaction.atomic
def log_call(conversation, agent, direction, duration_seconds, outcome, notes=""):
    """An agent writes down a call they had with the customer (visible to agents only, like a note)."""
    check_call(direction, duration_seconds, outcome)
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES_LENGTH:
        raise ActionError(_("The notes are longer than %(max)d characters.") % {"max": MAX_NOTES_LENGTH},
                          field="notes")
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, direction=Message.Direction.NOTE, author=agent, text=notes, created_at=now,
        metadata={"call": {"direction": direction, "duration_seconds": duration_seconds, "outcome": outcome,
                           "logged": True}},
    )
    conversation.last_message, conversation.last_message_at, conversation.updated_at = message, now, now
    conversation.save(update_fields=["last_message", "last_message_at", "updated_at"])
    # A note opens no inbox row by itself (message_created), but the call is the row's new last message.
    events.message_created(message)
    events.conversation_changed(conversation)
    announce_message(message)
    return message


@transaction.atomic
def record_call(channel, call):
    """Record a reported call (an InboundCall) on the customer found by its number; its end completes it."""
    check_call(call.direction, call.duration_seconds, call.outcome)
    result = ingest_message(channel, call.as_message())
    if result.created:
        return result.message
    message = Message.objects.select_for_update().get(pk=result.message.pk)
    known = message.metadata.get("call", {})
    if known.get("state") == "ended" and call.event != "call.ended":
        return message  # a late "started" never undoes the end
    message.metadata = {**message.metadata, "call": {**known, **call.facts()}}
    message.save(update_fields=["metadata"])
    if call.recording and not message.attachments.exists():
        _store_attachments(message, [call.recording])
    events.message_updated(message)
    return message
