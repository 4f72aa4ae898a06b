import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, OrderBy, Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import failure_reasons
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
        AGENT = "agent", _("Agent")
        SUPERVISOR = "supervisor", _("Supervisor")
        ADMIN = "admin", _("Admin")

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
    # The language the customer last used with us (a code of settings.LANGUAGES; "" = not known): what we
    # write to them in (CSAT links, offline replies), whatever language the agent works in.
    language = models.CharField(max_length=10, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from")

    class Meta:
        # Merge suggestions look customers up by the email or phone in their attributes.
        indexes = [
            models.Index(KeyTransform("email", "attributes"), name="customer_attribute_email"),
            models.Index(KeyTransform("phone", "attributes"), name="customer_attribute_phone"),
        ]

    def __str__(self):
        return self.name or f"Customer {self.pk}"

    @property
    def writing_language(self):
        """The language customer-facing text is written in: theirs when known, else the site's."""
        return self.language or settings.LANGUAGE_CODE


class Identity(models.Model):
    """One way to reach a customer: `address` is normalised for its `kind`."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=IDENTITY_KINDS)
    address = models.CharField(max_length=255)
    verified = models.BooleanField(default=False)
    # Only typed by the customer into a form (the web chat): never seen on its own channel, never proven.
    # Traffic that arrives from the address itself is not theirs to capture (actions.customers.claim_address).
    claimed = models.BooleanField(default=False)
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


# Longest waiting first, then the latest activity: the inbox's order, and that of its indexes.
INBOX_ORDER = (F("waiting_since").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True), F("id").desc())


class InboxOrderIndex(models.Index):
    """An index in the inbox order. SQLite cannot index NULLS LAST (embedded mode, small data): it gets
    the same columns in the same directions, without the NULLS clauses."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "sqlite":
            return super().create_sql(model, schema_editor, using, **kwargs)
        plain = [OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e
                 for e in self.expressions]
        return models.Index(*plain, name=self.name).create_sql(model, schema_editor, using, **kwargs)


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        SNOOZED = "snoozed", _("Snoozed")
        RESOLVED = "resolved", _("Resolved")

    class Priority(models.TextChoices):
        NONE = "none", _("None")
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

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
        # The inbox's views (a status; a team, an assignee or everyone), each read from one index in the
        # inbox order (longest waiting first, then the latest activity): no sort of every matching row.
        indexes = [
            InboxOrderIndex(F("status"), *INBOX_ORDER, name="conv_status_inbox"),
            InboxOrderIndex(F("team"), F("status"), *INBOX_ORDER, name="conv_team_status_inbox"),
            InboxOrderIndex(F("assignee"), F("status"), *INBOX_ORDER, name="conv_assignee_status_inbox"),
            InboxOrderIndex(*INBOX_ORDER, name="conv_inbox_order_all"),
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
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")
        NOTE = "note", _("Private note")
        SYSTEM = "system", _("System")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    identity = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitised with nh3 before it is stored.")
    external_id = models.CharField(max_length=255, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    # Why it was not delivered, as a code of conversations/failure_reasons.py and its parameters:
    # put into words in the reader's language (`failure_reason`).
    failure_code = models.CharField(max_length=80, blank=True)
    failure_params = models.JSONField(default=dict, blank=True)
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

    @property
    def is_from_participant(self):
        """Written into the thread by someone other than the conversation's customer (a colleague who replied to all)."""
        return (self.direction == self.Direction.INBOUND and self.identity_id is not None
                and self.identity.customer_id != self.conversation.customer_id)

    FAILURE_FIELDS = ("failure_code", "failure_params")

    @property
    def failure_reason(self) -> str:
        """Why it was not delivered, in the active language; "" when nothing failed."""
        return failure_reasons.describe(self.failure_code, self.failure_params)

    def set_failure(self, reason):
        """Keep `reason` (a FailureReason, or None to clear it); the caller saves FAILURE_FIELDS."""
        self.failure_code, self.failure_params = (reason.code, dict(reason.params)) if reason else ("", {})


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
    # A provider media id (WhatsApp Cloud, Telegram) the channel's adapter resolves to a download.
    source_media_id = models.CharField(max_length=255, blank=True)
    fetch_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.filename or f"Attachment {self.pk}"


class RawInboundEvent(models.Model):
    """Every accepted webhook body, kept before we answer so nothing is ever lost."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")

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
        CREATED = "created", _("Created")
        ASSIGNED = "assigned", _("Assigned")
        TEAM_CHANGED = "team_changed", _("Team changed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        LABELS_CHANGED = "labels_changed", _("Labels changed")
        REOPENED = "reopened", _("Reopened by the customer")
        CHANNEL_SWITCHED = "channel_switched", _("Customer moved channel")
        MERGED = "merged", _("Customers merged")
        UNMERGED = "unmerged", _("Merge undone")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="audit_events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind} on {self.conversation_id}"


class CustomerMerge(models.Model):
    """The record of one confirmed merge: enough to undo it."""

    source = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges_as_source")
    target = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges_as_target")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    identity_ids = models.JSONField(default=list)
    message_ids = models.JSONField(default=list)
    # The source conversation as it was (status, assignee, team, priority, labels...), restored on undo.
    source_state = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self):
        return f"Merge of customer {self.source_id} into {self.target_id}"


class CannedResponse(models.Model):
    """A saved answer inserted with /shortcut; shared with everyone, or personal to its owner."""

    shortcut = models.SlugField(max_length=40)
    title = models.CharField(max_length=120)
    text = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="canned_responses"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shortcut"]
        constraints = [
            models.UniqueConstraint(fields=["shortcut"], condition=Q(owner__isnull=True), name="canned_shared_unique"),
            models.UniqueConstraint(fields=["owner", "shortcut"], name="canned_personal_unique"),
        ]

    def __str__(self):
        return f"/{self.shortcut}"


class Notification(models.Model):
    """Something an agent must see: an @mention in a private note, for now."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]


class ConversationRead(models.Model):
    """How far an agent has read a conversation: unread counts are inbound messages past it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reads")
    last_read_message_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "conversation"], name="one_read_marker_per_agent")]


class Touchpoint(models.Model):
    """A page of the shop's site the customer viewed, as reported by the web chat widget."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="touchpoints")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300, blank=True)
    viewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-viewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "url", "viewed_at"], name="touchpoint_unique_view")
        ]
        indexes = [models.Index(fields=["customer", "viewed_at"], name="touchpoint_customer_viewed")]

    def __str__(self):
        return f"{self.url} at {self.viewed_at:%Y-%m-%d %H:%M}"


