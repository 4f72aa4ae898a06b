"""The ONE write path for inbound traffic of every channel."""
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import causes, events, failure_reasons
from ..addresses import InvalidAddress, normalise_address
from ..channel_kinds import rules_for
from ..failure_reasons import FailureReason
from ..models import Attachment, Conversation, ConversationCycle, ConversationEvent, Customer, Identity, Message
from ..sanitize import sanitise_html
from ..signals import attachments_to_fetch, message_created, message_status_changed
from ..tasks import announce_inbound_message
from . import customers, participants


class UnknownOutboundMessage(LookupError):
    """A status arrived for a message we do not know (yet): the raw event is kept and retried."""


@dataclass(frozen=True)
class IngestResult:
    message: Message
    created: bool


# What ingesting a message may change on its conversation (the reopen step included).
INGEST_UPDATED_FIELDS = ["status", "snoozed_until", "last_message", "last_message_at", "updated_at",
                         "last_inbound_channel", "waiting_since"]

# A late "sent" must never overwrite "read": statuses only move forward.
STATUS_RANK = {
    Message.Status.QUEUED: 0,
    Message.Status.SENT: 1,
    Message.Status.DELIVERED: 2,
    Message.Status.READ: 3,
}


def find_or_create_identity(kind, address, name="", verified=False, team=None, now=None, channel=None):
    """The identity of a normalised address, with a new customer and their conversation when it is new.

    Returns (identity, created). Only for an address its source has proven (a provider's sender, a
    store's buyer): a claim nobody proved never reaches this (see customers.claim_address), and an
    address held only as a claim is taken from the claimant (the claim becomes a merge suggestion).
    """
    now = now or timezone.now()
    identity = Identity.objects.select_related("customer").filter(kind=kind, address=address).first()
    if identity is not None and identity.claimed:
        return customers.take_claimed_identity(identity, channel, name, verified, now)
    if identity is not None:
        return identity, False
    try:
        # A savepoint: when a concurrent first message won the race, roll back
        # only our half-made customer and take theirs.
        with transaction.atomic():
            customer = Customer.objects.create(name=name, first_seen_at=now, last_seen_at=now)
            identity = Identity.objects.create(
                customer=customer, kind=kind, address=address, verified=verified, created_at=now
            )
            Conversation.objects.create(customer=customer, team=team, created_at=now, updated_at=now)
        return identity, True
    except IntegrityError:
        return Identity.objects.select_related("customer").get(kind=kind, address=address), False


def _store_attachments(message, attachments):
    to_fetch = []
    for item in attachments:
        attachment = Attachment(
            message=message,
            filename=item.filename[:255],
            content_type=item.content_type[:120],
            content_id=item.content_id[:255],
            source_url=item.url,
            source_media_id=item.media_id[:255],
            size=len(item.content) if item.content is not None else item.size,
        )
        if item.content is not None:
            attachment.file.save(item.filename or "attachment", ContentFile(item.content), save=False)
        attachment.save()
        if item.content is None and (item.url or item.media_id):
            to_fetch.append(attachment.pk)
    if to_fetch:
        transaction.on_commit(lambda: attachments_to_fetch.send(sender=Attachment, attachment_ids=to_fetch))


def _record_channel_switch(conversation, channel, now):
    previous = conversation.last_inbound_channel
    if previous is None or previous.pk == channel.pk:
        return
    data = {
        "from_channel": str(previous.pk),
        "from_kind": previous.kind,
        "from_label": rules_for(previous.kind).label,
        "to_channel": str(channel.pk),
        "to_kind": channel.kind,
        "to_label": rules_for(channel.kind).label,
    }
    ConversationEvent.objects.create(
        conversation=conversation, kind=ConversationEvent.Kind.CHANNEL_SWITCHED, data=data, created_at=now
    )
    Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.SYSTEM,
        text=f"Customer moved from {previous.name} to {channel.name}",
        metadata={"event": "channel_switched", **data},
        created_at=now,
    )


def _reopen(conversation, channel, now):
    if conversation.status != Conversation.Status.OPEN:
        ConversationEvent.objects.create(
            conversation=conversation,
            kind=ConversationEvent.Kind.REOPENED,
            data={"from": conversation.status},
            created_at=now,
        )
        conversation.status = Conversation.Status.OPEN
        conversation.snoozed_until = None
    if not conversation.cycles.filter(resolved_at__isnull=True).exists():
        ConversationCycle.objects.create(conversation=conversation, opened_at=now, opened_on_channel=channel)


def _over_reopen_limit(identity, now):
    """True when this sender already sent the hourly maximum: a loop or a runaway script."""
    limit = settings.INBOUND_REOPEN_LIMIT_PER_HOUR
    if not limit:
        return False
    recent = Message.objects.filter(
        identity=identity, direction=Message.Direction.INBOUND, created_at__gte=now - timedelta(hours=1)
    )
    return recent.count() >= limit


def ingest_message(channel, inbound):
    """Store `inbound` (an InboundMessage) in its customer's single conversation.

    Idempotent on (channel, external_id); raises InvalidAddress when the
    sender's address cannot be normalised (before anything is written).
    """
    address = normalise_address(inbound.sender.kind, inbound.sender.address)
    return _store_inbound(channel, inbound, address)


