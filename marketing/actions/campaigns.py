"""Campaigns: compose (checked), start (audience snapshot), throttled resumable sending, pause/resume/cancel.

Every message goes through the core's reply action, so reply windows, templates, delivery, retries and
statuses are the core's. A recipient is claimed under a row lock in the same transaction that queues its
message: a worker killed at any point leaves either both or neither, and a resumed worker never sends twice.
"""
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import variables
from conversations.actions.errors import ActionError
from conversations.actions.replies import (
    channel_templates,
    reachable_identity,
    retry_delivery,
    send_reply,
)
from conversations.models import Channel, Conversation, Message

from .. import families, messages, recurrence
from ..models import Campaign, Recipient, Segment, SegmentMember
from . import consent, opt_out, segments

UNSUBSCRIBE_SALT = "omnidesk.marketing.unsubscribe"
SUPPORTED = {families.WHATSAPP, families.SMS, families.EMAIL, families.WEBCHAT}
MAX_BATCH = 500


def family(campaign):
    return families.family_of(campaign.channel.kind)


# --- compose -------------------------------------------------------------------------------------
def check_campaign(name, segment, channel, text, subject, html, template, rate_per_minute, quiet_start_hour,
                   quiet_end_hour):
    if not (name or "").strip() or len(name) > 120:
        raise ActionError(_("A campaign has a name of at most 120 characters."), field="name")
    if not isinstance(segment, Segment):
        raise ActionError(_("Choose the segment to send to."), field="segment")
    if not isinstance(channel, Channel) or not channel.active:
        raise ActionError(_("Choose an active channel."), field="channel")
    kind = families.family_of(channel.kind)
    if kind not in SUPPORTED:
        raise ActionError(_("Campaigns are sent on WhatsApp, SMS, email or web chat."), field="channel")
    if kind == families.WHATSAPP:
        if not isinstance(template, dict) or not template.get("name"):
            raise ActionError(_("A WhatsApp campaign sends one of the channel's approved templates."),
                              field="template")
        names = {(t.name, t.language) for t in channel_templates(channel)}
        if not any(name_ == template["name"] and (not template.get("language") or lang == template["language"])
                   for name_, lang in names):
            raise ActionError(_("%(channel)s has no approved template %(name)s.") % {
                "channel": channel.name, "name": template["name"]}, field="template")
        if (text or "").strip():
            raise ActionError(_("A template has its own approved text; leave the text empty."), field="text")
    elif not (text or "").strip():
        raise ActionError(_("Write the message."), field="text")
    if kind == families.EMAIL and not (subject or "").strip():
        raise ActionError(_("An email campaign has a subject."), field="subject")
    if not isinstance(rate_per_minute, int) or not 1 <= rate_per_minute <= 6000:
        raise ActionError(_("The rate is 1 to 6000 messages a minute."), field="rate_per_minute")
    for field, hour in (("quiet_start_hour", quiet_start_hour), ("quiet_end_hour", quiet_end_hour)):
        if not isinstance(hour, int) or not 0 <= hour <= 23:
            raise ActionError(_("An hour is 0 to 23."), field=field)
    texts = [("text", text), ("subject", subject), ("html", html)]
    texts += [("template", str(value)) for value in ((template or {}).get("variables") or {}).values()]
    for field, value in texts:
        try:
            variables.check(value or "")
        except variables.TemplateProblem as exc:
            raise ActionError(str(exc), field=field) from None


def check_repeat(repeat, weekdays, at_time, time_zone, until):
    if repeat not in Campaign.Repeat.values:
        raise ActionError(_("A campaign repeats every day, every week, or not at all."), field="repeat")
    if not repeat:
        return
    if at_time is None:
        raise ActionError(_("Say at what time it runs."), field="repeat_time")
    if repeat == Campaign.Repeat.WEEKLY and (
            not isinstance(weekdays, list) or not weekdays or
            any(isinstance(day, bool) or day not in range(7) for day in weekdays)):
        raise ActionError(_("Choose the weekdays it runs on."), field="repeat_weekdays")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ActionError(_("Unknown time zone %(zone)s.") % {"zone": time_zone}, field="time_zone") from None
    if until is not None and until < timezone.now().astimezone(zoneinfo.ZoneInfo(time_zone)).date():
        raise ActionError(_("The last day is in the past."), field="repeat_until")


