"""Notifications for agents: @mentions in private notes, and what they have read."""
import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from .. import events
from ..models import ConversationRead, Message, Notification
from ..visibility import can_see_conversation

# "@ana" or "@ana.souza": usernames as Django allows them, without a trailing dot.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]*[\w+-])")
MAX_MENTIONS = 20


def mentioned_users(text):
    """Active users named by @username in `text`."""
    usernames = sorted({name.lower() for name in MENTION.findall(text or "")})[:MAX_MENTIONS]
    if not usernames:
        return []
    named = Q()
    for username in usernames:
        named |= Q(username__iexact=username)
    return list(get_user_model().objects.filter(named, is_active=True))


def notify_mentions(note):
    """Notify every agent mentioned in `note` who may see its conversation; returns their ids."""
    notified = []
    for user in mentioned_users(note.text):
        if user.pk == note.author_id or not can_see_conversation(user, note.conversation_id):
            continue
        notification = Notification.objects.create(
            recipient=user, kind=Notification.Kind.MENTION, conversation_id=note.conversation_id, message=note,
            actor=note.author,
        )
        events.emit(events.NOTIFICATION_CREATED, notification)
        notified.append(user.pk)
    return notified


def mark_notifications_read(user, ids=None):
    """Mark `user`'s notifications read (all of them when `ids` is None); returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def mark_conversation_read(user, conversation):
    """Everything the customer wrote so far counts as read by `user`; their mentions there too."""
    last_inbound = (
        Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
        .aggregate(last=Max("id"))["last"] or 0
    )
    marker, _ = ConversationRead.objects.select_for_update().get_or_create(user=user, conversation=conversation)
    if last_inbound > marker.last_read_message_id:
        marker.last_read_message_id = last_inbound
        marker.read_at = timezone.now()
        marker.save(update_fields=["last_read_message_id", "read_at"])
    Notification.objects.filter(recipient=user, conversation=conversation, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return marker
