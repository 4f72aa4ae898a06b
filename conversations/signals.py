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
# Sent with conversation_id and actor_id (or None) once a conversation's cycle is committed as resolved.
conversation_resolved = Signal()
