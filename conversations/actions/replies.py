"""Outbound replies, private notes, and the delivery state of outbound messages."""
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import events
from ..channel_kinds import rules_for
from ..media_types import is_allowed_media_type
from ..models import Attachment, Channel, Conversation, ConversationCycle, Identity, Message
from ..sanitize import sanitise_html
from ..signals import outbound_message_queued
from ..visibility import sees_everything, team_ids
from .errors import ActionError
from . import participants
from .ingest import announce_message, announce_status
from .notifications import notify_mentions

MAX_REPLY_LENGTH = 20_000
MAX_TEMPLATE_VALUE_LENGTH = 1024


@dataclass(frozen=True)
class ChannelReach:
    """What the customer's own messages on one channel say: who a reply goes to, when they last wrote."""

    identity: Identity | None  # the identity a reply on the channel is delivered to, None: unreachable
    last_inbound_at: datetime | None  # the provider's time of their latest message there (ours as a fallback)


def _inbound_on(customer, channel):
    return Message.objects.filter(conversation__customer=customer, channel=channel, direction=Message.Direction.INBOUND)


def _fallback_identity(rules, identities):
    """Without a message on the channel: the customer's best identity of a kind the channel reaches."""
    if not rules.reaches_any_identity:
        return None
    usable = [i for i in identities if rules.identity_kinds is None or i.kind in rules.identity_kinds]
    return max(usable, key=lambda identity: (identity.verified, identity.created_at), default=None)


def reachable_identity(customer, channel):
    """The identity `channel` would deliver to for `customer`, or None.

    Prefers the identity the customer last wrote from on this channel.
    """
    last_inbound = (
        # The customer's own messages: a participant who wrote into the thread is not who a reply goes to.
        _inbound_on(customer, channel).filter(identity__customer=customer).select_related("identity")
        .order_by("-created_at", "-id").first()
    )
    if last_inbound is not None:
        return last_inbound.identity
    rules = rules_for(channel.kind)
    if not rules.reaches_any_identity:
        return None
    identities = Identity.objects.filter(customer=customer)
    if rules.identity_kinds is not None:
        identities = identities.filter(kind__in=rules.identity_kinds)
    return identities.order_by("-verified", "-created_at").first()


def _last_inbound_at(customer, channel):
    # The provider's own timestamp when it gave one: a message processed late does not extend the window.
    return (
        _inbound_on(customer, channel).annotate(at=Coalesce("sent_at", "created_at"))
        .order_by("-at").values_list("at", flat=True).first()
    )


def _reach(customer, channel):
    return ChannelReach(reachable_identity(customer, channel), _last_inbound_at(customer, channel))


def channels_reach(conversation, channels):
    """{channel id: ChannelReach} of every channel in `channels` for the conversation's customer, in two queries
    (the customer's identities, and the channels with their latest inbound message) whatever their number."""
    identities = {identity.pk: identity for identity in conversation.customer.identities.all()}
    inbound = Message.objects.filter(conversation=conversation, channel=OuterRef("pk"),
                                     direction=Message.Direction.INBOUND)
    annotated = Channel.objects.filter(pk__in=[channel.pk for channel in channels]).annotate(
        last_identity_id=Subquery(inbound.filter(identity__customer_id=conversation.customer_id)
                                  .order_by("-created_at", "-id").values("identity")[:1]),
        last_at=Subquery(inbound.annotate(at=Coalesce("sent_at", "created_at")).order_by("-at").values("at")[:1]),
    ).values_list("pk", "last_identity_id", "last_at")
    facts = {pk: (identity_id, at) for pk, identity_id, at in annotated}
    reach = {}
    for channel in channels:
        identity_id, at = facts.get(channel.pk, (None, None))
        identity = identities.get(identity_id) or _fallback_identity(rules_for(channel.kind), identities.values())
        reach[channel.pk] = ChannelReach(identity, at)
    return reach


def answerable_channels(user, conversation):
    """THE rule for which active channels `user` may answer `conversation` on (console, API, send_reply).

    Supervisors and admins answer on every channel. An agent answers on the
    channels of their teams and on channels of no team; the assignee of a
    conversation also on the channels of the conversation's team. A channel
    of another team (its WhatsApp number, its mailbox) is not theirs to speak from.
    """
    channels = Channel.objects.filter(active=True)
    if sees_everything(user):
        return channels
    allowed = Q(team__isnull=True) | Q(team_id__in=team_ids(user))
    if conversation.assignee_id == user.pk and conversation.team_id:
        allowed |= Q(team_id=conversation.team_id)
    return channels.filter(allowed)


