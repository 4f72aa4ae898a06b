"""What a widget may do. The consumer and the HTTP views are thin: they call these functions.

Inbound messages go through the ONE write path, `ingest_message`, called
here directly rather than through a stored RawInboundEvent: the widget is
our own client and keeps every message in its outbox (localStorage) until
we answer "accepted", which we do only after the message is committed; it
sends the outbox again after any reconnect with the same client-generated
id, and (channel, external_id) uniqueness stores it once. So an accepted
message is never lost, a retry is never a duplicate, and agents see the
message at once, without a worker hop.
"""
import re
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from conversations import attribute_rules
from conversations.actions import csat, customers, touchpoints, verification
from conversations.actions.errors import ActionError
from conversations.actions.ingest import apply_status, ingest_message
from conversations.addresses import EMAIL, PHONE, InvalidAddress, normalise_address
from conversations.customer_view import identity_of, visible_messages
from conversations.models import Channel, Conversation, ConversationCycle, CsatRating, Message

from ..types import Attachment, InboundMessage, InboundStatus, Sender
from . import errors, tokens
from .adapter import MAX_TEXT_LENGTH, WebchatAdapter
from .payloads import message_payload

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_NAME_LENGTH = 200
MAX_PAGES_PER_REPORT = 20
MAX_CATCH_UP = 100
FIRST_PAGE = 50
# Page views older than this (or in the future) are not this visit's.
PAGE_VIEW_MAX_AGE = timedelta(hours=24)


Refused = errors.Refused


@dataclass(frozen=True)
class WidgetChannel:
    channel: Channel
    config: dict


def webchat_channel(channel_id):
    channel = Channel.objects.filter(pk=channel_id, kind=WebchatAdapter.kind, active=True).first()
    return WidgetChannel(channel, channel.config) if channel else None


# --- input ------------------------------------------------------------------------
def _text(value, limit, what):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(f"{what} must be text.")
    value = value.strip()
    if len(value) > limit:
        raise Refused(f"{what} is longer than {limit} characters.", errors.TOO_LONG)
    return value


def clean_client_id(value):
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise Refused("Each message needs a client id of 8 to 64 letters, digits, - or _.")
    return value


def clean_message_text(value):
    text = _text(value, MAX_TEXT_LENGTH, "The message")
    if not text:
        raise Refused("The message is empty.", errors.EMPTY_MESSAGE)
    return text


def _claimed(kind, value):
    value = _text(value, 255, kind.title())
    if not value:
        return ""
    try:
        return normalise_address(kind, value)
    except InvalidAddress:
        raise Refused(f"This {'email address' if kind == EMAIL else 'phone number'} does not look right.",
                      errors.INVALID_EMAIL if kind == EMAIL else errors.INVALID_PHONE) from None


def clean_page_views(pages, now):
    """Page views as the widget reports them: [{"url", "title", "at"}], bounded and dated within the visit."""
    if pages is None:
        return []
    if not isinstance(pages, list):
        raise Refused("pages must be a list.")
    views = []
    for page in pages[-MAX_PAGES_PER_REPORT:]:
        if not isinstance(page, dict):
            raise Refused("Each page is an object with url, title and at.")
        url = _text(page.get("url"), touchpoints.MAX_URL_LENGTH, "A page URL")
        viewed_at = parse_datetime(page.get("at")) if isinstance(page.get("at"), str) else None
        if not url.startswith(("http://", "https://")) or viewed_at is None or viewed_at.tzinfo is None:
            raise Refused("Each page needs an http(s) url and an ISO time with a time zone.")
        if not now - PAGE_VIEW_MAX_AGE <= viewed_at <= now + timedelta(minutes=5):
            continue
        views.append(touchpoints.PageView(url=url, title=_text(page.get("title"), touchpoints.MAX_TITLE_LENGTH,
                                                                "A page title"), viewed_at=min(viewed_at, now)))
    return views


# --- session --------------------------------------------------------------------------
def start_session(widget, token, user, profile, language=""):
    """The visitor of this page load, from its previous token (or a new one) and what the page says.

    `user` is what OmniDesk.setUser was given on this page: a valid
    identifier_hash makes a verified identity; without one, the identifier
    proves nothing and only its name/email/phone are kept, as unproven claims.
    A page that does not call setUser is anonymous again, so a shop that
    forgets reset() on logout never shows the next person the last one's
    history. `profile` is the pre-chat form (or the offline form): claims too.
    """
    try:
        visitor = tokens.load(token, widget.channel.pk) if token else tokens.new_visitor(widget.channel.pk)
    except tokens.InvalidToken:
        visitor = tokens.new_visitor(widget.channel.pk)
    if user is not None or not visitor.proven_by_code_recently(time.time()):
        visitor = visitor.with_profile(verified_kind="", verified_address="", code_verified_at=0)
    visitor = visitor.with_profile(language=language.lower())
    if user is not None:
        if not isinstance(user, dict):
            raise Refused("user must be an object.")
        identifier = _text(user.get("identifier"), tokens.MAX_IDENTIFIER_LENGTH, "The identifier")
        if not identifier:
            raise Refused("setUser needs an identifier.")
        visitor = visitor.anonymous()
        if tokens.identifier_hash_matches(widget.config.get("hmac_secret"), identifier, user.get("identifier_hash")):
            kind, address = tokens.verified_identity(identifier)
            _prove_own_claim(visitor, kind, address)
            visitor = visitor.with_profile(verified_kind=kind, verified_address=address)
        visitor = _with_claims(visitor, user)
    if profile is not None:
        if not isinstance(profile, dict):
            raise Refused("profile must be an object.")
        visitor = _with_claims(visitor, profile)
    return visitor