def _first_run(campaign, now):
    """The next occurrence of a repeating campaign after `now` (and not before its own start time), or None."""
    after = max(now, campaign.scheduled_at - timedelta(microseconds=1)) if campaign.scheduled_at else now
    return recurrence.next_run(campaign.repeat, campaign.repeat_weekdays, campaign.repeat_time, campaign.time_zone,
                               after, campaign.repeat_until)


@transaction.atomic
def create(name, segment, channel, text="", subject="", html="", template=None, scheduled_at=None,
           rate_per_minute=None, quiet_start_hour=None, quiet_end_hour=None, repeat="", repeat_weekdays=None,
           repeat_time=None, repeat_until=None, time_zone="", by=None):
    """A draft (started by hand), a campaign scheduled once, or a repeating one (its first run scheduled)."""
    rate_per_minute = rate_per_minute or settings.MARKETING_RATE_PER_MINUTE.get(
        families.family_of(channel.kind) if isinstance(channel, Channel) else "", 60)
    quiet_start_hour = settings.MARKETING_QUIET_HOURS[0] if quiet_start_hour is None else quiet_start_hour
    quiet_end_hour = settings.MARKETING_QUIET_HOURS[1] if quiet_end_hour is None else quiet_end_hour
    time_zone = time_zone or settings.MARKETING_DEFAULT_TIME_ZONE
    repeat_weekdays = sorted(set(repeat_weekdays or [])) if isinstance(repeat_weekdays, list) else repeat_weekdays
    check_campaign(name, segment, channel, text, subject, html, template, rate_per_minute, quiet_start_hour,
                   quiet_end_hour)
    check_repeat(repeat or "", repeat_weekdays, repeat_time, time_zone, repeat_until)
    if scheduled_at is not None and scheduled_at <= timezone.now():
        raise ActionError(_("A campaign is scheduled in the future."), field="scheduled_at")
    campaign = Campaign(
        name=name.strip(), segment=segment, channel=channel, text=(text or "").strip(), subject=subject or "",
        html=html or "", template=template, rate_per_minute=rate_per_minute, quiet_start_hour=quiet_start_hour,
        quiet_end_hour=quiet_end_hour, scheduled_at=scheduled_at, created_by=by, repeat=repeat or "",
        repeat_weekdays=repeat_weekdays if repeat == Campaign.Repeat.WEEKLY else [], repeat_time=repeat_time,
        repeat_until=repeat_until, time_zone=time_zone,
        status=Campaign.Status.SCHEDULED if scheduled_at or repeat else Campaign.Status.DRAFT)
    if campaign.repeats:
        campaign.scheduled_at = _first_run(campaign, timezone.now())
        if campaign.scheduled_at is None:
            raise ActionError(_("This schedule has no run before its last day."), field="repeat_until")
    campaign.save()
    return campaign


EDITABLE = ("name", "text", "subject", "html", "template", "rate_per_minute", "quiet_start_hour", "quiet_end_hour",
            "repeat", "repeat_weekdays", "repeat_time", "repeat_until", "time_zone")