# No savepoint of its own: its callers (the raw event pipeline, the web chat) run it inside their
# transaction and let a failure roll all of it back; two round trips fewer per inbound message.
@transaction.atomic(savepoint=False)
def _store_inbound(channel, inbound, address):
    now = timezone.now()
    # A copy of a message already stored finds its identity and returns below, under the conversation
    # lock: no separate check before it (one round trip fewer for every new message).
    sender = inbound.sender
    identity, new_customer = find_or_create_identity(sender.kind, address, sender.name, sender.verified,
                                                     channel.team, now, channel=channel)
    # A reply from someone else into another customer's thread joins that thread as a participant's message.
    thread = participants.thread_replied_to(channel, inbound, identity)
    conversation = Conversation.objects.select_for_update(of=("self",)).select_related("last_inbound_channel").get(
        customer_id=thread.customer_id if thread else identity.customer_id
    )
    # Checked again under the conversation lock: a concurrent copy may have landed meanwhile.
    existing = Message.objects.filter(channel=channel, external_id=inbound.external_id).first()
    if existing is not None:
        return IngestResult(existing, created=False)

    customer = identity.customer
    conversation.customer = thread.customer if thread else customer  # the event payloads need it: no second query
    customer.last_seen_at = now
    if inbound.sender.name and not customer.name:
        customer.name = inbound.sender.name
    customer.save(update_fields=["last_seen_at", "name"])

    metadata = {**inbound.metadata, **({"reply_to": list(inbound.reply_to)} if inbound.reply_to else {})}
    reopens = inbound.reopens
    if reopens and _over_reopen_limit(identity, now):
        reopens = False
        metadata["rate_limited"] = True
    if reopens:
        _record_channel_switch(conversation, channel, now)
        _reopen(conversation, channel, now)
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.INBOUND,
        channel=channel,
        identity=identity,
        text=inbound.text,
        html=sanitise_html(inbound.html),
        external_id=inbound.external_id,
        status=Message.Status.RECEIVED,
        metadata=metadata,
        sent_at=inbound.sent_at,
        created_at=now,
    )
    _store_attachments(message, inbound.attachments)
    if thread:
        participants.point_own_conversation(identity, message, new_customer, now)

    conversation.last_message = message
    conversation.last_message_at = now
    conversation.updated_at = now
    if reopens:
        conversation.last_inbound_channel = channel
        if conversation.waiting_since is None:
            conversation.waiting_since = now
    conversation.save(update_fields=INGEST_UPDATED_FIELDS)

    # One event: the message where it is open, the changed inbox row (preview, waiting time) elsewhere.
    events.message_created(message, created_conversation=new_customer and not thread)
    announce_message(message)
    transaction.on_commit(lambda: announce_inbound_message.delay(message.pk, customer.pk))
    return IngestResult(message, created=True)


def announce_message(message):
    """Tell the layers (routing, automation) about a new message once it is committed (with its cause)."""
    cause = causes.current()
    transaction.on_commit(lambda: message_created.send(
        sender=Message, message_id=message.pk, conversation_id=message.conversation_id, direction=message.direction,
        cause=cause))


def announce_status(message):
    """Tell the layers about an outbound message's new delivery status once it is committed."""
    transaction.on_commit(lambda: message_status_changed.send(
        sender=Message, message_id=message.pk, conversation_id=message.conversation_id, status=message.status))


def _move_forward(message, status, reason=None, at=None):
    """Apply `status` to a locked outbound message unless that would move it backwards; True when changed."""
    if message.status == Message.Status.FAILED:
        return False
    if status == Message.Status.FAILED:
        if message.status == Message.Status.READ:
            return False
        message.status = Message.Status.FAILED
        message.set_failure(reason or FailureReason(failure_reasons.PROVIDER_FAILED))
    elif STATUS_RANK.get(status, -1) > STATUS_RANK.get(message.status, -1):
        message.status = status
    else:
        return False
    message.status_changed_at = at or timezone.now()
    message.save(update_fields=["status", *Message.FAILURE_FIELDS, "status_changed_at"])
    events.message_updated(message)
    announce_status(message)
    return True


@transaction.atomic
def apply_status(channel, status):
    """Move an outbound message forward to `status` (an InboundStatus); never backwards."""
    message = (
        Message.objects.select_for_update()
        .filter(channel=channel, external_id=status.external_id, direction=Message.Direction.OUTBOUND)
        .first()
    )
    if message is None:
        raise UnknownOutboundMessage(f"no outbound message {status.external_id!r} on this channel")
    _move_forward(message, status.status, status.reason, status.at)
    return message


# Our sent_at is taken when the provider answered, a moment after the provider's own timestamp of the
# message, which is what a receipt's watermark is compared with.
RECEIPT_CLOCK_TOLERANCE = timedelta(seconds=5)


@transaction.atomic
def apply_receipt(channel, receipt):
    """Move every message sent on `channel` to the receipt's recipient up to its watermark forward (an
    InboundReceipt); returns how many changed. Messages we do not know are none of our business."""
    try:
        address = normalise_address(receipt.recipient_kind, receipt.recipient_address)
    except InvalidAddress:
        return 0
    messages = Message.objects.select_for_update().filter(
        channel=channel,
        direction=Message.Direction.OUTBOUND,
        identity__kind=receipt.recipient_kind,
        identity__address=address,
        status__in=[Message.Status.SENT, Message.Status.DELIVERED],
        sent_at__lte=receipt.up_to + RECEIPT_CLOCK_TOLERANCE,
    ).order_by("sent_at", "id")
    return sum(_move_forward(message, receipt.status, at=receipt.up_to) for message in messages)
