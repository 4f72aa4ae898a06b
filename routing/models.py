"""Routing and SLAs: business calendars, capacity, assignment policies, team queues, SLA policies and clocks."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.models import Conversation, ConversationCycle, Message, Team


class BusinessCalendar(models.Model):
    """Opening hours in one IANA time zone: several intervals per weekday, any of them may cross midnight.

    `weekly_hours` is {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["22:00", "02:00"]], ...}:
    an interval whose end is not after its start ends the next day; "24:00" is midnight at the end of the day.
    """

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64)
    weekly_hours = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CalendarException(models.Model):
    """One date that differs from the week: a holiday (no intervals) or special hours (an override)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)
    intervals = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_unique_date")]

    def __str__(self):
        return f"{self.calendar} {self.date}"


class AssignmentPolicy(models.Model):
    class Mode(models.TextChoices):
        OFF = "off", _("Off")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_LOADED = "least_loaded", _("Least loaded")

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="assignment_policy")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.OFF)
    # An owner offline for longer than this loses their live conversations to the queue.
    offline_grace_seconds = models.PositiveIntegerField(default=120)
    # Requeue a conversation its owner has not answered within this many business minutes (None: never).
    no_reply_requeue_minutes = models.PositiveIntegerField(null=True, blank=True)
    # The calendar those business minutes are counted in (None: calendar time).
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A live (chat-like) conversation without a message for this long stops counting towards its owner's load.
    live_idle_minutes = models.PositiveIntegerField(default=10)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.team}: {self.mode}"


class CapacityRule(models.Model):
    """At most `max_active` active conversations of a channel kind: for one agent, or the default of a team."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="capacity_rules")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="capacity_rules")
    channel_kind = models.CharField(max_length=40)
    max_active = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(agent__isnull=False) ^ Q(team__isnull=False),
                                   name="capacity_rule_agent_xor_team"),
            models.UniqueConstraint(fields=["agent", "channel_kind"], condition=Q(agent__isnull=False),
                                    name="capacity_rule_unique_agent_kind"),
            models.UniqueConstraint(fields=["team", "channel_kind"], condition=Q(team__isnull=False),
                                    name="capacity_rule_unique_team_kind"),
        ]


class AgentRouting(models.Model):
    """What routing keeps per agent: the row locked while assigning to them (no cap overrun) and the
    facts round robin and the offline requeue need."""

    agent = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing")
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    offline_since = models.DateTimeField(null=True, blank=True)


class QueueEntry(models.Model):
    """A conversation waiting for an owner in its team's queue."""

    class Reason(models.TextChoices):
        NEW = "new", _("New conversation")
        REOPENED = "reopened", _("Reopened while its owner is not available")
        UNASSIGNED = "unassigned", _("Unassigned")
        OWNER_OFFLINE = "owner_offline", _("Owner offline")
        OWNER_INELIGIBLE = "owner_ineligible", _("Owner no longer available for this channel")
        NO_REPLY = "no_reply", _("Owner did not reply in time")
        RULE = "rule", _("An automation rule asked for an automatic assignment")

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="queue_entry")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="queue_entries")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # Higher first: copied from the conversation's priority so the queue sorts on an index.
    priority_rank = models.PositiveSmallIntegerField(default=0)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)
    # Not offered to this agent again (the owner who did not reply in time).
    excluded_agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")

    class Meta:
        indexes = [models.Index(fields=["team", "-priority_rank", "sla_due_at", "enqueued_at"], name="queue_order")]


class AssignmentRecord(models.Model):
    """Every automatic assignment, manual assignment and requeue, with its reason."""

    class Kind(models.TextChoices):
        AUTO = "auto", _("Assigned automatically")
        MANUAL = "manual", _("Assigned by hand")
        REQUEUED = "requeued", _("Returned to the queue")
        QUEUED = "queued", _("Queued")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="assignment_records")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    reason = models.CharField(max_length=40)
    channel_kind = models.CharField(max_length=40, blank=True)
    over_capacity = models.BooleanField(default=False)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]


class SlaPolicy(models.Model):
    """Targets per priority for a set of conversations; the first active policy (by position) whose
    conditions all match applies. Empty conditions match everything."""

    PAUSABLE_STATUSES = (Conversation.Status.PENDING, Conversation.Status.SNOOZED)

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    # {"teams": [ids], "channel_kinds": [...], "priorities": [...], "labels": [...]}, each optional (any).
    conditions = models.JSONField(default=dict, blank=True)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="sla_policies", help_text="None: calendar time (24/7).")
    pause_statuses = models.JSONField(default=list, blank=True)
    warn_before_minutes = models.PositiveIntegerField(default=15)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class AppliedSlaPolicy(models.Model):
    """A policy chosen for one conversation (by an automation rule or a macro): it applies instead of the
    first matching one for as long as it is active."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="applied_sla_policy")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="+")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    applied_at = models.DateTimeField(default=timezone.now)


class SlaMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(max_length=10, choices=Conversation.Priority.choices)
    metric = models.CharField(max_length=20, choices=SlaMetric.choices)
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["metric", "priority"]
        constraints = [models.UniqueConstraint(fields=["policy", "priority", "metric"], name="sla_target_unique")]


class SlaClock(models.Model):
    """One metric's clock for one cycle of a conversation (next response: one per unanswered customer turn)."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        CANCELLED = "cancelled", _("Stopped")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="sla_clocks")
    cycle = models.ForeignKey(ConversationCycle, on_delete=models.CASCADE, related_name="sla_clocks")
    metric = models.CharField(max_length=20, choices=SlaMetric.choices)
    turn = models.PositiveIntegerField(default=0)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="clocks")
    target_seconds = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    # Business seconds used before `running_since` (pauses keep it).
    used_seconds = models.FloatField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "metric", "turn"], name="sla_clock_unique_turn"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="running", breached_at__isnull=True),
                         name="sla_clock_due"),
        ]

    @property
    def display_state(self):
        if self.state in (self.State.RUNNING, self.State.PAUSED) and self.breached_at:
            return "breached"
        return self.state


class SlaClockEvent(models.Model):
    class Kind(models.TextChoices):
        START = "start", _("Started")
        PAUSE = "pause", _("Paused")
        RESUME = "resume", _("Resumed")
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breached")
        MET = "met", _("Met")
        CANCEL = "cancel", _("Stopped")
        RECOMPUTE = "recompute", _("Target changed")

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # A warning and a breach happen once per clock, however many tasks and sweeps look at it.
            models.UniqueConstraint(fields=["clock", "kind"], condition=Q(kind__in=["warning", "breach"]),
                                    name="sla_clock_event_once"),
        ]

