from rest_framework import serializers

from conversations.models import Channel, Identity

from ..models import Campaign, Consent, Recipient, Segment


class ConsentSerializer(serializers.ModelSerializer):
    identity = serializers.PrimaryKeyRelatedField(queryset=Identity.objects.all())
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    identity_kind = serializers.CharField(source="identity.kind", read_only=True)
    identity_address = serializers.CharField(source="identity.address", read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "customer", "identity", "identity_kind", "identity_address", "channel", "purpose", "state",
                  "source", "evidence", "recorded_by", "recorded_at"]
        read_only_fields = ["customer", "recorded_by", "recorded_at"]


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = ["id", "name", "kind", "definition", "size", "computed_at", "created_at"]
        read_only_fields = ["size", "computed_at", "created_at"]


class PreviewSerializer(serializers.Serializer):
    definition = serializers.JSONField()


class SegmentCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    last_seen_at = serializers.DateTimeField()


class CampaignSerializer(serializers.ModelSerializer):
    segment = serializers.PrimaryKeyRelatedField(queryset=Segment.objects.all())
    channel = serializers.PrimaryKeyRelatedField(queryset=Channel.objects.all())
    rate_per_minute = serializers.IntegerField(required=False, min_value=1, max_value=6000)
    quiet_start_hour = serializers.IntegerField(required=False, min_value=0, max_value=23)
    quiet_end_hour = serializers.IntegerField(required=False, min_value=0, max_value=23)
    repeat_weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), required=False)

    class Meta:
        model = Campaign
        fields = ["id", "name", "segment", "channel", "status", "text", "subject", "html", "template",
                  "scheduled_at", "repeat", "repeat_weekdays", "repeat_time", "repeat_until", "time_zone", "series",
                  "run_for", "rate_per_minute", "quiet_start_hour", "quiet_end_hour", "reply_window_hours",
                  "order_window_days", "created_at", "started_at", "completed_at"]
        read_only_fields = ["status", "series", "run_for", "reply_window_hours", "order_window_days", "created_at",
                            "started_at", "completed_at"]


class CampaignPreviewSerializer(serializers.Serializer):
    """What the composer shows: the message as recipients of each language will read it."""

    channel = serializers.PrimaryKeyRelatedField(queryset=Channel.objects.filter(active=True))
    segment = serializers.PrimaryKeyRelatedField(queryset=Segment.objects.all(), required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    html = serializers.CharField(required=False, allow_blank=True, default="")
    template = serializers.JSONField(required=False, allow_null=True, default=None)


class RecipientSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="delivery_status")

    class Meta:
        model = Recipient
        fields = ["id", "customer", "status", "skip_reason", "detail", "send_after", "sent_at", "replied_at",
                  "opted_out_at", "message"]
