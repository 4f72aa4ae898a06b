"""Consent ledger, segments and their members, campaigns and their recipients."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from conversations.models import Channel, Customer, Identity, Message

from .families import FAMILY_CHOICES


class Consent(models.Model):
    """One entry of the append-only ledger: who granted or revoked what, how and when (LGPD art. 8 proof).

    The current state of (identity, channel, purpose) is its latest entry; nothing here is ever updated.
    """

    class Purpose(models.TextChoices):
        SERVICE = "service", _("Service")
        MARKETING = "marketing", _("Marketing")

    class State(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REVOKED = "revoked", _("Revoked")

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        KEYWORD = "keyword", _("Opt-out keyword")
        PROVIDER = "provider", _("Provider signal")
        AGENT = "agent", _("Agent")
        IMPORT = "import", _("Import")
        API = "api", _("API")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents", db_index=False)
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=20, choices=FAMILY_CHOICES)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    state = models.CharField(max_length=10, choices=State.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    # What proves it: the form and its wording, the inbound message id, the provider error, the import file.
    evidence = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["identity", "channel", "purpose", "-recorded_at"], name="consent_current"),
            models.Index(fields=["customer", "channel", "purpose", "-recorded_at"], name="consent_customer"),
        ]


class Segment(models.Model):
    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic")
        STATIC = "static", _("Static")

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DYNAMIC)
    # The condition tree (see marketing/segments.py); a static segment keeps the one it was snapshotted from.
    definition = models.JSONField(default=dict, blank=True)
    size = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SegmentMember(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="segment_memberships")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "customer"], name="segment_member_unique")]


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Sending")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Repeat(models.TextChoices):
        NEVER = "", _("Does not repeat")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    name = models.CharField(max_length=120)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="campaigns")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Free text (SMS, web chat, email text part); WhatsApp sends `template` ({name, language, variables}).
    text = models.TextField(blank=True)
    subject = models.CharField(max_length=200, blank=True)
    html = models.TextField(blank=True)
    template = models.JSONField(null=True, blank=True)
    # A one-off campaign: when it starts. A repeating one: its next run.
    scheduled_at = models.DateTimeField(null=True, blank=True)
    # A repeating campaign sends nothing itself: at each occurrence (local time of `time_zone`, the shop's)
    # it starts a run, a one-off copy of itself with its own recipients and report.
    repeat = models.CharField(max_length=10, choices=Repeat.choices, default=Repeat.NEVER, blank=True)
    # Weekly: the weekdays it runs on (0 = Monday).
    repeat_weekdays = models.JSONField(default=list, blank=True)
    repeat_time = models.TimeField(null=True, blank=True)
    repeat_until = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    series = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="runs")
    # A run: the occurrence of its series it was started for (unique, so a run never starts twice).
    run_for = models.DateTimeField(null=True, blank=True)
    rate_per_minute = models.PositiveIntegerField(default=60)
    # Local hours of the customer's time zone in which nothing is sent (start > end wraps midnight).
    quiet_start_hour = models.PositiveSmallIntegerField(default=21)
    quiet_end_hour = models.PositiveSmallIntegerField(default=8)
    reply_window_hours = models.PositiveIntegerField(default=72)
    order_window_days = models.PositiveIntegerField(default=5)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="campaign_due")]
        constraints = [models.UniqueConstraint(fields=["series", "run_for"], name="campaign_run_once")]

    def __str__(self):
        return self.name

    @property
    def repeats(self):
        return bool(self.repeat)

    @property
    def weekday_names(self):
        return [WEEKDAYS_ABBR[day] for day in self.repeat_weekdays]


class Recipient(models.Model):
    """One customer of a campaign's audience snapshot; unique per campaign, so nobody is sent twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SKIPPED = "skipped", _("Skipped")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")

    class SkipReason(models.TextChoices):
        NO_IDENTITY = "no_identity", _("No address on this channel")
        NO_CONSENT = "no_consent", _("No marketing consent")
        WHATSAPP_RULES = "whatsapp_rules", _("WhatsApp rules forbid it")
        FREQUENCY_CAP = "frequency_cap", _("Frequency cap reached")
        QUIET_HOURS = "quiet_hours", _("Quiet hours in the customer's time zone")
        CANNOT_SEND = "cannot_send", _("The channel cannot send it")
        CANCELLED = "cancelled", _("Campaign cancelled")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="campaign_receipts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    detail = models.TextField(blank=True)
    # Its place in the throttle: not sent before this moment.
    send_after = models.DateTimeField()
    message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    # WhatsApp's per-user marketing cap (131049) refused it once; retried later, never twice.
    retried_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["send_after", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="recipient_unique")]
        indexes = [
            models.Index(fields=["campaign", "status", "send_after"], name="recipient_due"),
            models.Index(fields=["customer", "-sent_at"], name="recipient_customer_sent"),
        ]

    @property
    def delivery_status(self):
        """queued / skipped / sent / delivered / read / failed: once sent, the core message's own status,
        which only moves forward (a late "delivered" after "read" stays "read")."""
        if self.message_id is None:
            return self.status
        status = self.message.status
        return Recipient.Status.QUEUED if status == Message.Status.QUEUED else status