def _could_reach(channel, identity_kinds):
    rules = rules_for(channel.kind)
    return rules.reaches_any_identity and (rules.identity_kinds is None or bool(rules.identity_kinds & identity_kinds))


def reply_choices(user, conversation, now=None):
    """ReplyOptions of every channel `user` may answer `conversation` on, by name, in a fixed number of queries.

    Channels the customer could never be reached on (no address of theirs, never written there) are left
    out; the others say why they are unavailable now.
    """
    prefetch_related_objects([conversation.customer], "identities")
    kinds = {identity.kind for identity in conversation.customer.identities.all()}
    # A channel kind that sends no replies (a telephony system records calls) is never offered.
    channels = [channel for channel in answerable_channels(user, conversation).order_by("name")
                if rules_for(channel.kind).sends_replies]
    return [options for options in reply_options_of(conversation, channels, now)
            if options.usable or options.written_on or _could_reach(options.channel, kinds)]


@dataclass(frozen=True)
class ReplyWindow:
    """Where a customer stands in a channel's reply window (providers such as WhatsApp and Messenger have one)."""

    NONE = "none"  # the channel has no window
    OPEN = "open"  # free-form replies allowed
    HUMAN_AGENT = "human_agent"  # past the window, but a human agent may still answer (tagged)
    CLOSED = "closed"  # only approved templates, if the channel has any

    state: str
    hours: int | None = None
    last_inbound_at: datetime | None = None
    closes_at: datetime | None = None
    human_agent_until: datetime | None = None


def reply_window(customer, channel, now=None, last_inbound_at=...):
    """`last_inbound_at`: the ChannelReach's, when the caller read it already."""
    rules = rules_for(channel.kind)
    if not rules.reply_window_hours:
        return ReplyWindow(ReplyWindow.NONE)
    now = now or timezone.now()
    last = _last_inbound_at(customer, channel) if last_inbound_at is ... else last_inbound_at
    if last is None:
        return ReplyWindow(ReplyWindow.CLOSED, rules.reply_window_hours)
    closes_at = last + timedelta(hours=rules.reply_window_hours)
    human_agent_until = None
    if rules.human_agent_window_hours:
        human_agent_until = last + timedelta(hours=rules.human_agent_window_hours)
    if now <= closes_at:
        state = ReplyWindow.OPEN
    elif human_agent_until and now <= human_agent_until:
        state = ReplyWindow.HUMAN_AGENT
    else:
        state = ReplyWindow.CLOSED
    return ReplyWindow(state, rules.reply_window_hours, last, closes_at, human_agent_until)


