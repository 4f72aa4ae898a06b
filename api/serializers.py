from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from channels_adapters.registry import ADAPTERS
from channels_adapters.setup import public_config, public_extras
from channels_adapters.urls_public import webhook_url
from conversations.models import (
    AgentProfile,
    Attachment,
    Channel,
    Conversation,
    Customer,
    CustomerMerge,
    Identity,
    Message,
    Team,
)
from routing import summary as routing_summary
from routing.schedules import ScheduleCache


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class AgentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    role = serializers.ChoiceField(choices=AgentProfile.Role.choices, default=AgentProfile.Role.AGENT)
    teams = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False, default=list)
    is_active = serializers.BooleanField(read_only=True)

    def to_representation(self, user):
        profile = getattr(user, "agent", None)
        return {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "name": profile.display_name if profile else user.username,
            "role": profile.role if profile else ("admin" if user.is_superuser else "agent"),
            "teams": list(profile.teams.values_list("id", flat=True)) if profile else [],
            "is_active": user.is_active,
        }


class AgentUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    role = serializers.ChoiceField(choices=AgentProfile.Role.choices, required=False)
    teams = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False)
    is_active = serializers.BooleanField(required=False)


class ChannelSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    kind = serializers.ChoiceField(choices=sorted(ADAPTERS))
    name = serializers.CharField(max_length=150)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    active = serializers.BooleanField(read_only=True)
    config = serializers.DictField(write_only=True, required=False, default=dict)
    webhook_url = serializers.CharField(read_only=True)

    def to_representation(self, channel):
        return {
            "id": str(channel.pk),
            "kind": channel.kind,
            "name": channel.name,
            "team": channel.team_id,
            "active": channel.active,
            "webhook_url": webhook_url(channel),
            # Never a secret: the adapter says which keys may be shown.
            "config": public_config(channel),
            **public_extras(channel),
        }


class ChannelUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    active = serializers.BooleanField(required=False)
    config = serializers.DictField(required=False)


class IdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Identity
        fields = ["id", "kind", "address", "verified", "created_at"]


class CustomerSerializer(serializers.ModelSerializer):
    identities = IdentitySerializer(many=True, read_only=True)
    conversation = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "name", "attributes", "first_seen_at", "last_seen_at", "identities", "conversation"]

    def get_conversation(self, customer) -> int | None:
        conversation = getattr(customer, "conversation", None)
        return conversation.pk if conversation else None


class ConversationSerializer(serializers.ModelSerializer):
    customer = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    last_inbound_channel = serializers.UUIDField(source="last_inbound_channel_id", read_only=True)
    sla = serializers.SerializerMethodField()
    queue = serializers.SerializerMethodField()
    sentiment = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id", "customer", "status", "snoozed_until", "assignee", "team", "priority", "labels",
            "last_inbound_channel", "waiting_since", "last_message_at", "created_at", "updated_at", "sla", "queue",
            "sentiment",
        ]

    def get_customer(self, conversation) -> dict:
        return {"id": conversation.customer_id, "name": conversation.customer.name}

    def get_labels(self, conversation) -> list[str]:
        return [label.name for label in conversation.labels.all()]

    def get_sla(self, conversation) -> dict | None:
        """The clock that matters now (policy, metric, due_at, state, remaining business seconds), or null."""
        return routing_summary.sla_payload(conversation, self.context.setdefault("schedules", ScheduleCache()))

    def get_queue(self, conversation) -> dict | None:
        """The team queue it waits in for an owner (reason, enqueued_at, waiting_seconds), or null."""
        return routing_summary.queue_payload(conversation)

    def get_sentiment(self, conversation) -> dict | None:
        """The mood of the latest scored customer message (label, score in -1..1), or null."""
        mood = getattr(conversation, "sentiment", None)
        return {"label": mood.label, "score": round(mood.score, 3)} if mood is not None else None


class ConversationUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Conversation.Status.choices, required=False)
    snoozed_until = serializers.DateTimeField(required=False, allow_null=True)
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False, allow_null=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Conversation.Priority.choices, required=False)
    labels = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=20)


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "url", "fetch_error"]

    def get_url(self, attachment) -> str | None:
        return attachment.file.url if attachment.file else None


class AutomaticSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["auto_reply", "auto_generated", "bulk", "bounce", "unknown"],
        help_text="auto_reply: an out-of-office or other autoresponder; auto_generated: a notice a system sent on its "
                  "own; bulk: a newsletter or mailing list; bounce: a mail system reporting a delivery problem.")
    reason = serializers.CharField(help_text="What in the message said so, e.g. the header \"Auto-Submitted: "
                                             "auto-replied\".")


class MessageSenderSerializer(serializers.Serializer):
    kind = serializers.CharField()
    address = serializers.CharField()
    name = serializers.CharField(help_text="The name of the customer this identity belongs to.")
    participant = serializers.BooleanField(
        help_text="True when someone other than the conversation's customer wrote this message into its thread "
                  "(a colleague who replied to all); the sender keeps their own identity and customer.")


class MessageSerializer(serializers.ModelSerializer):
    channel = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    sender = serializers.SerializerMethodField()
    automatic = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id", "direction", "channel", "sender", "author", "text", "html", "status", "failure_reason", "failure_code",
            "failure_params", "external_id", "sent_at", "created_at", "attachments", "automatic",
        ]

    def get_channel(self, message) -> dict | None:
        if message.channel_id is None:
            return None
        return {"id": str(message.channel_id), "kind": message.channel.kind, "name": message.channel.name}

    @extend_schema_field(MessageSenderSerializer(allow_null=True))
    def get_sender(self, message):
        if message.identity_id is None:
            return None
        identity = message.identity
        return {"kind": identity.kind, "address": identity.address, "name": identity.customer.name,
                "participant": message.is_from_participant}

    @extend_schema_field(AutomaticSerializer(allow_null=True))
    def get_automatic(self, message):
        """Inbound mail sent by a machine (never answered, never reopens): what kind and why; else null."""
        reason = message.metadata.get("automatic") if message.direction == Message.Direction.INBOUND else None
        if not reason:
            return None
        return {"kind": message.metadata.get("automatic_kind") or "unknown", "reason": str(reason)}


class TemplateChoiceSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=512)
    language = serializers.CharField(max_length=20, required=False, allow_blank=True)
    variables = serializers.DictField(child=serializers.CharField(max_length=1024, allow_blank=True), required=False,
                                      default=dict)


class MessageCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20_000, trim_whitespace=True, required=False, allow_blank=True, default="")
    channel = serializers.PrimaryKeyRelatedField(queryset=Channel.objects.all(), required=False, allow_null=True)
    private = serializers.BooleanField(default=False)
    template = TemplateChoiceSerializer(
        required=False,
        help_text="An approved template of the channel (WhatsApp), the only thing it sends once the customer's "
                  "last message is more than 24 hours old. The text then comes from the template.",
    )
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=10,
                                        help_text="Files (multipart/form-data), as many as the channel sends.")
    cc = serializers.ListField(
        child=serializers.EmailField(), required=False, max_length=50,
        help_text="On a channel that copies (email): the conversation's participants to copy. Omitted: all of "
                  "them; []: none. An address that is not a participant is refused.")

    def validate(self, data):
        if data["private"] and (data.get("template") or data["attachments"]):
            raise serializers.ValidationError("A private note is text only.")
        if not data["text"].strip() and not data.get("template") and not data["attachments"]:
            raise serializers.ValidationError({"text": ["Write a text, choose a template or attach a file."]})
        return data


class TemplateSerializer(serializers.Serializer):
    name = serializers.CharField()
    language = serializers.CharField()
    variables = serializers.ListField(child=serializers.CharField())
    body = serializers.CharField()


class ReplyWindowSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["none", "open", "human_agent", "closed"])
    hours = serializers.IntegerField(allow_null=True)
    last_inbound_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    human_agent_until = serializers.DateTimeField(allow_null=True)


class ReplyChannelSerializer(serializers.Serializer):
    """Where a reply to a conversation can go now, and why not when it cannot."""

    channel = serializers.DictField()
    can_reply = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    window = ReplyWindowSerializer(allow_null=True)
    templates = TemplateSerializer(many=True)


class MergeSerializer(serializers.Serializer):
    source = serializers.IntegerField(help_text="The customer merged into this one.")


class CustomerMergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerMerge
        fields = ["id", "source", "target", "merged_by", "merged_at", "identity_ids", "message_ids", "undone_at",
                  "undone_by"]


class CsatLinkSerializer(serializers.Serializer):
    channel = serializers.PrimaryKeyRelatedField(queryset=Channel.objects.all(), required=False, allow_null=True)
