"""The real-time event catalogue: every event has a name, a payload builder and the groups it goes to.

Events are only ever sent after commit (`emit` registers an on_commit hook),
so no agent sees a change that was rolled back.

One change is ONE event, published once to every server process (conversations/fanout.py)
as a few tiers of pre-encoded frames; each socket gets the first tier whose groups it is
in, so an agent gets one frame per change: the full message where they have the
conversation open (or are notified of it), the inbox row where they only may see it.
"""
import asyncio
import json
import os
import threading
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .fanout import ACCESS_MESSAGE, EVENT_MESSAGE, LIVE_GROUP
from .visibility import display_name, sees_everything, team_ids

SUPERVISORS_GROUP = "supervisors"


def conversation_group(conversation_id):
    return f"conversation.{conversation_id}"


def team_group(team_id):
    return f"team.{team_id}"


def agent_group(user_id):
    return f"agent.{user_id}"


def viewer_groups(team_id, assignee_id):
    """The groups of everyone who may see a conversation of `team_id` assigned to `assignee_id`.

    The websocket form of conversations/visibility.py's rule (supervisors, the team, the assignee):
    a socket in none of these groups may not see the conversation.
    """
    groups = [SUPERVISORS_GROUP]
    if team_id:
        groups.append(team_group(team_id))
    if assignee_id:
        groups.append(agent_group(assignee_id))
    return groups


def conversation_viewers(conversation):
    return viewer_groups(conversation.team_id, conversation.assignee_id)


def agent_groups(user_id, agent_team_ids, agent_sees_everything):
    """The groups an agent's sockets are in by who they are (before any conversation they open)."""
    groups = [agent_group(user_id), *(team_group(team_id) for team_id in agent_team_ids)]
    if agent_sees_everything:
        groups.append(SUPERVISORS_GROUP)
    return groups


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


def revoked_payload(conversation_id):
    return {"conversation": conversation_id}


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
# The inbox row of a conversation changed (status, assignment, last message...).
CONVERSATION_UPDATED = EventType("conversation.updated", conversation_payload)
# The agent may no longer see the conversation (moved, reassigned, they left its team): drop it.
CONVERSATION_REVOKED = EventType("conversation.revoked", revoked_payload)
# The full message, with the conversation's inbox row: only where the conversation is open or notified.
MESSAGE_CREATED = EventType("message.created", lambda message: {
    **message_payload(message), "inbox_row": conversation_payload(message.conversation)})
MESSAGE_UPDATED = EventType("message.updated", message_payload)
# Sent to both conversations' audiences: the console moves agents from the merged conversation to the kept one.
CONVERSATIONS_MERGED = EventType("conversations.merged", merge_payload)
NOTIFICATION_CREATED = EventType(
    "notification.created", notification_payload, audience=lambda n: [agent_group(n.recipient_id)]
)
# Ephemeral (kept in the cache, not the database): who is online, viewing, typing. Presence goes to
# supervisors (who watch it) and the agent's own other tabs, never to every teammate.
PRESENCE_CHANGED = EventType(
    "presence.changed", presence_payload, audience=lambda p: [SUPERVISORS_GROUP, agent_group(p.user_id)]
)
VIEWERS_CHANGED = EventType(
    "conversation.viewers", viewers_payload, audience=lambda v: [conversation_group(v.conversation_id)]
)
# Agents typing (console) and the customer typing (web chat); the web chat forwards only agents' replies.
TYPING = EventType("conversation.typing", typing_payload, audience=lambda t: [conversation_group(t.conversation_id)])

# --- Routing and SLAs (routing/ builds the payloads and picks the groups; the core knows none of its models) ---
# A conversation's SLA clock changed: {"conversation", "sla", "events"} (the due badge, the "why" popover).
SLA_CHANGED = EventType("sla.changed", dict)
# A team queue or an agent's load changed: {"teams": [ids]}; the supervisor view asks for its numbers again.
QUEUE_CHANGED = EventType("queue.changed", dict)

CATALOGUE = {
    event.name: event
    for event in (
        CONVERSATION_CREATED, CONVERSATION_UPDATED, CONVERSATION_REVOKED, MESSAGE_CREATED, MESSAGE_UPDATED,
        CONVERSATIONS_MERGED, NOTIFICATION_CREATED, PRESENCE_CHANGED, VIEWERS_CHANGED, TYPING,
        SLA_CHANGED, QUEUE_CHANGED,
    )
}