def _window_closed_reason(channel, rules, window, now):
    facts = {"channel": channel.name, "label": rules.label, "hours": window.hours}
    if window.last_inbound_at is None:
        since = _("The customer has not written on %(channel)s yet") % facts
    else:
        ago = timesince(window.last_inbound_at, now).replace("\xa0", " ")
        since = _("The customer's last message on %(channel)s was %(ago)s ago") % {**facts, "ago": ago}
    rule = _("%(label)s only allows free-form replies within %(hours)d hours of the customer's last message") % facts
    if rules.human_agent_window_hours:
        rule = _("%(label)s allows replies within %(hours)d hours of the customer's last message, and up to "
                 "%(days)d days when a human agent answers") % {**facts, "days": rules.human_agent_window_hours // 24}
    if not rules.templates_outside_window:
        return _("%(since)s: %(rule)s. Wait for the customer to write again, or use another channel.") % {
            "since": since, "rule": rule}
    names = sorted({template.name for template in rules.templates(channel.config)})
    if not names:
        return _("%(since)s: %(rule)s. Outside it only approved templates may be sent, and this channel has none "
                 "configured (add them to its config under templates).") % {"since": since, "rule": rule}
    return _("%(since)s: %(rule)s. Send one of its approved templates instead: %(templates)s.") % {
        "since": since, "rule": rule, "templates": ", ".join(names)}


def _availability(customer, channel, template=None, now=None, reach=None, to=None):
    """(why a reply cannot go out now or "", the field to blame, the reply window)."""
    if not channel.active:
        return _("The channel %(channel)s is deactivated.") % {"channel": channel.name}, "channel", None
    rules = rules_for(channel.kind)
    if to is not None and not _could_reach(channel, {to.kind}):
        return _("%(channel)s cannot reach %(address)s.") % {"channel": channel.name, "address": to.address}, \
            "channel", None
    reach = reach or _reach(customer, channel)
    if to is None and reach.identity is None:
        if rules.reaches_any_identity:
            return _("The customer has no %(kinds)s address for %(channel)s.") % {
                "kinds": "/".join(sorted(rules.identity_kinds or [])), "channel": channel.name}, "channel", None
        return _("The customer has never written on %(channel)s.") % {"channel": channel.name}, "channel", None
    now = now or timezone.now()
    window = reply_window(customer, channel, now, reach.last_inbound_at)
    if window.state != ReplyWindow.CLOSED or (template is not None and rules.templates_outside_window):
        return "", None, window
    field = "template" if rules.templates_outside_window else "channel"
    return _window_closed_reason(channel, rules, window, now), field, window


def unavailable_reason(customer, channel, now=None, template=None):
    """Why a reply (free-form, or the given template) cannot go out on `channel` now, or "" when it can."""
    return _availability(customer, channel, template, now)[0]


def channel_templates(channel):
    return tuple(rules_for(channel.kind).templates(channel.config))


@dataclass(frozen=True)
class ReplyOptions:
    """What an agent may send on one channel now: free-form text (unless `reason`), or its `templates`."""

    channel: object
    reason: str  # why free-form replies cannot go out now, "" when they can
    window: ReplyWindow | None
    templates: tuple  # the approved templates that may go out now (outside a closed window too)
    # The customer wrote on this channel (it may still be unusable now).
    written_on: bool = False
    copies: tuple = ()  # participants a reply copies by default (email Cc), as Identities

    @property
    def usable(self):
        return not self.reason or bool(self.templates)


def reply_options(customer, channel, now=None, reach=None):
    now = now or timezone.now()
    reach = reach or _reach(customer, channel)
    reason, _field, window = _availability(customer, channel, now=now, reach=reach)
    templates = channel_templates(channel)
    if templates and _availability(customer, channel, templates[0], now, reach)[0]:
        templates = ()
    copies = tuple(participants.participants(customer.conversation, channel)) if not reason else ()
    return ReplyOptions(channel, reason, window, templates, written_on=reach.last_inbound_at is not None,
                        copies=copies)


def reply_options_of(conversation, channels, now=None):
    """ReplyOptions of each of `channels` for the conversation's customer, read in a fixed number of queries."""
    now = now or timezone.now()
    reach = channels_reach(conversation, channels)
    return [reply_options(conversation.customer, channel, now, reach[channel.pk]) for channel in channels]


def _resolve_template(channel, choice):
    """The ReplyTemplate and variable values an agent chose: {"name", "language"?, "variables"?}."""
    if not isinstance(choice, dict) or not isinstance(choice.get("name"), str) or not choice["name"].strip():
        raise ActionError(_("A template is chosen by its name."), field="template")
    name, language = choice["name"].strip(), (choice.get("language") or "").strip()
    candidates = [t for t in channel_templates(channel) if t.name == name and (not language or t.language == language)]
    if not candidates:
        known = ", ".join(sorted(f"{t.name} ({t.language})" for t in channel_templates(channel))) or _("none")
        raise ActionError(_("%(channel)s has no approved template '%(name)s'; it has: %(known)s.") % {
            "channel": channel.name, "name": name, "known": known}, field="template")
    if len(candidates) > 1:
        languages = ", ".join(sorted(t.language for t in candidates))
        raise ActionError(_("Template '%(name)s' exists in several languages (%(languages)s); choose one.") % {
            "name": name, "languages": languages}, field="template")
    template = candidates[0]
    values = choice.get("variables") or {}
    if not isinstance(values, dict):
        raise ActionError(_("Template variables are an object of name: value."), field="template")
    missing = [v for v in template.variables if not str(values.get(v) or "").strip()]
    unknown = sorted(set(values) - set(template.variables))
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("missing %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown %(names)s") % {"names": ", ".join(unknown)})
        raise ActionError(_("Template '%(name)s' needs the variables %(variables)s: %(problems)s.") % {
            "name": name, "variables": ", ".join(template.variables) or _("(none)"), "problems": "; ".join(problems)},
            field="template")
    values = {key: str(values[key]).strip() for key in template.variables}
    if any(len(value) > MAX_TEMPLATE_VALUE_LENGTH for value in values.values()):
        raise ActionError(_("A template variable is at most %(max)d characters.") % {"max": MAX_TEMPLATE_VALUE_LENGTH},
                          field="template")
    return template, values


