"""Domain signals sent after commit, for the edges to act on (never model save signals)."""
from django.dispatch import Signal

# Sent with message_id once an outbound message is committed as queued.
outbound_message_queued = Signal()
# Sent with channel_id once a new channel is committed.
channel_created = Signal()
# Sent with event_ids when failed raw inbound events are made pending again.
raw_events_requeued = Signal()
# Sent with attachment_ids once inbound attachments the provider only referenced are committed.
attachments_to_fetch = Signal()
# Sent with user_id once a change of an agent's teams, role or active state is committed.
agent_access_changed = Signal()

# Domain facts for the layers on top of the core (routing, automation...), which the core never
# imports. All but the presence one are sent inside `transaction.on_commit`.
# Sent with conversation_id, changed (a frozenset of "assignee", "team", "status", "priority",
# "labels", "csat"), actor_id (None for the system) and cause (conversations.causes.Cause, None
# unless automation made the change) once such a change is committed.
conversation_changed = Signal()
# Sent with message_id, conversation_id, direction and cause once a new message is committed.
message_created = Signal()
# Sent with message_id, conversation_id and status once an outbound message's new delivery status is committed.
message_status_changed = Signal()
# Sent with user_id and status (online, away, offline) when an agent's console presence changes;
# presence lives in the cache, so this is sent at once, outside any transaction.
agent_presence_changed = Signal()
# Sent with message_id and customer_id once a new inbound message is committed, from one task in the worker
# (conversations.tasks.announce_inbound_message): receivers do their work there, without a task of their own.
inbound_message_stored = Signal()
# Sent with source_id and target_id once a merge of customers (or its undoing, undone=True) is committed.
customers_merged = Signal()
# Sent with conversation_id and actor_id (or None) once a conversation's cycle is committed as resolved.
conversation_resolved = Signal()