def encode_frame(event_type, payload, at=None):
    """The websocket frame of an event, as text: built once per event, forwarded as is by every socket."""
    return json.dumps({"type": "event", "event": event_type.name, "payload": payload,
                       "at": (at or timezone.now()).isoformat()}, separators=(",", ":"))


def _message(tiers, access=None):
    """tiers: [(groups, event_type, payload)], most specific first; access: (conversation id, viewer groups)."""
    at = timezone.now()
    return {
        "type": EVENT_MESSAGE,
        "event": tiers[0][1].name,
        "access": [access[0], list(access[1])] if access else None,
        "tiers": [[list(groups), event_type.name, encode_frame(event_type, payload, at)]
                  for groups, event_type, payload in tiers if groups],
    }


def _on_commit(build):
    transaction.on_commit(lambda: _publish(build()))


def emit(event_type, instance, groups=None):
    """Send `event_type` about `instance` to `groups` once the current transaction commits."""
    groups = list(groups if groups is not None else event_type.audience(instance))
    _on_commit(lambda: _message([(groups, event_type, event_type.builder(instance))]))


def conversation_changed(conversation, previous_team_id=None, previous_assignee_id=None, created=False):
    """The inbox row to everyone who may see the conversation; those who just lost it are told so."""
    def build():
        viewers = conversation_viewers(conversation)
        event_type = CONVERSATION_CREATED if created else CONVERSATION_UPDATED
        lost = [group for group in viewer_groups(previous_team_id, previous_assignee_id) if group not in viewers]
        return _message([
            # The conversation's own group too: the web chat widget follows it (resolved -> rating question).
            ([*viewers, conversation_group(conversation.pk)], event_type, conversation_payload(conversation)),
            (lost, CONVERSATION_REVOKED, revoked_payload(conversation.pk)),
        ], access=(conversation.pk, viewers))

    _on_commit(build)


def message_created(message, created_conversation=False):
    """One frame per agent: the full message where the conversation is open, and to the assignee of a
    customer's message (they are notified of it); the inbox row to everyone else who may see it.
    A private note changes no inbox row: only those who have the conversation open get it."""
    def build():
        conversation = message.conversation
        viewers = conversation_viewers(conversation)
        readers = [conversation_group(conversation.pk)]
        if message.direction == message.Direction.INBOUND and conversation.assignee_id:
            readers.append(agent_group(conversation.assignee_id))
        tiers = [(readers, MESSAGE_CREATED, MESSAGE_CREATED.builder(message))]
        if message.direction != message.Direction.NOTE:
            row_type = CONVERSATION_CREATED if created_conversation else CONVERSATION_UPDATED
            tiers.append((viewers, row_type, conversation_payload(conversation)))
        return _message(tiers, access=(conversation.pk, viewers))

    _on_commit(build)


def message_updated(message):
    """A status or attachment changed: only where the conversation is open."""
    def build():
        conversation = message.conversation
        return _message([([conversation_group(conversation.pk)], MESSAGE_UPDATED, message_payload(message))],
                        access=(conversation.pk, conversation_viewers(conversation)))

    _on_commit(build)


async def emit_now(event_type, instance):
    """Send an ephemeral event (no database state behind it) from async code, at once."""
    await get_channel_layer().group_send(
        LIVE_GROUP, _message([(event_type.audience(instance), event_type, event_type.builder(instance))]))


def access_of(user):
    """What an agent's open sockets must now be in; an inactive user's sockets close."""
    if not user.is_active:
        return {"user": user.pk, "active": False, "groups": [], "team_ids": []}
    agent_team_ids = team_ids(user)
    return {"user": user.pk, "active": True, "team_ids": agent_team_ids,
            "groups": agent_groups(user.pk, agent_team_ids, sees_everything(user))}


def access_changed(user):
    """Tell the open sockets of `user` their teams, role or active state changed (called after commit)."""
    _publish({"type": ACCESS_MESSAGE, "group": agent_group(user.pk), "access": access_of(user)})


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


async def _group_send(message):
    await get_channel_layer().group_send(LIVE_GROUP, message)


def _publish(message):
    if not message.get("tiers", True):
        return
    if not settings.REDIS_URL:
        # Embedded mode: the in-memory layer belongs to the server's own event loop.
        async_to_sync(_group_send)(message)
        return
    # With Redis, async_to_sync from a Celery worker would start a new event loop, and so open a new
    # Redis connection, for every send (most of the cost of an ingest); one loop per process keeps them.
    future = asyncio.run_coroutine_threadsafe(_group_send(message), _sender_loop())
    future.result(timeout=SEND_TIMEOUT_SECONDS)