def _clean_text(text, allow_empty=False):
    # Browsers submit textarea line breaks as CRLF; providers and the timeline expect LF.
    text = (text or "").replace("\r\n", "\n").strip()
    if not text and not allow_empty:
        raise ActionError(_("The message is empty."), field="text")
    if len(text) > MAX_REPLY_LENGTH:
        raise ActionError(_("The message is longer than %(max)d characters.") % {"max": MAX_REPLY_LENGTH},
                          field="text")
    return text


def _clean_attachments(files, channel=None):
    """Check agent uploads (Django File objects) against our limits and, for a reply, the channel's.

    Returns (file, name, type) each; the type is read from the name, the client's word only counts
    when the name says nothing.
    """
    files = list(files or ())
    if not files:
        return []
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise ActionError(_("At most %(max)d files per message.") % {"max": settings.ATTACHMENT_MAX_FILES},
                          field="attachments")
    if channel is not None:
        max_attachments = rules_for(channel.kind).max_attachments
        if not max_attachments:
            raise ActionError(_("%(channel)s cannot send files.") % {"channel": channel.name}, field="attachments")
        if len(files) > max_attachments:
            raise ActionError(ngettext("%(channel)s sends at most %(max)d attachment per message.",
                                       "%(channel)s sends at most %(max)d attachments per message.",
                                       max_attachments) % {"channel": channel.name, "max": max_attachments},
                              field="attachments")
    limit = settings.ATTACHMENT_MAX_BYTES
    cleaned = []
    for upload in files:
        name = get_valid_filename((upload.name or "attachment").rsplit("/", 1)[-1])[:200] or "attachment"
        content_type = (mimetypes.guess_type(name)[0] or getattr(upload, "content_type", "") or "").lower()
        if not is_allowed_media_type(content_type):
            raise ActionError(_("%(name)s: this type of file cannot be sent.") % {"name": name}, field="attachments")
        if upload.size > limit:
            raise ActionError(_("%(name)s is larger than %(max)d MB.") % {"name": name, "max": limit // 2**20},
                              field="attachments")
        cleaned.append((upload, name, content_type))
    return cleaned


def _store_attachments(message, cleaned):
    for upload, name, content_type in cleaned:
        attachment = Attachment(message=message, filename=name, content_type=content_type, size=upload.size)
        upload.seek(0)
        attachment.file.save(name, ContentFile(upload.read()), save=False)
        attachment.save()


def _check_length(channel, rules, text, has_attachments):
    if rules.max_length and len(text) > rules.max_length:
        raise ActionError(_("%(channel)s accepts at most %(max)d characters per message; this one has %(length)d. "
                            "Shorten it or send it in several messages.") % {
            "channel": channel.name, "max": rules.max_length, "length": len(text)}, field="text")
    if has_attachments and rules.max_caption_length and len(text) > rules.max_caption_length:
        raise ActionError(_("With an attachment, %(channel)s accepts at most %(max)d characters of text; send the "
                            "text as a separate message.") % {"channel": channel.name, "max": rules.max_caption_length},
                          field="text")


@transaction.atomic
def send_reply(conversation, author, text="", channel=None, metadata=None, template=None, attachments=(), to=None,
               answers=True, cc=None, html=""):
    """Queue a reply to the customer on `channel` (default: the customer's last inbound channel).

    `author` is the agent (None: OmniDesk itself), who may only answer on `answerable_channels`.
    `html` is an HTML alternative of `text` for channels that render it (email); it is sanitised.
    `template` ({"name", "language"?, "variables"?}) sends one of the channel's approved templates,
    the only thing some providers (WhatsApp) accept outside their reply window. `attachments` are
    Django File objects (uploads). `to` is one identity of the customer to deliver to (default: the
    one the channel reaches); `answers=False` for a message that is not an answer to the customer
    (a verification code): it neither ends the wait nor counts as the first response. On a channel
    that copies (email), the reply copies every participant of the conversation, or only the `cc`
    addresses among them.
    """
    conversation = Conversation.objects.select_for_update(of=("self",)).select_related("customer").get(pk=conversation.pk)
    channel = channel or conversation.last_inbound_channel
    if channel is None:
        raise ActionError(_("The customer has not written on any channel yet; choose a channel."), field="channel")
    if author is not None and not answerable_channels(author, conversation).filter(pk=channel.pk).exists():
        raise ActionError(_("You may not answer on %(channel)s: it belongs to another team.") % {
            "channel": channel.name}, field="channel")
    if to is not None and to.customer_id != conversation.customer_id:
        raise ActionError(_("This address is not the customer's."), field="to")
    rules = rules_for(channel.kind)
    metadata = dict(metadata or {})
    chosen = None
    if template is not None:
        if (text or "").strip():
            raise ActionError(_("A template message has its own approved text; leave the text empty."), field="text")
        if attachments:
            raise ActionError(_("Attachments cannot be sent with a template."), field="attachments")
        chosen, values = _resolve_template(channel, template)
        text = chosen.render(values)
        metadata["template"] = {"name": chosen.name, "language": chosen.language, "variables": values}
    else:
        text = _clean_text(text, allow_empty=bool(attachments))
    files = _clean_attachments(attachments, channel)
    copied = participants.copied_addresses(conversation, channel, cc) if to is None else []
    if copied:
        metadata["cc"] = copied
    reason, field, window = _availability(conversation.customer, channel, chosen, to=to)
    if reason:
        raise ActionError(reason, field=field)
    if chosen is None:
        _check_length(channel, rules, text, bool(files))
        if window.state == ReplyWindow.HUMAN_AGENT:
            metadata["human_agent"] = True

    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUTBOUND,
        channel=channel,
        identity=to or reachable_identity(conversation.customer, channel),
        author=author,
        text=text,
        html=sanitise_html(html) if html else "",
        status=Message.Status.QUEUED,
        metadata=metadata,
        created_at=now,
        status_changed_at=now,
    )
    _store_attachments(message, files)
    if answers:
        ConversationCycle.objects.filter(
            conversation=conversation, resolved_at__isnull=True, first_response_at__isnull=True
        ).update(first_response_at=now)
        conversation.waiting_since = None
    conversation.last_message = message
    conversation.last_message_at = now
    conversation.updated_at = now
    conversation.save(update_fields=["waiting_since", "last_message", "last_message_at", "updated_at"])

    events.message_created(message)
    transaction.on_commit(lambda: outbound_message_queued.send(sender=Message, message_id=message.pk))
    announce_message(message)
    return message


