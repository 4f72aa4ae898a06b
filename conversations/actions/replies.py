"""Outbound replies, private notes, and the delivery state of outbound messages."""
import mimetypes
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import events
from ..channel_kinds import rules_for
from ..models import Attachment, Conversation, ConversationCycle, Identity, Message
from ..signals import outbound_message_queued
from .errors import ActionError
from .notifications import notify_mentions

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
        return _("The channel %(channel)s is deactivated.") % {"channel": channel.name}
    if reachable_identity(customer, channel) is None:
        rules = rules_for(channel.kind)
        if rules.reaches_any_identity:
            return _("The customer has no %(kinds)s address for %(channel)s.") % {
                "kinds": "/".join(sorted(rules.identity_kinds or [])), "channel": channel.name}
        return _("The customer has never written on %(channel)s.") % {"channel": channel.name}
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
            return _(
                "%(channel)s only allows free-form replies within %(hours)d hours of the customer's "
                "last message; send an approved template instead."
            ) % {"channel": channel.name, "hours": window}
    return ""


def _clean_text(text, attachments=()):
    # Browsers submit textarea line breaks as CRLF; providers and the timeline expect LF.
    text = (text or "").replace("\r\n", "\n").strip()
    if not text and not attachments:
        raise ActionError(_("The message is empty."), field="text")
    if len(text) > MAX_REPLY_LENGTH:
        raise ActionError(_("The message is longer than %(max)d characters.") % {"max": MAX_REPLY_LENGTH},
                          field="text")
    return text


def attachment_type_allowed(content_type):
    return any(
        content_type == allowed or (allowed.endswith("/*") and content_type.startswith(allowed[:-1]))
        for allowed in settings.ATTACHMENT_ALLOWED_TYPES
    )


def _clean_attachments(files):
    """Check uploaded files (name, size, read()) against the limits; the type is read from the name, not trusted."""
    files = list(files)
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise ActionError(_("At most %(max)d files per message.") % {"max": settings.ATTACHMENT_MAX_FILES},
                          field="attachments")
    cleaned = []
    for upload in files:
        name = (upload.name or "attachment").rsplit("/", 1)[-1][:200]
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if not attachment_type_allowed(content_type):
            raise ActionError(_("%(name)s: this type of file cannot be sent.") % {"name": name}, field="attachments")
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise ActionError(
                _("%(name)s is larger than %(max)d MB.") % {"name": name, "max": settings.ATTACHMENT_MAX_BYTES // 2**20},
                field="attachments",
            )
        cleaned.append((name, content_type, upload))
    return cleaned


def _store_attachments(message, cleaned):
    for name, content_type, upload in cleaned:
        attachment = Attachment(message=message, filename=name, content_type=content_type, size=upload.size)
        upload.seek(0)
        attachment.file.save(name, ContentFile(upload.read()), save=False)
        attachment.save()


@transaction.atomic
def send_reply(conversation, author, text, channel=None, metadata=None, attachments=()):
    """Queue a reply to the customer on `channel` (default: the customer's last inbound channel).

    `attachments` are uploaded files (Django's UploadedFile or alike).
    """
    attachments = _clean_attachments(attachments)
    text = _clean_text(text, attachments)
    conversation = Conversation.objects.select_for_update(of=("self",)).select_related("customer").get(pk=conversation.pk)
    channel = channel or conversation.last_inbound_channel
    if channel is None:
        raise ActionError(_("The customer has not written on any channel yet; choose a channel."), field="channel")
    reason = unavailable_reason(conversation.customer, channel)
    if reason:
        raise ActionError(reason, field="channel")
    rules = rules_for(channel.kind)
    if rules.max_length and len(text) > rules.max_length:
        raise ActionError(_("%(channel)s accepts at most %(max)d characters.") % {
            "channel": channel.name, "max": rules.max_length}, field="text")
    if attachments and not rules.attachments:
        raise ActionError(_("%(channel)s cannot send files.") % {"channel": channel.name}, field="attachments")

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
    _store_attachments(message, attachments)
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
def add_note(conversation, author, text, attachments=()):
    """A private note: seen by agents only, never sent to the customer. Mentioned agents are notified."""
    attachments = _clean_attachments(attachments)
    text = _clean_text(text, attachments)
    message = Message.objects.create(
        conversation=conversation, direction=Message.Direction.NOTE, author=author, text=text
    )
    _store_attachments(message, attachments)
    mentioned = notify_mentions(message)
    if mentioned:
        message.metadata = {"mentions": mentioned}
        message.save(update_fields=["metadata"])
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
        raise ActionError(_("Only a failed message can be retried."))
    message.delivery_attempts = 0
    message.save(update_fields=["delivery_attempts"])
    _set_status(message, Message.Status.QUEUED)
    transaction.on_commit(lambda: outbound_message_queued.send(sender=Message, message_id=message.pk))
    return message