@transaction.atomic
def update(campaign_id, **changes):
    """Change what a campaign that has not started sends, or when a repeating one runs (its next runs)."""
    campaign = _locked(campaign_id)
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED, Campaign.Status.PAUSED) or (
            campaign.status == Campaign.Status.PAUSED and not campaign.repeats):
        raise ActionError(_("A campaign that has started sending cannot be changed."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ActionError(_("These cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "repeat" in changes and bool(changes["repeat"]) != campaign.repeats:
        raise ActionError(_("A one-off campaign cannot become a repeating one, nor the other way round; create a "
                            "new campaign."), field="repeat")
    for field, value in changes.items():
        setattr(campaign, field, value)
    if isinstance(campaign.repeat_weekdays, list):
        campaign.repeat_weekdays = sorted(set(campaign.repeat_weekdays))
    check_campaign(campaign.name, campaign.segment, campaign.channel, campaign.text, campaign.subject,
                   campaign.html, campaign.template, campaign.rate_per_minute, campaign.quiet_start_hour,
                   campaign.quiet_end_hour)
    check_repeat(campaign.repeat, campaign.repeat_weekdays, campaign.repeat_time, campaign.time_zone,
                 campaign.repeat_until)
    campaign.name = campaign.name.strip()
    if campaign.repeat != Campaign.Repeat.WEEKLY:
        campaign.repeat_weekdays = []
    if campaign.repeats and campaign.status == Campaign.Status.SCHEDULED:
        campaign.scheduled_at = recurrence.next_run(campaign.repeat, campaign.repeat_weekdays, campaign.repeat_time,
                                                    campaign.time_zone, timezone.now(), campaign.repeat_until)
        if campaign.scheduled_at is None:
            raise ActionError(_("This schedule has no run before its last day."), field="repeat_until")
    campaign.save()
    return campaign


def _locked(campaign_id):
    return Campaign.objects.select_for_update().select_related("channel", "segment").get(pk=campaign_id)


# --- start: the audience snapshot ----------------------------------------------------------------
def _skip_before_sending(campaign, customer, kind, now):
    """(reason, detail) that rules the customer out of this campaign, or None. Re-checked at send time."""
    identity = reachable_identity(customer, campaign.channel)
    if identity is None:
        return Recipient.SkipReason.NO_IDENTITY, ""
    if kind in settings.MARKETING_CONSENT_REQUIRED and not consent.is_granted(identity, kind):
        return Recipient.SkipReason.NO_CONSENT, ""
    if kind == families.WHATSAPP and identity.kind == "phone" and identity.address.startswith(
            tuple(settings.MARKETING_WHATSAPP_BLOCKED_PREFIXES)):
        return Recipient.SkipReason.WHATSAPP_RULES, _("WhatsApp does not deliver marketing templates to %(prefix)s "
                                                      "numbers.") % {"prefix": identity.address[:2]}
    cap, days = settings.MARKETING_FREQUENCY_CAP
    recent = Recipient.objects.filter(customer=customer, sent_at__gt=now - timedelta(days=days)).exclude(
        campaign=campaign).count()
    if recent >= cap:
        return Recipient.SkipReason.FREQUENCY_CAP, _("%(count)d marketing messages in the last %(days)d days.") % {
            "count": recent, "days": days}
    local = now.astimezone(_time_zone(customer))
    start, end = campaign.quiet_start_hour, campaign.quiet_end_hour
    quiet = (start <= local.hour or local.hour < end) if start > end else (start <= local.hour < end)
    if start != end and quiet:
        return Recipient.SkipReason.QUIET_HOURS, _("%(time)s in %(zone)s.") % {
            "time": local.strftime("%H:%M"), "zone": local.tzinfo.key}
    return None


def _time_zone(customer):
    name = str(customer.attributes.get("time_zone") or "") or settings.MARKETING_DEFAULT_TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.MARKETING_DEFAULT_TIME_ZONE)


@transaction.atomic
def start(campaign_id, now=None):
    """Snapshot the audience into recipients (each eligible one gets its throttle slot); idempotent."""
    campaign = _locked(campaign_id)
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
        return campaign
    now = now or timezone.now()
    if campaign.segment.kind == Segment.Kind.DYNAMIC:
        segments.recompute(campaign.segment_id, now)
    kind = family(campaign)
    members = (SegmentMember.objects.filter(segment=campaign.segment, customer__merged_into=None)
               .select_related("customer").order_by("customer_id"))
    interval = timedelta(seconds=60 / campaign.rate_per_minute)
    rows, slot = [], 0
    for member in members.iterator(chunk_size=2000):
        skipped = _skip_before_sending(campaign, member.customer, kind, now)
        if skipped:
            rows.append(Recipient(campaign=campaign, customer=member.customer, status=Recipient.Status.SKIPPED,
                                  skip_reason=skipped[0], detail=skipped[1], send_after=now))
        else:
            rows.append(Recipient(campaign=campaign, customer=member.customer, send_after=now + slot * interval))
            slot += 1
    Recipient.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    campaign.status = Campaign.Status.RUNNING
    campaign.started_at = now
    campaign.save(update_fields=["status", "started_at"])
    return campaign


@transaction.atomic
def schedule(campaign_id, scheduled_at):
    campaign = _locked(campaign_id)
    if campaign.repeats:
        raise ActionError(_("A repeating campaign runs on its schedule; change the schedule instead."),
                          field="scheduled_at")
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED):
        raise ActionError(_("Only a draft or scheduled campaign can be (re)scheduled."), field="scheduled_at")
    if scheduled_at <= timezone.now():
        raise ActionError(_("A campaign is scheduled in the future."), field="scheduled_at")
    campaign.scheduled_at = scheduled_at
    campaign.status = Campaign.Status.SCHEDULED
    campaign.save(update_fields=["scheduled_at", "status"])
    return campaign


RUN_FIELDS = ("segment", "channel", "text", "subject", "html", "template", "rate_per_minute", "quiet_start_hour",
              "quiet_end_hour", "reply_window_hours", "order_window_days", "time_zone", "created_by")


@transaction.atomic
def start_run(series_id, now=None):
    """Start the due run of a repeating campaign: a one-off copy of what it sends now, with its own recipients
    and report. A run missed while nothing was running is not caught up (nobody gets last Monday's offer on
    Wednesday): the series moves on to its next occurrence. Returns the run, or None when none was due."""
    now = now or timezone.now()
    series = _locked(series_id)
    if not series.repeats or series.status != Campaign.Status.SCHEDULED or series.scheduled_at > now:
        return None
    occurrence = series.scheduled_at
    local_day = occurrence.astimezone(zoneinfo.ZoneInfo(series.time_zone)).date()
    run = Campaign.objects.create(
        name=f"{series.name} · {local_day.isoformat()}"[:120], series=series, run_for=occurrence,
        **{field: getattr(series, field) for field in RUN_FIELDS})
    series.scheduled_at = recurrence.next_run(series.repeat, series.repeat_weekdays, series.repeat_time,
                                              series.time_zone, max(now, occurrence), series.repeat_until)
    if series.scheduled_at is None:
        series.status, series.completed_at = Campaign.Status.COMPLETED, now
    series.started_at = series.started_at or now
    series.save(update_fields=["scheduled_at", "status", "completed_at", "started_at"])
    return start(run.pk, now)


def start_due(now=None):
    """Start every scheduled campaign (or run of a repeating one) whose time has come; the periodic safety net
    of the ETA task. Returns the ids of the campaigns started."""
    now = now or timezone.now()
    due = Campaign.objects.filter(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now).values_list(
        "pk", "repeat")
    started = []
    for pk, repeat in list(due):
        campaign = start_run(pk, now) if repeat else start(pk, now)
        if campaign is not None and campaign.status == Campaign.Status.RUNNING:
            started.append(campaign.pk)
    return started


# --- pause / resume / cancel -----------------------------------------------------------------------
@transaction.atomic
def pause(campaign_id):
    """Pause sending; a repeating campaign stops starting runs (the run that is sending has its own controls)."""
    campaign = _locked(campaign_id)
    if campaign.status != (Campaign.Status.SCHEDULED if campaign.repeats else Campaign.Status.RUNNING):
        raise ActionError(_("Only a campaign that is sending, or repeating, can be paused."))
    campaign.status = Campaign.Status.PAUSED
    campaign.save(update_fields=["status"])
    return campaign


@transaction.atomic
def resume(campaign_id, now=None):
    """Sending goes on at the campaign's rate from now: the slots of the paused time are not caught up at once.
    A repeating campaign goes on with its next occurrence from now."""
    campaign = _locked(campaign_id)
    if campaign.status != Campaign.Status.PAUSED:
        raise ActionError(_("Only a paused campaign can be resumed."))
    now = now or timezone.now()
    if campaign.repeats:
        campaign.scheduled_at = recurrence.next_run(campaign.repeat, campaign.repeat_weekdays, campaign.repeat_time,
                                                    campaign.time_zone, now, campaign.repeat_until)
        if campaign.scheduled_at is None:
            raise ActionError(_("This schedule has no run before its last day."), field="repeat_until")
        campaign.status = Campaign.Status.SCHEDULED
        campaign.save(update_fields=["status", "scheduled_at"])
        return campaign
    interval = timedelta(seconds=60 / campaign.rate_per_minute)
    waiting = Recipient.objects.select_for_update().filter(campaign=campaign, status=Recipient.Status.QUEUED)
    for slot, recipient in enumerate(waiting.order_by("send_after", "id")):
        recipient.send_after = now + slot * interval
        recipient.save(update_fields=["send_after"])
    campaign.status = Campaign.Status.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


@transaction.atomic
def cancel(campaign_id, now=None):
    """End a campaign: nobody still waiting is sent it; a repeating one starts no more runs."""
    campaign = _locked(campaign_id)
    if campaign.status in (Campaign.Status.COMPLETED, Campaign.Status.CANCELLED):
        raise ActionError(_("This campaign has already ended."))
    campaign.status = Campaign.Status.CANCELLED
    campaign.completed_at = now or timezone.now()
    campaign.save(update_fields=["status", "completed_at"])
    Recipient.objects.filter(campaign=campaign, status=Recipient.Status.QUEUED).update(
        status=Recipient.Status.SKIPPED, skip_reason=Recipient.SkipReason.CANCELLED)
    return campaign


# --- sending ---------------------------------------------------------------------------------------
def unsubscribe_token(recipient):
    return signing.dumps({"r": recipient.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(recipient):
    return settings.PUBLIC_BASE_URL + reverse("marketing-unsubscribe", args=[unsubscribe_token(
        recipient)])


def _send_one(campaign, recipient, kind):
    conversation = Conversation.objects.select_related("customer").get(customer=recipient.customer)
    metadata = {"campaign_id": campaign.pk, "automatic": "campaign"}
    link = unsubscribe_url(recipient) if kind == families.EMAIL else ""
    try:
        message = messages.compose(campaign, conversation.customer.writing_language,
                                   variables.context_for(conversation), link)
    except variables.TemplateProblem as exc:
        raise ActionError(str(exc), field="text") from None
    if kind == families.EMAIL:
        metadata.update(subject=message["subject"], list_unsubscribe=link)
    if kind == families.WEBCHAT:
        # Shown in the widget on the visitor's next visit; never e-mailed to someone who gave no email consent.
        metadata["email_fallback"] = False
    if kind == families.WHATSAPP:
        return send_reply(conversation, None, channel=campaign.channel, metadata=metadata,
                          template=message["template"])
    return send_reply(conversation, None, message["text"], channel=campaign.channel, metadata=metadata,
                      html=message["html"])


def preview(campaign, languages, customer=None):
    """{language: what a recipient of that language reads}; of `customer` (one of the audience) or a made-up
    one. The unsubscribe link of the preview leads nowhere."""
    context = messages.sample_context()
    conversation = Conversation.objects.filter(customer=customer).select_related("customer").first() \
        if customer is not None else None
    if conversation is not None:
        context = variables.context_for(conversation)
    link = settings.PUBLIC_BASE_URL + reverse("marketing-unsubscribe", args=["preview"])
    shown = {}
    for language in languages:
        try:
            message = messages.compose(campaign, language, context, link)
        except variables.TemplateProblem as exc:
            raise ActionError(str(exc), field="text") from None
        if message["template"] is not None:
            message["text"] = messages.render_template(campaign.channel, message["template"])
        shown[language] = message
    return shown


def send_due(campaign_id, now=None, limit=MAX_BATCH):
    """Send the recipients whose slot has come; returns how many were sent. Safe to run concurrently."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_related("channel").get(pk=campaign_id)
    if campaign.status != Campaign.Status.RUNNING:
        return 0
    kind = family(campaign)
    sent = 0
    for _index in range(limit):
        with transaction.atomic():
            recipient = (Recipient.objects.select_for_update(skip_locked=True).select_related("customer")
                         .filter(campaign=campaign, status=Recipient.Status.QUEUED, send_after__lte=now)
                         .order_by("send_after", "id").first())
            if recipient is None:
                break
            if not Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.RUNNING).exists():
                break
            skipped = _skip_before_sending(campaign, recipient.customer, kind, now)
            if skipped:
                recipient.status, recipient.skip_reason, recipient.detail = (Recipient.Status.SKIPPED, *skipped)
                recipient.save(update_fields=["status", "skip_reason", "detail"])
                continue
            try:
                with transaction.atomic():
                    message = _send_one(campaign, recipient, kind)
            except ActionError as exc:
                recipient.status, recipient.skip_reason = Recipient.Status.SKIPPED, Recipient.SkipReason.CANNOT_SEND
                recipient.detail = exc.message
                recipient.save(update_fields=["status", "skip_reason", "detail"])
                continue
            recipient.status, recipient.message, recipient.sent_at = Recipient.Status.SENT, message, now
            recipient.save(update_fields=["status", "message", "sent_at"])
            sent += 1
    _complete_if_done(campaign.pk, now)
    return sent


def _complete_if_done(campaign_id, now):
    with transaction.atomic():
        campaign = _locked(campaign_id)
        if campaign.status == Campaign.Status.RUNNING and not campaign.recipients.filter(
                status=Recipient.Status.QUEUED).exists():
            campaign.status = Campaign.Status.COMPLETED
            campaign.completed_at = now
            campaign.save(update_fields=["status", "completed_at"])


def next_slot(campaign_id):
    """When the next queued recipient may go, or None."""
    return Recipient.objects.filter(campaign_id=campaign_id, status=Recipient.Status.QUEUED).order_by(
        "send_after").values_list("send_after", flat=True).first()


# --- provider answers ------------------------------------------------------------------------------
def handle_failures(now=None):
    """WhatsApp's "stop promotions" (131050) revokes marketing; its per-user cap (131049) is retried later."""
    now = now or timezone.now()
    failed = (Recipient.objects.select_related("message__channel", "message__identity")
              .filter(status=Recipient.Status.SENT, message__status=Message.Status.FAILED)
              .filter(Q(opted_out_at=None) | Q(retried_at=None)))
    for recipient in failed.iterator():
        # Failure reasons are stored as a code and parameters; a provider's own error code is one of them.
        code = str((recipient.message.failure_params or {}).get("provider_code", ""))
        if code == opt_out.WHATSAPP_STOP_PROMOTIONS and recipient.opted_out_at is None:
            opt_out.revoke_from_provider(recipient)
        elif (code == opt_out.WHATSAPP_MARKETING_CAP and recipient.retried_at is None
              and recipient.message.status_changed_at <= now - settings.MARKETING_CAP_RETRY_AFTER):
            with transaction.atomic():
                retry_delivery(recipient.message_id)
                Recipient.objects.filter(pk=recipient.pk).update(retried_at=now)