def _prove_own_claim(visitor, kind, address):
    """The host site vouches for (kind, address): a claim of it this browser typed before joins its history."""
    anonymous = identity_of(tokens.ANONYMOUS_KIND, visitor.visitor_id)
    if anonymous is not None and kind in (EMAIL, PHONE):
        customers.prove_address(kind, address, claimant=anonymous.customer)


def _with_claims(visitor, data):
    changes = {}
    if data.get("name") is not None:
        changes["name"] = _text(data.get("name"), MAX_NAME_LENGTH, "The name")
    if data.get("email") is not None:
        changes["email"] = _claimed(EMAIL, data.get("email"))
    if data.get("phone") is not None:
        changes["phone"] = _claimed(PHONE, data.get("phone"))
    return visitor.with_profile(**changes)


def visitor_summary(visitor):
    return {"verified": visitor.verified, "name": visitor.name, "email": visitor.email, "phone": visitor.phone}


# --- proving a claimed address by a one-time code -------------------------------------------
def _own_identity(visitor):
    if visitor.verified:
        raise Refused(_("You are already verified."))
    identity = identity_of(*visitor.identity)
    if identity is None:
        raise Refused(_("Write your first message, then verify your address."))
    return identity


def request_code(widget, visitor, kind, language):
    """Send a one-time code to the email address or phone number the visitor gave (not any address)."""
    if kind not in (EMAIL, PHONE):
        raise Refused(_("kind must be email or phone."))
    address = visitor.email if kind == EMAIL else visitor.phone
    if not address:
        raise Refused(_("Give your email address first.") if kind == EMAIL else _("Give your phone number first."))
    try:
        sent = verification.send_code(_own_identity(visitor).customer, visitor.visitor_id, widget.channel, kind, address,
                                      language)
    except ActionError as exc:
        raise Refused(exc.message) from exc
    return {"kind": kind, "sent_to": address, "channel": sent.channel.name,
            "expires_at": sent.verification.expires_at.isoformat()}


def confirm_code(widget, visitor, code):
    """The visitor typed the code back: the visitor, now verified as that address."""
    if not isinstance(code, str) or len(code) > 20:
        raise Refused(_("The code is the digits we sent you."))
    try:
        kind, address = verification.confirm_code(_own_identity(visitor), visitor.visitor_id, code)
    except ActionError as exc:
        raise Refused(exc.message) from exc
    return visitor.with_profile(verified_kind=kind, verified_address=address, code_verified_at=int(time.time()))


# --- messages ------------------------------------------------------------------------
def _apply_profile(widget, customer, visitor, attributes, page_views):
    """Name, claims, attributes and page views that came with a message, for its (now existing) customer."""
    customers.update_profile(customer, name=visitor.name, attributes=attributes, language=visitor.language)
    for kind, address in ((EMAIL, visitor.email), (PHONE, visitor.phone)):
        if address and (kind, address) != visitor.identity:
            customers.claim_address(customer, kind, address, source="webchat", channel=widget.channel)
    if page_views and widget.config.get("touchpoints", True):
        touchpoints.record_page_views(customer, widget.channel, page_views)


def _ingest(widget, visitor, client_id, text="", attachments=(), metadata=None, attributes=None, page_views=()):
    kind, address = visitor.identity
    inbound = InboundMessage(
        external_id=f"{visitor.visitor_id}:{client_id}",
        sender=Sender(kind=kind, address=address, name=visitor.name, verified=visitor.verified),
        text=text,
        attachments=tuple(attachments),
        sent_at=timezone.now(),
        metadata=metadata or {},
    )
    try:
        with transaction.atomic():
            result = ingest_message(widget.channel, inbound)
            if result.created:
                _apply_profile(widget, result.message.conversation.customer, visitor, attributes, page_views)
    except ActionError as exc:
        raise Refused(exc.message) from exc
    return Message.objects.select_related("channel", "author__agent").prefetch_related("attachments").get(
        pk=result.message.pk)


def accept_message(widget, visitor, frame):
    """Store one visitor message (idempotent on its client id); returns the message as the widget shows it."""
    client_id = clean_client_id(frame.get("client_id"))
    text = clean_message_text(frame.get("text"))
    attributes = frame.get("attributes") or None
    if attributes is not None:
        try:
            attributes = customers.clean_attributes(attributes, attribute_rules.WIDGET)
        except ActionError as exc:
            raise Refused(exc.message) from exc
    page_views = clean_page_views(frame.get("pages"), timezone.now())
    metadata = {"page_url": page_views[-1].url} if page_views else {}
    message = _ingest(widget, visitor, client_id, text=text, metadata=metadata, attributes=attributes,
                      page_views=page_views)
    return message_payload(message, widget.channel)