@transaction.atomic
def add_note(conversation, author, text, attachments=()):
    """A private note: seen by agents only, never sent to the customer. Mentioned agents are notified."""
    attachments = _clean_attachments(attachments)
    text = _clean_text(text, allow_empty=bool(attachments))
    message = Message.objects.create(
        conversation=conversation, direction=Message.Direction.NOTE, author=author, text=text
    )
    _store_attachments(message, attachments)
    mentioned = notify_mentions(message)
    if mentioned:
        message.metadata = {"mentions": mentioned}
        message.save(update_fields=["metadata"])
    events.message_created(message)
    announce_message(message)
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


def _set_status(message, status, reason=None):
    message.status = status
    message.set_failure(reason)
    message.status_changed_at = timezone.now()
    message.save(update_fields=["status", *Message.FAILURE_FIELDS, "external_id", "sent_at", "status_changed_at"])
    events.message_updated(message)
    announce_status(message)


@transaction.atomic
def mark_sent(message_id, external_id):
    message = _locked_outbound(message_id)
    if message.status != Message.Status.QUEUED:
        return message
    message.external_id = external_id or None
    message.sent_at = timezone.now()
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
    message = Message.objects.select_for_update(of=("self",)).select_related("conversation").filter(
        pk=message_id).first()
    if message is None or message.direction != Message.Direction.OUTBOUND or message.status != Message.Status.FAILED:
        raise ActionError(_("Only a failed message can be retried."))
    message.delivery_attempts = 0
    message.save(update_fields=["delivery_attempts"])
    _set_status(message, Message.Status.QUEUED)
    transaction.on_commit(lambda: outbound_message_queued.send(sender=Message, message_id=message.pk))
    return message
