"""Celery tasks of the edges: inbound processing and outbound delivery. They take ids, never instances."""
import logging

from celery import shared_task
from django.conf import settings

from conversations import failure_reasons
from conversations.actions import attachments, replies
from conversations.failure_reasons import FailureReason
from conversations.models import Attachment as StoredAttachment
from conversations.models import Message, RawInboundEvent

from . import pipeline
from .base import MediaError, PayloadError
from .media import outbound_link
from .registry import adapter_for
from .types import Attachment, OutboundMessage, OutboundTemplate, SendResult

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


def answered_message(message):
    """The customer's latest message before `message`, when it came on the same channel (else None).

    A reply threads to it (email In-Reply-To); when the customer last wrote on
    another channel, the reply starts afresh on this one.
    """
    latest = (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            direction=Message.Direction.INBOUND,
            created_at__lte=message.created_at,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or latest.channel_id != message.channel_id or not latest.external_id:
        return None
    return latest


def _outbound_attachment(stored):
    with stored.file.open("rb") as handle:
        content = handle.read()
    return Attachment(
        filename=stored.filename,
        content_type=stored.content_type,
        content=content,
        size=len(content),
        url=outbound_link(stored.pk, stored.filename),
    )


def outbound_of(message):
    author = message.author
    author_name = ""
    if author is not None:
        author_name = getattr(getattr(author, "agent", None), "display_name", "") or author.get_username()
    answered = answered_message(message)
    template = message.metadata.get("template")
    return OutboundMessage(
        message_id=message.pk,
        to=message.identity.address,
        to_kind=message.identity.kind,
        cc=tuple(message.metadata.get("cc", ())),
        text=message.text,
        html=message.html,
        attachments=tuple(_outbound_attachment(stored) for stored in message.attachments.exclude(file="")),
        author_name=author_name,
        reply_to_external_id=answered.external_id if answered else "",
        reply_to_metadata=answered.metadata if answered else {},
        metadata=message.metadata,
        template=OutboundTemplate(template["name"], template["language"], template["variables"]) if template else None,
        human_agent=bool(message.metadata.get("human_agent")),
    )


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
        replies.mark_failed(message_id, FailureReason(failure_reasons.NO_ADDRESS))
        return
    attempt = replies.record_delivery_attempt(message_id)
    try:
        result = adapter_for(message.channel).send(outbound_of(message))
    except Exception as exc:  # an adapter bug must not leave the message queued forever
        logger.exception("adapter send crashed for message %s", message_id)
        result = SendResult(ok=False, reason=FailureReason(failure_reasons.INTERNAL_ERROR,
                                                           {"error": exc.__class__.__name__}), retryable=True)
    if result.ok:
        replies.mark_sent(message_id, result.external_id)
    elif result.retryable and attempt < settings.DELIVERY_MAX_ATTEMPTS:
        raise self.retry(countdown=backoff_seconds(attempt, result.retry_after))
    else:
        reason = result.reason or FailureReason(failure_reasons.PROVIDER_FAILED)
        if result.retryable:
            reason = reason.with_params(attempts=attempt)
        replies.mark_failed(message_id, reason)


@shared_task(bind=True, max_retries=None, name="channels_adapters.fetch_attachment")
def fetch_attachment(self, attachment_id):
    """Download media an inbound message only referenced; the attachment keeps the error when it cannot be."""
    stored = StoredAttachment.objects.select_related("message__channel").filter(pk=attachment_id).first()
    if stored is None or stored.file or stored.message.channel is None:
        return
    if not (stored.source_url or stored.source_media_id):
        return
    reference = Attachment(
        filename=stored.filename,
        content_type=stored.content_type,
        url=stored.source_url,
        media_id=stored.source_media_id,
        size=stored.size,
    )
    attempt = self.request.retries + 1
    try:
        fetched = adapter_for(stored.message.channel).fetch_media(reference)
    except MediaError as exc:
        if exc.retryable and attempt < settings.MEDIA_FETCH_MAX_ATTEMPTS:
            raise self.retry(countdown=backoff_seconds(attempt, exc.retry_after))
        reason = f"{exc} Gave up after {attempt} attempts." if exc.retryable else str(exc)
        attachments.record_fetch_failure(attachment_id, reason)
        return
    except Exception as exc:  # an adapter bug must not leave the attachment pending without a word
        logger.exception("media fetch crashed for attachment %s", attachment_id)
        attachments.record_fetch_failure(attachment_id, f"Internal error while fetching: {exc.__class__.__name__}.")
        return
    attachments.store_fetched_media(attachment_id, fetched.content, fetched.content_type, fetched.filename)
