"""The real-time event catalogue: every event has a name, a payload builder and its groups.

Events are only ever sent after commit (`emit` registers an on_commit hook),
so no agent sees a change that was rolled back.
"""
import asyncio
import os
import threading
import uuid
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .visibility import display_name

SUPERVISORS_GROUP = "supervisors"


def conversation_group(conversation_id):
    return f"conversation.{conversation_id}"


def team_group(team_id):
    return f"team.{team_id}"


def agent_group(user_id):
    return f"agent.{user_id}"


def conversation_audience(conversation, previous_team_id=None, previous_assignee_id=None):
    """Groups that may see `conversation`, plus those that just lost it (so their inbox drops the row)."""
    groups = {conversation_group(conversation.pk), SUPERVISORS_GROUP}
    for team_id in (conversation.team_id, previous_team_id):
        if team_id:
            groups.add(team_group(team_id))
    for user_id in (conversation.assignee_id, previous_assignee_id):
        if user_id:
            groups.add(agent_group(user_id))
    return sorted(groups)


def conversation_payload(conversation):
    customer = conversation.customer
    last = conversation.last_message
    return {
        "id": conversation.pk,
        "customer": {"id": customer.pk, "name": customer.name},
        "status": conversation.status,
        "priority": conversation.priority,
        "team": conversation.team_id,
        "assignee": conversation.assignee_id,
        "waiting_since": conversation.waiting_since.isoformat() if conversation.waiting_since else None,
        "last_message_at": conversation.last_message_at.isoformat() if conversation.last_message_at else None,
        "last_message_preview": (last.text[:140] if last else ""),
        "last_channel_kind": (last.channel.kind if last and last.channel_id else None),
    }


def message_payload(message):
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "direction": message.direction,
        "channel": str(message.channel_id) if message.channel_id else None,
        "channel_kind": message.channel.kind if message.channel_id else None,
        "text": message.text,
        "status": message.status,
        "failure_reason": message.failure_reason,
        "failure_code": message.failure_code,
        "failure_params": message.failure_params,
        "author": message.author_id,
        # Lets the console notify the assignee of a new customer message without another request.
        "assignee": message.conversation.assignee_id,
        "created_at": message.created_at.isoformat(),
    }


def merge_payload(merge):
    return {
        "merge": merge.pk,
        "source_conversation": merge.source.conversation.pk,
        "target_conversation": merge.target.conversation.pk,
        "undone": merge.undone_at is not None,
    }


def notification_payload(notification):
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "conversation": notification.conversation_id,
        "message": notification.message_id,
        "actor": notification.actor_id,
        "actor_name": display_name(notification.actor) if notification.actor else "",
        "preview": notification.message.text[:140] if notification.message_id else "",
    }


def presence_payload(presence):
    return {"user": presence.user_id, "name": presence.name, "status": presence.status}


def viewers_payload(viewers):
    return {
        "conversation": viewers.conversation_id,
        "viewers": [{"user": user_id, "name": name} for user_id, name in viewers.viewers],
    }


def typing_payload(typing):
    return {"conversation": typing.conversation_id, "user": typing.user_id, "name": typing.name,
            "typing": typing.typing, "private": typing.private}


@dataclass(frozen=True)
class EventType:
    name: str
    builder: callable
    # The groups an event goes to when the caller gives none (events about one thing with one audience).
    audience: callable = None


CONVERSATION_CREATED = EventType("conversation.created", conversation_payload)
CONVERSATION_UPDATED = EventType("conversation.updated", conversation_payload)
MESSAGE_CREATED = EventType("message.created", message_payload)
MESSAGE_UPDATED = EventType("message.updated", message_payload)
# Sent to both conversations' audiences: the console moves agents from the merged conversation to the kept one.
CONVERSATIONS_MERGED = EventType("conversations.merged", merge_payload)
NOTIFICATION_CREATED = EventType(
    "notification.created", notification_payload, audience=lambda n: [agent_group(n.recipient_id)]
)
# Ephemeral (kept in the cache, not the database): who is online, viewing, typing.
PRESENCE_CHANGED = EventType(
    "presence.changed",
    presence_payload,
    audience=lambda p: sorted({SUPERVISORS_GROUP, agent_group(p.user_id), *map(team_group, p.team_ids)}),
)
VIEWERS_CHANGED = EventType(
    "conversation.viewers", viewers_payload, audience=lambda v: [conversation_group(v.conversation_id)]
)
# Agents typing (console) and the customer typing (web chat); the web chat forwards only agents' replies.
TYPING = EventType("conversation.typing", typing_payload, audience=lambda t: [conversation_group(t.conversation_id)])
CATALOGUE = {
    event.name: event
    for event in (
        CONVERSATION_CREATED, CONVERSATION_UPDATED, MESSAGE_CREATED, MESSAGE_UPDATED, CONVERSATIONS_MERGED,
        NOTIFICATION_CREATED, PRESENCE_CHANGED, VIEWERS_CHANGED, TYPING,
    )
}


def _envelope(event_type, instance):
    return {
        "type": "console.event",
        "id": uuid.uuid4().hex,
        "event": event_type.name,
        "payload": event_type.builder(instance),
        "at": timezone.now().isoformat(),
    }


def emit(event_type, instance, groups=None):
    """Send `event_type` about `instance` to `groups` once the current transaction commits."""
    groups = list(groups if groups is not None else event_type.audience(instance))

    def send():
        _send_to_groups(groups, _envelope(event_type, instance))

    transaction.on_commit(send)


async def emit_now(event_type, instance):
    """Send an ephemeral event (no database state behind it) from async code, at once."""
    envelope = _envelope(event_type, instance)
    layer = get_channel_layer()
    for group in event_type.audience(instance):
        await layer.group_send(group, envelope)


SEND_TIMEOUT_SECONDS = 10
_sender = {"pid": None, "loop": None}
_sender_lock = threading.Lock()


def _sender_loop():
    """This process's long-lived event loop for sending from sync code (started after any fork)."""
    with _sender_lock:
        if _sender["pid"] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="omnidesk-event-sender", daemon=True).start()
            _sender.update(pid=os.getpid(), loop=loop)
        return _sender["loop"]


async def _group_send_all(groups, envelope):
    layer = get_channel_layer()
    await asyncio.gather(*(layer.group_send(group, envelope) for group in groups))


def _send_to_groups(groups, envelope):
    if not settings.REDIS_URL:
        # Embedded mode: the in-memory layer belongs to the server's own event loop.
        async_to_sync(_group_send_all)(groups, envelope)
        return
    # With Redis, async_to_sync from a Celery worker would start a new event loop, and so open a new
    # Redis connection, for every send (most of the cost of an ingest); one loop per process keeps them.
    future = asyncio.run_coroutine_threadsafe(_group_send_all(groups, envelope), _sender_loop())
    future.result(timeout=SEND_TIMEOUT_SECONDS)
