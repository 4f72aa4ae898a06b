"""Outgoing webhooks: who wants to hear which events, and every delivery with its attempts."""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.secrets import decrypt_json, encrypt_json

# The catalogue events an integrator may subscribe to: state that was committed, never presence or typing.
WEBHOOK_EVENTS = (
    ("conversation.created", _("Conversation created")),
    ("conversation.updated", _("Conversation updated")),
    ("message.created", _("Message created")),
    ("message.updated", _("Message status changed")),
    ("conversations.merged", _("Customers merged")),
    ("sla.warning", _("SLA about to be breached (warning)")),
    ("sla.breached", _("SLA breached")),
)


class WebhookSubscription(models.Model):
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    # Encrypted like channel credentials; shown once, when the subscription is created.
    secret_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def secret(self):
        return decrypt_json(self.secret_encrypted)["secret"]

    @secret.setter
    def secret(self, value):
        self.secret_encrypted = encrypt_json({"secret": value})


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    event = models.CharField(max_length=60)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # When the next try is due; while one is in flight, the end of its lease (so no two run at once).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One delivery per event and subscription: an event handled twice is sent once (replays aside).
            models.UniqueConstraint(
                fields=["subscription", "event_id"], condition=Q(replay_of__isnull=True), name="webhook_delivery_once"
            ),
        ]
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]


class WebhookAttempt(models.Model):
    """One HTTP try of a delivery: what the receiver answered, or why nothing was sent."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]


class RuleEvent(models.TextChoices):
    CONVERSATION_CREATED = "conversation_created", _("Conversation created")
    MESSAGE_RECEIVED = "message_received", _("Message received from the customer")
    MESSAGE_SENT = "message_sent", _("Reply sent to the customer")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assignee changed")
    TEAM_CHANGED = "team_changed", _("Team changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    LABELS_CHANGED = "labels_changed", _("Labels changed")
    CSAT_RECEIVED = "csat_received", _("Satisfaction rating received")
    SLA_WARNING = "sla_warning", _("SLA about to be breached (warning)")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    CUSTOMER_WAITING = "customer_waiting", _("Time passed since the customer's last message")


class AutomationRule(models.Model):
    """When `event` happens on a conversation and `conditions` hold, do `actions` (in one transaction)."""

    name = models.CharField(max_length=120)
    team = models.ForeignKey("conversations.Team", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="automation_rules", help_text=_("Empty: every team."))
    event = models.CharField(max_length=40, choices=RuleEvent.choices)
    conditions = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=list)
    position = models.PositiveIntegerField(default=0)
    stop_processing = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    # For the timer event (customer_waiting): how long after the customer's last message the rule runs.
    delay_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Those minutes counted in business time: the calendar of the conversation (routing), not the clock's.
    delay_in_business_minutes = models.BooleanField(default=False)
    # Bumped on every change, so an evaluation says which version of the rule decided.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class RuleFiring(models.Model):
    """A rule's actions ran for a root event on a conversation: at most once (the constraint enforces it)."""

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    root_event_id = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "conversation", "root_event_id"],
                                               name="rule_fires_once_per_root_event")]


class RuleTimer(models.Model):
    """A timer rule armed on a conversation by the customer's latest message; a newer message re-arms it."""

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="timers")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    message_id = models.BigIntegerField()
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "conversation"], name="one_timer_per_rule")]
        indexes = [models.Index(fields=["fired_at", "due_at"], name="rule_timer_due")]


class RuleEvaluation(models.Model):
    """The answer to "why did this happen?": one rule looked at one event, and what came of it."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched; actions done")
        NOT_MATCHED = "not_matched", _("Conditions not met")
        FAILED = "failed", _("Matched, but an action failed: nothing was changed")
        ALREADY_FIRED = "already_fired", _("Already fired for this root event")
        DEPTH_LIMIT = "depth_limit", _("Stopped: too many rules triggering each other")

    rule = models.ForeignKey(AutomationRule, null=True, on_delete=models.SET_NULL, related_name="evaluations")
    rule_name = models.CharField(max_length=120)
    rule_version = models.PositiveIntegerField()
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE,
                                     related_name="rule_evaluations")
    event = models.CharField(max_length=40)
    root_event_id = models.CharField(max_length=64)
    depth = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    failed_condition = models.CharField(max_length=300, blank=True)
    actions_done = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["conversation", "-at"], name="rule_evaluation_why")]


class Macro(models.Model):
    """A named list of actions an agent runs on a conversation, or on many from the inbox.

    Personal (owner set), for a team (team set) or for everyone (neither).
    """

    name = models.CharField(max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="macros")
    team = models.ForeignKey("conversations.Team", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="macros")
    actions = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def scope(self):
        return "personal" if self.owner_id else ("team" if self.team_id else "global")
