"""Routing's REST shapes: what comes in is only shaped here; the actions check the rules."""
from rest_framework import serializers

from conversations.models import Conversation

from ..models import AssignmentPolicy, BusinessCalendar, SlaMetric, SlaPolicy


class CalendarExceptionSerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    intervals = serializers.ListField(child=serializers.ListField(child=serializers.CharField(max_length=5)),
                                      required=False)


class BusinessCalendarSerializer(serializers.ModelSerializer):
    exceptions = CalendarExceptionSerializer(many=True, required=False)
    weekly_hours = serializers.JSONField(
        help_text='{"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["22:00", "02:00"]]}; an end not after '
                  "its start runs into the next day.")

    class Meta:
        model = BusinessCalendar
        fields = ["id", "name", "time_zone", "weekly_hours", "exceptions", "created_at"]
        read_only_fields = ["created_at"]
        # Uniqueness is the action's to check (one clear message, the same in the console).
        extra_kwargs = {"name": {"validators": []}}

    def to_representation(self, calendar):
        data = super().to_representation(calendar)
        data["exceptions"] = [{"date": item.date.isoformat(), "name": item.name, "intervals": item.intervals}
                              for item in calendar.exceptions.all()]
        return data


class SlaTargetSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=SlaMetric.choices)
    priority = serializers.ChoiceField(choices=Conversation.Priority.choices)
    minutes = serializers.IntegerField(min_value=1)


class SlaConditionsSerializer(serializers.Serializer):
    teams = serializers.ListField(child=serializers.IntegerField(), required=False)
    channel_kinds = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    # Checked by the action against the conversation priorities (one message for API and console).
    priorities = serializers.ListField(child=serializers.CharField(max_length=10), required=False)
    labels = serializers.ListField(child=serializers.CharField(max_length=60), required=False)


class SlaPolicySerializer(serializers.ModelSerializer):
    targets = SlaTargetSerializer(many=True)
    conditions = SlaConditionsSerializer(required=False)
    pause_statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=[s.value for s in SlaPolicy.PAUSABLE_STATUSES]), required=False)
    calendar = serializers.PrimaryKeyRelatedField(queryset=BusinessCalendar.objects.all(), allow_null=True,
                                                  required=False)
    warn_before_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, required=False)
    position = serializers.IntegerField(min_value=0, required=False)

    class Meta:
        model = SlaPolicy
        fields = ["id", "name", "position", "active", "conditions", "calendar", "pause_statuses",
                  "warn_before_minutes", "targets", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"name": {"validators": []}}

    def to_representation(self, policy):
        data = super().to_representation(policy)
        data["conditions"] = policy.conditions or {}
        data["targets"] = [{"metric": t.metric, "priority": t.priority, "minutes": t.minutes}
                           for t in policy.targets.all()]
        return data


class AssignmentPolicySerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="team_id", read_only=True)
    capacity = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=1000), required=False,
                                     help_text='The team\'s default maximum per channel kind: {"webchat": 5}.')
    calendar = serializers.PrimaryKeyRelatedField(queryset=BusinessCalendar.objects.all(), allow_null=True,
                                                  required=False)

    class Meta:
        model = AssignmentPolicy
        fields = ["team", "mode", "offline_grace_seconds", "no_reply_requeue_minutes", "calendar",
                  "live_idle_minutes", "capacity", "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"offline_grace_seconds": {"min_value": 0, "max_value": 24 * 3600},
                        "no_reply_requeue_minutes": {"min_value": 1, "max_value": 7 * 24 * 60},
                        "live_idle_minutes": {"min_value": 1, "max_value": 24 * 60}}

    def to_representation(self, policy):
        data = super().to_representation(policy)
        data["capacity"] = {rule.channel_kind: rule.max_active for rule in policy.team.capacity_rules.all()}
        return data


class AgentStatusSerializer(serializers.Serializer):
    """In: status (online/away) and, for admins, capacity. Out: also load and eligibility per channel kind."""

    status = serializers.CharField(max_length=10, required=False, help_text="online or away")
    capacity = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=1000), required=False)
