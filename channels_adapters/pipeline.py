"""From a stored raw event to domain actions: parse with the adapter, then ingest."""
import logging

from django.db import transaction

from conversations.actions import inbound_events
from conversations.actions.calls import record_call
from conversations.actions.ingest import apply_receipt, apply_status, ingest_message

from .registry import adapter_for
from .types import InboundCall, InboundMessage, InboundReceipt, InboundStatus, RawRequest

WRITERS = {InboundMessage: ingest_message, InboundStatus: apply_status, InboundReceipt: apply_receipt,
           InboundCall: record_call}

logger = logging.getLogger(__name__)


def raw_request_of(event):
    return RawRequest(
        body=bytes(event.body),
        headers=event.headers,
        content_type=event.content_type,
        query_string=event.query_string,
        method=event.method,
        path=event.path,
    )


def process_event(event_id):
    """Process one raw event; returns True when done, raises to let the task retry.

    The event is marked failed with the error on every failure, so it is
    visible (and retryable by hand) even if no retry follows.
    """
    event = inbound_events.start_attempt(event_id)
    if event is None:
        return True
    try:
        adapter = adapter_for(event.channel)
        items = adapter.parse(raw_request_of(event))
        with transaction.atomic():
            for item in items:
                writer = WRITERS.get(type(item))
                if writer is None:
                    raise TypeError(f"adapter produced {type(item).__name__}")
                writer(event.channel, item)
            inbound_events.mark_processed(event)
    except Exception as exc:
        logger.warning("raw event %s failed (attempt %s): %s", event_id, event.attempts, exc)
        inbound_events.mark_failed(event_id, f"{exc.__class__.__name__}: {exc}")
        raise
    return True