class CsatRating(models.Model):
    """The customer's satisfaction with one resolved cycle: 1 (bad) to 5 (great), with a comment."""

    MIN_RATING, MAX_RATING = 1, 5

    cycle = models.OneToOneField(ConversationCycle, on_delete=models.CASCADE, related_name="csat")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    # Where the rating was given: the web chat, or the channel a CSAT link was sent on.
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="csat_rating_1_to_5")
        ]

    def __str__(self):
        return f"CSAT {self.rating} for cycle {self.cycle_id}"


class MergeSuggestion(models.Model):
    """A customer claimed an address that belongs to another customer, without proving it.

    The histories are never joined on such a claim: an agent looks, and merges or dismisses.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Dismissed")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merge_suggestions")
    candidate = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=IDENTITY_KINDS)
    address = models.CharField(max_length=255)
    # How the claim was made, e.g. "webchat_prechat", "webchat_set_user", "webchat_offline".
    source = models.CharField(max_length=40)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "candidate", "kind", "address"], name="merge_suggestion_unique_claim"
            )
        ]

    def __str__(self):
        return f"{self.customer_id} claims {self.kind}:{self.address} of {self.candidate_id}"


class AddressVerification(models.Model):
    """A one-time code sent to an address a web chat visitor claimed, to be typed back in the widget.

    Only a hash of the code is kept; a code expires, and wrong guesses are counted and capped.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    # The visitor asking (their anonymous web chat identity address): only they may confirm the code.
    visitor_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=IDENTITY_KINDS)
    address = models.CharField(max_length=255)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["visitor_id", "created_at"], name="verification_visitor_created"),
            models.Index(fields=["kind", "address", "created_at"], name="verification_address_created"),
        ]

    def __str__(self):
        return f"Code for {self.kind}:{self.address} ({self.visitor_id})"
