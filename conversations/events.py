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
        "author": message.author_id,
        "created_at": message.created_at.isoformat(),
    }


@dataclass(frozen=True)
class EventType:
    name: str
    builder: callable


CONVERSATION_CREATED = EventType("conversation.created", conversation_payload)
CONVERSATION_UPDATED = EventType("conversation.updated", conversation_payload)
MESSAGE_CREATED = EventType("message.created", message_payload)
MESSAGE_UPDATED = EventType("message.updated", message_payload)
CATALOGUE = {event.name: event for event in (CONVERSATION_CREATED, CONVERSATION_UPDATED, MESSAGE_CREATED, MESSAGE_UPDATED)}


def emit(event_type, instance, groups):
    """Send `event_type` about `instance` to `groups` once the current transaction commits."""
    groups = list(groups)

    def send():
        payload = event_type.builder(instance)
        envelope = {
            "type": "console.event",
            "id": uuid.uuid4().hex,
            "event": event_type.name,
            "payload": payload,
            "at": timezone.now().isoformat(),
        }
        _send_to_groups(groups, envelope)

    transaction.on_commit(send)


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
