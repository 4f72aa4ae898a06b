"""One timeline per conversation: messages of every channel and the audit trail, in order, a page at a time."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from conversations.models import Channel, ConversationEvent, Message

PAGE_SIZE = 40
# Shown from their system message (or not at all) rather than from the audit record.
HIDDEN_EVENT_KINDS = [
    ConversationEvent.Kind.CREATED, ConversationEvent.Kind.CHANNEL_SWITCHED, ConversationEvent.Kind.MERGED,
    ConversationEvent.Kind.UNMERGED,
]


@dataclass(frozen=True)
class Item:
    kind: str  # "message" or "event"
    obj: object

    @property
    def at(self):
        return self.obj.created_at

    @property
    def dom_id(self):
        return f"{self.kind}-{self.obj.pk}"

    @property
    def sort_key(self):
        """Orders items in the browser exactly as on the server (time, then messages before events, then id)."""
        return f"{int(self.at.timestamp() * 1_000_000):017d}{0 if self.kind == 'message' else 1}{self.obj.pk:012d}"


def _messages(conversation):
    return (
        Message.objects.filter(conversation=conversation)
        # "sentiment": the insights app's score of a customer message, shown as a badge.
        .select_related("channel", "identity__customer", "author__agent", "conversation__customer", "sentiment")
        .prefetch_related("attachments")
    )


def _events(conversation):
    return ConversationEvent.objects.filter(conversation=conversation).exclude(kind__in=HIDDEN_EVENT_KINDS).select_related(
        "actor__agent"
    )


def _with_channel_names(messages):
    """Give channel-switch lines the current names of their channels (read once for the page, not per line)."""
    switches = [m for m in messages if (m.metadata or {}).get("event") == "channel_switched"]
    wanted = {m.metadata.get(key) for m in switches for key in ("from_channel", "to_channel")} - {None}
    names = {str(pk): name for pk, name in Channel.objects.filter(pk__in=wanted).values_list("pk", "name")} if wanted else {}
    for message in switches:
        message.channel_names = names
    return messages


def _merged(messages, audit_events):
    messages = _with_channel_names(list(messages))
    items = [Item("message", m) for m in messages] + [Item("event", e) for e in audit_events]
    return sorted(items, key=lambda item: item.sort_key)


def parse_cursor(cursor):
    """`<iso time>|<message id>` -> (datetime, id), or None when malformed."""
    at, _sep, pk = (cursor or "").partition("|")
    moment = parse_datetime(at) if at else None
    return (moment, int(pk)) if moment and pk.isdigit() else None


def page(conversation, before=None):
    """The newest page (or the page before the `before` cursor); returns (items, cursor of the next older page)."""
    messages = _messages(conversation)
    audit_events = _events(conversation)
    if before is not None:
        at, pk = before
        messages = messages.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
        audit_events = audit_events.filter(created_at__lt=at)
    newest_first = list(messages.order_by("-created_at", "-id")[:PAGE_SIZE + 1])
    has_older = len(newest_first) > PAGE_SIZE
    shown = list(reversed(newest_first[:PAGE_SIZE]))
    if has_older and shown:
        audit_events = audit_events.filter(created_at__gte=shown[0].created_at)
    cursor = f"{shown[0].created_at.isoformat()}|{shown[0].pk}" if has_older and shown else ""
    return _merged(shown, audit_events), cursor


def changes(conversation, since: datetime, message_ids=()):
    """Items created or changed since `since`, plus the messages `message_ids` (their status may have moved)."""
    messages = _messages(conversation).filter(
        Q(created_at__gte=since) | Q(status_changed_at__gte=since) | Q(pk__in=list(message_ids))
    )
    return _merged(messages.order_by("created_at", "id"), _events(conversation).filter(created_at__gte=since))
