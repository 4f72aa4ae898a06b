import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .addresses import IDENTITY_KINDS
from .secrets import decrypt_json, encrypt_json


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AgentProfile(models.Model):
    class Role(models.TextChoices):
        AGENT = "agent", "Agent"
        SUPERVISOR = "supervisor", "Supervisor"
        ADMIN = "admin", "Admin"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, blank=True, related_name="agents")
    language = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or self.user.get_full_name() or self.user.username

    @property
    def sees_everything(self):
        return self.role in (self.Role.SUPERVISOR, self.Role.ADMIN) or self.user.is_superuser


class Customer(models.Model):
    name = models.CharField(max_length=200, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from")

    def __str__(self):
        return self.name or f"Customer {self.pk}"


class Identity(models.Model):
    """One way to reach a customer: `address` is normalised for its `kind`."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=IDENTITY_KINDS)
    address = models.CharField(max_length=255)
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "address"], name="identity_unique_kind_address")]
        verbose_name_plural = "identities"

    def __str__(self):
        return f"{self.kind}:{self.address}"


class Channel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    name = models.CharField(max_length=150)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="channels")
    active = models.BooleanField(default=True)
    # The whole configuration is encrypted at rest; which keys are secret is
    # the adapter's business (it decides what an API or page may show).
    config_encrypted = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.kind})"

    @property
    def config(self):
        # Cached per ciphertext, so a refresh from the database is never served stale.
        cached = getattr(self, "_config_cache", None)
        if cached is None or cached[0] != self.config_encrypted:
            cached = (self.config_encrypted, decrypt_json(self.config_encrypted))
            self._config_cache = cached
        return dict(cached[1])

    @config.setter
    def config(self, value):
        self.config_encrypted = encrypt_json(dict(value))
        self._config_cache = (self.config_encrypted, dict(value))


class Label(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        SNOOZED = "snoozed", "Snoozed"
        RESOLVED = "resolved", "Resolved"

    class Priority(models.TextChoices):
        NONE = "none", "None"
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="conversation")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_conversations"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NONE)
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    last_inbound_channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Set by the first unanswered inbound message, cleared by a reply: the inbox sorts on it.
    waiting_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["status", "waiting_since"], name="conv_status_waiting"),
            models.Index(fields=["team", "status"], name="conv_team_status"),
            models.Index(fields=["assignee", "status"], name="conv_assignee_status"),
            # The inbox: unresolved conversations, longest waiting first (no sort of every open row).
            models.Index(fields=["waiting_since", "-last_message_at"], condition=~Q(status="resolved"),
                         name="conv_inbox_order"),
            # Lists by recent activity (API), read in index order.
            models.Index(fields=["-last_message_at", "-id"], name="conv_last_message_order"),
        ]

    def __str__(self):
        return f"Conversation {self.pk} with {self.customer}"


class ConversationCycle(models.Model):
    """One open-to-resolved stretch of a conversation: what response metrics count."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="cycles")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_on_channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"], condition=Q(resolved_at__isnull=True), name="one_open_cycle_per_conversation"
            )
        ]


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"
        NOTE = "note", "Private note"
        SYSTEM = "system", "System"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        READ = "read", "Read"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    identity = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitised with nh3 before it is stored.")
    external_id = models.CharField(max_length=255, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    failure_reason = models.TextField(blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)
    # Provider facts worth keeping (reply refs, email headers, flags such as auto-reply).
    metadata = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the provider says it was sent.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=Q(external_id__isnull=False),
                name="message_unique_channel_external_id",
            )
        ]
        indexes = [models.Index(fields=["conversation", "created_at", "id"], name="msg_conv_created")]

    def __str__(self):
        return f"{self.direction} message {self.pk}"


def attachment_upload_to(instance, filename):
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    # Inline parts (email cid:) and provider media not fetched yet.
    content_id = models.CharField(max_length=255, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    fetch_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.filename or f"Attachment {self.pk}"


class RawInboundEvent(models.Model):
    """Every accepted webhook body, kept before we answer so nothing is ever lost."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="raw_events")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=10, default="POST")
    path = models.CharField(max_length=500, blank=True)
    query_string = models.TextField(blank=True)
    headers = models.JSONField(default=dict)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.BinaryField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self):
        return f"Raw event {self.pk} on {self.channel_id} ({self.state})"


class ConversationEvent(models.Model):
    """The audit trail: who changed what on a conversation, and when."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        ASSIGNED = "assigned", "Assigned"
        TEAM_CHANGED = "team_changed", "Team changed"
        STATUS_CHANGED = "status_changed", "Status changed"
        PRIORITY_CHANGED = "priority_changed", "Priority changed"
        LABELS_CHANGED = "labels_changed", "Labels changed"
        REOPENED = "reopened", "Reopened by the customer"
        CHANNEL_SWITCHED = "channel_switched", "Customer moved channel"
        MERGED = "merged", "Customers merged"
        UNMERGED = "unmerged", "Merge undone"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="audit_events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind} on {self.conversation_id}"