def accept_upload(widget, visitor, client_id, upload):
    """A file the visitor sent: a message of its own, with size and type limits."""
    client_id = clean_client_id(client_id)
    if upload is None:
        raise Refused("No file.")
    if upload.size > settings.WEBCHAT_MAX_UPLOAD_BYTES:
        raise Refused(f"Files are at most {settings.WEBCHAT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
                      errors.FILE_TOO_LARGE)
    content = upload.read(settings.WEBCHAT_MAX_UPLOAD_BYTES + 1)
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in settings.WEBCHAT_UPLOAD_CONTENT_TYPES or not _content_matches(content_type, content):
        raise Refused("This type of file cannot be sent here.", errors.FILE_TYPE)
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-120:]
    attachment = Attachment(filename=name, content_type=content_type, content=content)
    message = _ingest(widget, visitor, client_id, attachments=[attachment])
    return message_payload(message, widget.channel)


MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}


def _content_matches(content_type, content):
    """The bytes are what the type says: no HTML or script uploaded as an "image"."""
    if not content:
        return False
    if content_type == "image/webp":
        return content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    if content_type == "text/plain":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return content.startswith(MAGIC.get(content_type, (b"\0\0never",)))


# --- reading ----------------------------------------------------------------------------
def conversation_id_of(visitor):
    identity = identity_of(*visitor.identity)
    return identity.customer.conversation.pk if identity else None


def catch_up(widget, visitor, after_id):
    """Messages after `after_id` (the last one the widget has), or the latest page; plus a pending CSAT question."""
    identity = identity_of(*visitor.identity)
    if identity is None:
        return {"messages": [], "csat": None, "conversation": None}
    messages = visible_messages(identity, proven=visitor.verified)
    if isinstance(after_id, int) and not isinstance(after_id, bool) and after_id > 0:
        messages = list(messages.filter(pk__gt=after_id)[:MAX_CATCH_UP])
    else:
        messages = list(messages.order_by("-created_at", "-id")[:FIRST_PAGE])[::-1]
    conversation = identity.customer.conversation
    return {
        "messages": [message_payload(message, widget.channel) for message in messages],
        "csat": csat_question(conversation),
        "conversation": conversation.pk,
    }


def csat_question(conversation):
    """{"cycle": id} when the conversation is resolved and its last cycle has no rating yet."""
    if conversation.status != conversation.Status.RESOLVED:
        return None
    cycle = csat.last_resolved_cycle(conversation)
    if cycle is None or CsatRating.objects.filter(cycle=cycle).exists():
        return None
    return {"cycle": cycle.pk}


def csat_question_of(conversation_id):
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    return csat_question(conversation) if conversation else None


def record_pages(widget, visitor, pages):
    if not widget.config.get("touchpoints", True):
        return False
    page_views = clean_page_views(pages, timezone.now())
    identity = identity_of(*visitor.identity)
    if identity is None or not page_views:
        return False  # the widget keeps them and sends them with the first message
    touchpoints.record_page_views(identity.customer, widget.channel, page_views)
    return True


def mark_read(widget, visitor, up_to):
    """The visitor has seen every agent message up to `up_to` (a message id) in this widget.

    Returns how many of them are still being delivered: the widget can show a
    reply a moment before its delivery is recorded, so the caller tries again.
    """
    if not isinstance(up_to, int) or isinstance(up_to, bool):
        raise Refused("up_to must be a message id.")
    identity = identity_of(*visitor.identity)
    if identity is None:
        return 0
    seen = visible_messages(identity, proven=visitor.verified).filter(
        channel=widget.channel, direction=Message.Direction.OUTBOUND, pk__lte=up_to)
    now = timezone.now()
    sent = seen.filter(status__in=[Message.Status.SENT, Message.Status.DELIVERED]).exclude(external_id=None)
    for external_id in sent.values_list("external_id", flat=True):
        apply_status(widget.channel, InboundStatus(external_id=external_id, status=Message.Status.READ, at=now))
    return seen.filter(status=Message.Status.QUEUED).count()


def rate(widget, visitor, cycle_id, rating, comment):
    """The visitor's CSAT answer, for a cycle of their own conversation only."""
    identity = identity_of(*visitor.identity)
    if identity is None or not isinstance(cycle_id, int) or not ConversationCycle.objects.filter(
            pk=cycle_id, conversation__customer_id=identity.customer_id).exists():
        raise Refused("There is nothing to rate.", errors.NOTHING_TO_RATE)
    try:
        return csat.rate_cycle(cycle_id, rating, comment, channel=widget.channel)
    except ActionError as exc:
        code = {"rating": errors.INVALID_RATING, "cycle": errors.NOTHING_TO_RATE, "comment": errors.TOO_LONG}
        raise Refused(exc.message, code.get(exc.field, errors.INVALID_REQUEST)) from exc
