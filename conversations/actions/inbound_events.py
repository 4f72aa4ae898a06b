"""The durable record of every accepted webhook body, and its processing state."""
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import RawInboundEvent
from ..signals import raw_events_requeued

STORED_HEADER_EXCLUDES = {"cookie", "authorization"}


def record_raw_event(channel, raw):
    """Store an accepted request (a RawRequest) before we answer the provider."""
    return RawInboundEvent.objects.create(
        channel=channel,
        method=raw.method,
        path=raw.path[:500],
        query_string=raw.query_string,
        headers={k: v for k, v in raw.headers.items() if k.lower() not in STORED_HEADER_EXCLUDES},
        content_type=raw.content_type[:200],
        body=raw.body,
    )


def start_attempt(event_id):
    """Count one processing attempt; None when there is nothing left to do.

    One atomic UPDATE (committed at once, so a crash still counts) rather than
    a locked read-modify-write: two fewer round trips on every inbound message.
    """
    counted = (
        RawInboundEvent.objects.filter(pk=event_id)
        .exclude(state=RawInboundEvent.State.PROCESSED)
        .update(attempts=F("attempts") + 1)
    )
    if not counted:
        return None
    return RawInboundEvent.objects.select_related("channel").get(pk=event_id)


def mark_processed(event):
    event.state = RawInboundEvent.State.PROCESSED
    event.processed_at = timezone.now()
    event.last_error = ""
    event.save(update_fields=["state", "processed_at", "last_error"])


def mark_failed(event_id, error):
    RawInboundEvent.objects.filter(pk=event_id).update(state=RawInboundEvent.State.FAILED, last_error=error[:5000])


@transaction.atomic
def requeue(event_ids):
    """Make failed events pending again and announce them after commit; returns their ids."""
    ids = list(
        RawInboundEvent.objects.filter(pk__in=list(event_ids)).exclude(state=RawInboundEvent.State.PROCESSED)
        .values_list("pk", flat=True)
    )
    RawInboundEvent.objects.filter(pk__in=ids).update(state=RawInboundEvent.State.PENDING, attempts=0)
    transaction.on_commit(lambda: raw_events_requeued.send(sender=RawInboundEvent, event_ids=ids))
    return ids
