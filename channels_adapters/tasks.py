"""Celery tasks of the edges: inbound processing and outbound delivery. They take ids, never instances."""
import logging

from celery import shared_task
from django.conf import settings

from conversations.actions import replies
from conversations.models import Message, RawInboundEvent

from . import pipeline
from .base import PayloadError
from .registry import adapter_for
from .types import Attachment, OutboundMessage, SendResult

logger = logging.getLogger(__name__)


def backoff_seconds(attempt, retry_after=None):
    delay = min(settings.DELIVERY_BACKOFF_SECONDS * (2 ** max(attempt - 1, 0)), settings.DELIVERY_BACKOFF_MAX_SECONDS)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.DELIVERY_BACKOFF_MAX_SECONDS))
    return delay


@shared_task(bind=True, max_retries=None, name="channels_adapters.process_raw_event")
def process_raw_event(self, event_id):
    try:
        pipeline.process_event(event_id)
    except PayloadError:
        return  # the body will never parse: it stays failed for a human, no retry
    except Exception as exc:
        attempts = RawInboundEvent.objects.filter(pk=event_id).values_list("attempts", flat=True).first() or 0
        if attempts < settings.INBOUND_MAX_ATTEMPTS:
            raise self.retry(exc=exc, countdown=backoff_seconds(attempts))


def outbound_of(message):
    author = message.author
    author_name = ""
    if author is not None:
        author_name = getattr(getattr(author, "agent", None), "display_name", "") or author.get_username()
    return OutboundMessage(
        message_id=message.pk,
        to=message.identity.address,
        to_kind=message.identity.kind,
        text=message.text,
        html=message.html,
        author_name=author_name,
        metadata=message.metadata,
        attachments=tuple(_outbound_attachment(attachment) for attachment in message.attachments.all()
                          if attachment.file),
    )


def _outbound_attachment(attachment):
    with attachment.file.open("rb") as stored:
        content = stored.read()
    return Attachment(filename=attachment.filename, content_type=attachment.content_type, content=content,
                      size=len(content))


@shared_task(bind=True, max_retries=None, name="channels_adapters.deliver_message")
def deliver_message(self, message_id):
    message = (
        Message.objects.select_related("channel", "identity", "author__agent", "conversation")
        .filter(pk=message_id, direction=Message.Direction.OUTBOUND)
        .first()
    )
    if message is None or message.status != Message.Status.QUEUED:
        return
    if message.identity is None:
        replies.mark_failed(message_id, "The customer has no address on this channel.")
        return
    attempt = replies.record_delivery_attempt(message_id)
    try:
        result = adapter_for(message.channel).send(outbound_of(message))
    except Exception as exc:  # an adapter bug must not leave the message queued forever
        logger.exception("adapter send crashed for message %s", message_id)
        result = SendResult(ok=False, reason=f"Internal error while sending: {exc.__class__.__name__}.", retryable=True)
    if result.ok:
        replies.mark_sent(message_id, result.external_id)
    elif result.retryable and attempt < settings.DELIVERY_MAX_ATTEMPTS:
        raise self.retry(countdown=backoff_seconds(attempt, result.retry_after))
    else:
        reason = result.reason
        if result.retryable:
            reason = f"{reason} Gave up after {attempt} attempts."
        replies.mark_failed(message_id, reason)
