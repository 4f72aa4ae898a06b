"""Sentiment of customer messages, and the rollups reports read (never the messages themselves)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.models import Channel, Conversation, ConversationCycle, Message

# Rollup keys are plain values, not foreign keys: "none" is 0 / "" so a unique key never holds NULL.
NO_TEAM = 0
NO_AGENT = 0
NO_CHANNEL = ""
# Hourly rollups also hold totals over a dimension ("any channel", "any team", "any agent"), so a report
# filtered or grouped by at most one dimension reads a few rows per hour instead of every combination.
ANY_CHANNEL = "*"
ANY = -1


class Level(models.IntegerChoices):
    """Which dimensions a rollup row keeps (the others are totals): what a report reads, by index."""
    TOTAL = 0
    CHANNEL = 1
    TEAM = 2
    AGENT = 3
    FULL = 4


class SentimentLabel(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class MessageSentiment(models.Model):
    """How a customer message reads: a label and a score in -1..1, and which model said so."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, primary_key=True, related_name="sentiment")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(max_length=10, choices=SentimentLabel.choices)
    score = models.FloatField()
    language = models.CharField(max_length=8, help_text="pt-BR, pt-PT, es or en")
    model_version = models.CharField(max_length=40)
    written_at = models.DateTimeField(help_text="When the customer's message arrived.")
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conversation", "written_at"], name="sentiment_conv_written")]

    def __str__(self):
        return f"{self.label} ({self.score:+.2f}) for message {self.message_id}"


class ConversationSentiment(models.Model):
    """The mood of a conversation's latest scored customer message: what the inbox sorts and filters on."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, primary_key=True, related_name="sentiment"
    )
    label = models.CharField(max_length=10, choices=SentimentLabel.choices)
    score = models.FloatField(db_index=True)
    message_id = models.BigIntegerField()
    written_at = models.DateTimeField()


class CycleFact(models.Model):
    """One conversation cycle's response and resolution times, CSAT and channel hops, kept up to date."""

    cycle = models.OneToOneField(ConversationCycle, on_delete=models.CASCADE, primary_key=True, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    customer_id = models.BigIntegerField()
    channel_key = models.CharField(max_length=36, default=NO_CHANNEL, help_text="The channel the cycle opened on.")
    team_id = models.BigIntegerField(default=NO_TEAM)
    agent_id = models.BigIntegerField(default=NO_AGENT)
    opened_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True)
    first_response_seconds = models.FloatField(null=True)
    first_response_business_seconds = models.FloatField(null=True)
    # The channel the first answer went out on (another channel than the cycle's counts too).
    first_response_channel_key = models.CharField(max_length=36, default=NO_CHANNEL)
    resolved_at = models.DateTimeField(null=True)
    resolution_seconds = models.FloatField(null=True)
    resolution_business_seconds = models.FloatField(null=True)
    csat_rating = models.PositiveSmallIntegerField(null=True)
    # The channels (ids) the customer wrote on in this cycle, in order of first use, joined by ">".
    hops = models.CharField(max_length=200, blank=True)
    hopped = models.BooleanField(default=False)
    # SLA outcomes (routing's clocks): None = no clock decided yet, True = met in time, False = breached.
    sla_first_response = models.BooleanField(null=True)
    sla_resolution = models.BooleanField(null=True)
    # Every decided clock of the cycle (next responses included): met in time, and breached.
    sla_met = models.PositiveSmallIntegerField(default=0)
    sla_breached = models.PositiveSmallIntegerField(default=0)

    class Meta:
        # Covering: a 90-day report reads these indexes, not the table.
        indexes = [
            models.Index(fields=["opened_at"], include=["team_id", "channel_key", "agent_id", "customer_id", "hopped",
                                                        "sla_first_response", "sla_resolution", "sla_met",
                                                        "sla_breached"],
                         name="cyclefact_opened"),
            models.Index(fields=["resolved_at"], include=["team_id", "channel_key", "agent_id", "resolution_seconds",
                                                          "resolution_business_seconds", "csat_rating", "hopped"],
                         name="cyclefact_resolved"),
            models.Index(fields=["first_response_at"], include=["team_id", "channel_key", "agent_id",
                                                                "first_response_seconds",
                                                                "first_response_business_seconds"],
                         name="cyclefact_first_response"),
        ]


