"""Outbound replies, private notes, and the delivery state of outbound messages."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .. import events
from ..channel_kinds import rules_for
from ..models import Conversation, ConversationCycle, Identity, Message
from ..signals import outbound_message_queued
from .errors import ActionError

MAX_REPLY_LENGTH = 20_000


def reachable_identity(customer, channel):
    """The identity `channel` would deliver to for `customer`, or None.

    Prefers the identity the customer last wrote from on this channel.
    """
    rules = rules_for(channel.kind)
    last_inbound = (
        Message.objects.filter(conversation__customer=customer, channel=channel, direction=Message.Direction.INBOUND)
        .exclude(identity=None)
        .select_related("identity")
        .order_by("-created_at", "-id")
        .first()
    )
    if last_inbound is not None and last_inbound.identity.customer_id == customer.pk:
        return last_inbound.identity
    if not rules.reaches_any_identity:
        return None
    identities = Identity.objects.filter(customer=customer)
    if rules.identity_kinds is not None:
        identities = identities.filter(kind__in=rules.identity_kinds)
    return identities.order_by("-verified", "-created_at").first()


def unavailable_reason(customer, channel, now=None):
    """Why a reply cannot go out on `channel` now, or "" when it can."""
    if not channel.active:
        return f"The channel {channel.name} is deactivated."
    if reachable_identity(customer, channel) is None:
        rules = rules_for(channel.kind)
        if rules.reaches_any_identity:
            return f"The customer has no {'/'.join(sorted(rules.identity_kinds or []))} address for {channel.name}."
        return f"The customer has never written on {channel.name}."
    window = rules_for(channel.kind).reply_window_hours
    if window:
        last = (
            Message.objects.filter(conversation__customer=customer, channel=channel, direction=Message.Direction.INBOUND)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        now = now or timezone.now()
        if last is None or now - last > timedelta(hours=window):
            return (
                f"{channel.name} only allows free-form replies within {window} hours of the customer's "
                "last message; send an approved template instead."
            )
    return ""


def _clean_text(text):
    text = (text or "").strip()
    if not text:
        raise ActionError("The message is empty.", field="text")
    if len(text) > MAX_REPLY_LENGTH:
        raise ActionError(f"The message is longer than {MAX_REPLY_LENGTH} characters.", field="text")
    return text


@transaction.atomic
def send_reply(conversation, author, text, channel=None, metadata=None):
    """Queue a reply to the customer on `channel` (default: the customer's last inbound channel)."""
    text = _clean_text(text)
    conversation = Conversation.objects.select_for_update(of=("self",)).select_related("customer").get(pk=conversation.pk)
    channel = channel or conversation.last_inbound_channel
    if channel is None:
        raise ActionError("The customer has not written on any channel yet; choose a channel.", field="channel")
    reason = unavailable_reason(conversation.customer, channel)
    if reason:
        raise ActionError(reason, field="channel")
    max_length = rules_for(channel.kind).max_length
    if max_length and len(text) > max_length:
        raise ActionError(f"{channel.name} accepts at most {max_length} characters.", field="text")

    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUTBOUND,
        channel=channel,
        identity=reachable_identity(conversation.customer, channel),
        author=author,
        text=text,
        status=Message.Status.QUEUED,
        metadata=metadata or {},
        created_at=now,
        status_changed_at=now,
    )
    ConversationCycle.objects.filter(
        conversation=conversation, resolved_at__isnull=True, first_response_at__isnull=True
    ).update(first_response_at=now)
    conversation.waiting_since = None
    conversation.last_message = message
    conversation.last_message_at = now
    conversation.updated_at = now
    conversation.save(update_fields=["waiting_since", "last_message", "last_message_at", "updated_at"])

    audience = events.conversation_audience(conversation)
    events.emit(events.MESSAGE_CREATED, message, audience)
    events.emit(events.CONVERSATION_UPDATED, conversation, audience)
    transaction.on_commit(lambda: outbound_message_queued.send(sender=Message, message_id=message.pk))
    return message


@transaction.atomic
def add_note(conversation, author, text):
    """A private note: seen by agents only, never sent to the customer."""
    text = _clean_text(text)
    message = Message.objects.create(
        conversation=conversation, direction=Message.Direction.NOTE, author=author, text=text
    )
    events.emit(events.MESSAGE_CREATED, message, events.conversation_audience(conversation))
    return message


def _locked_outbound(message_id):
    return Message.objects.select_for_update(of=("self",)).select_related("conversation").get(
        pk=message_id, direction=Message.Direction.OUTBOUND
    )


@transaction.atomic
def record_delivery_attempt(message_id):
    message = _locked_outbound(message_id)
    message.delivery_attempts += 1
    message.save(update_fields=["delivery_attempts"])
    return message.delivery_attempts


def _set_status(message, status, reason=""):
    message.status = status
    message.failure_reason = reason
    message.status_changed_at = timezone.now()
    message.save(update_fields=["status", "failure_reason", "external_id", "status_changed_at"])
    events.emit(events.MESSAGE_UPDATED, message, events.conversation_audience(message.conversation))


@transaction.atomic
def mark_sent(message_id, external_id):
    message = _locked_outbound(message_id)
    if message.status != Message.Status.QUEUED:
        return message
    message.external_id = external_id or None
    _set_status(message, Message.Status.SENT)
    return message


@transaction.atomic
def mark_failed(message_id, reason):
    message = _locked_outbound(message_id)
    if message.status in (Message.Status.QUEUED, Message.Status.SENT):
        _set_status(message, Message.Status.FAILED, reason)
    return message


@transaction.atomic
def retry_delivery(message_id):
    """Queue a failed outbound message again (the agent's retry button)."""
    message = _locked_outbound(message_id)
    if message.status != Message.Status.FAILED:
        raise ActionError("Only a failed message can be retried.")
    message.delivery_attempts = 0
    message.save(update_fields=["delivery_attempts"])
    _set_status(message, Message.Status.QUEUED)
    transaction.on_commit(lambda: outbound_message_queued.send(sender=Message, message_id=message.pk))
    return message
