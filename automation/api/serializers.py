from rest_framework import serializers

from ..models import (
    WEBHOOK_EVENTS, AutomationRule, Macro, RuleEvaluation, WebhookAttempt, WebhookDelivery, WebhookSubscription,
)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WEBHOOK_EVENTS), allow_empty=False)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "events", "active", "consecutive_failures", "disabled_at", "disabled_reason",
                  "created_at"]
        read_only_fields = ["consecutive_failures", "disabled_at", "disabled_reason", "created_at"]


class CreatedWebhookSubscriptionSerializer(WebhookSubscriptionSerializer):
    """The answer to a creation: the only time the signing secret is shown."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = WebhookSubscriptionSerializer.Meta.fields + ["secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "status_code", "error", "response_excerpt", "duration_ms", "at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "subscription", "event", "event_id", "payload", "status", "attempts", "last_status_code",
                  "last_error", "next_attempt_at", "replay_of", "created_at", "finished_at", "attempt_log"]


class AutomationRuleSerializer(serializers.ModelSerializer):
    conditions = serializers.JSONField(required=False)
    actions = serializers.JSONField()

    class Meta:
        model = AutomationRule
        fields = ["id", "name", "team", "event", "delay_minutes", "delay_in_business_minutes", "conditions", "actions",
                  "position",
                  "stop_processing", "active", "version", "updated_at"]
        read_only_fields = ["version", "updated_at"]
        extra_kwargs = {"position": {"required": False}}


class RuleEvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleEvaluation
        fields = ["id", "rule", "rule_name", "rule_version", "conversation", "event", "root_event_id", "depth",
                  "outcome", "failed_condition", "actions_done", "error", "at"]


class DryRunResultSerializer(serializers.Serializer):
    conversation = serializers.IntegerField()
    customer = serializers.CharField()
    matched = serializers.BooleanField()
    failed_condition = serializers.CharField()


class MacroSerializer(serializers.ModelSerializer):
    actions = serializers.JSONField()
    scope = serializers.ChoiceField(choices=["personal", "team", "global"], default="personal")

    class Meta:
        model = Macro
        fields = ["id", "name", "scope", "team", "actions", "updated_at"]
        read_only_fields = ["updated_at"]


class MacroTargetsSerializer(serializers.Serializer):
    conversations = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
                                          max_length=200)


class MacroPreviewSerializer(serializers.Serializer):
    conversation = serializers.IntegerField()
    customer = serializers.CharField()
    refused = serializers.CharField()
    steps = serializers.ListField(child=serializers.CharField())


class MacroResultSerializer(serializers.Serializer):
    conversation = serializers.IntegerField()
    ok = serializers.BooleanField()
    error = serializers.CharField()
    done = serializers.ListField(child=serializers.CharField())