class ResponseFact(models.Model):
    """One later answer ("next response"): from the customer's first unanswered message to the reply."""

    cycle = models.ForeignKey(ConversationCycle, on_delete=models.CASCADE, related_name="+")
    answered_at = models.DateTimeField()
    seconds = models.FloatField()
    business_seconds = models.FloatField()
    channel_key = models.CharField(max_length=36, default=NO_CHANNEL)
    team_id = models.BigIntegerField(default=NO_TEAM)
    agent_id = models.BigIntegerField(default=NO_AGENT)

    class Meta:
        indexes = [models.Index(fields=["answered_at"], include=["team_id", "channel_key", "agent_id", "seconds",
                                                                 "business_seconds"], name="responsefact_answered")]


class HourlyMessages(models.Model):
    """Messages in and out, and calls, per UTC hour, channel, team and agent (inbound: the assignee).

    A call (a message carrying metadata["call"]: reported by the telephony system, or logged by an
    agent) counts as a call, not as a message.

    Each hour has rows for every (channel, team, agent) that occurred, and rows with ANY_CHANNEL / ANY
    in all but one of them (per channel, per team, per agent) and in all three (the hour's total).
    """

    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.FULL)
    hour = models.DateTimeField()
    channel_key = models.CharField(max_length=36, default=NO_CHANNEL)
    team_id = models.BigIntegerField(default=NO_TEAM)
    agent_id = models.BigIntegerField(default=NO_AGENT)
    inbound = models.PositiveIntegerField(default=0)
    outbound = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "channel_key", "team_id", "agent_id"], name="hourly_messages_key")
        ]
        # Reports read one level over a range of hours, from the index alone.
        indexes = [models.Index(fields=["level", "hour"], include=["channel_key", "team_id", "agent_id", "inbound",
                                                                   "outbound", "calls"], name="hourly_messages_level")]


class DailyMessages(models.Model):
    """HourlyMessages summed per UTC day at the per-dimension and total levels (not FULL).

    A breakdown over months reads whole days here and only the hours at the ends of its range (the
    viewer's midnight is not UTC's) from HourlyMessages: a day's row instead of 24.
    """

    level = models.PositiveSmallIntegerField(choices=Level.choices)
    day = models.DateTimeField(help_text="UTC midnight starting the day.")
    channel_key = models.CharField(max_length=36)
    team_id = models.BigIntegerField()
    agent_id = models.BigIntegerField()
    inbound = models.PositiveIntegerField(default=0)
    outbound = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "channel_key", "team_id", "agent_id"], name="daily_messages_key")
        ]
        indexes = [models.Index(fields=["level", "day"], include=["channel_key", "team_id", "agent_id", "inbound",
                                                                  "outbound", "calls"], name="daily_messages_level")]


class HourlySentiment(models.Model):
    """Scored customer messages per UTC hour, channel and team (with ANY rows like HourlyMessages)."""

    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.FULL)
    hour = models.DateTimeField()
    channel_key = models.CharField(max_length=36, default=NO_CHANNEL)
    team_id = models.BigIntegerField(default=NO_TEAM)
    negative = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "channel_key", "team_id"], name="hourly_sentiment_key")
        ]
        indexes = [models.Index(fields=["level", "hour"], name="hourly_sentiment_level")]


class RollupCursor(models.Model):
    """How far the rollups have read a growing table (the last id seen)."""

    name = models.CharField(max_length=40, primary_key=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)


class ReportSubscription(models.Model):
    """A supervisor's opt-in to the weekly summary email, and the last week it went out."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscription")
    weekly_summary = models.BooleanField(default=False)
    last_sent_week = models.CharField(max_length=10, blank=True, help_text="ISO week, e.g. 2026-W05")
