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
