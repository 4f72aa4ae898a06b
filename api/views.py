"""Thin REST views: validate input, check visibility, call an action, serialise the answer."""
from dataclasses import asdict

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from channels_adapters import setup as channel_setup
from conversations.actions import assignment, csat, directory, merge, replies
from conversations.actions.errors import ActionError
from conversations.models import Channel, Conversation, Customer, CustomerMerge, Identity, Message, Team
from conversations.visibility import visible_conversations
from routing import summary as routing_summary

from . import serializers
from .filters import ConversationFilter
from .permissions import AdminWritesOthersRead, IsAdmin


def action_error(exc):
    return ValidationError({exc.field or "detail": [exc.message]})


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = Team.objects.all()
    serializer_class = serializers.TeamSerializer
    permission_classes = [AdminWritesOthersRead]

    def perform_create(self, serializer):
        try:
            serializer.instance = directory.create_team(serializer.validated_data["name"])
        except ActionError as exc:
            raise action_error(exc) from exc


class AgentViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = serializers.AgentSerializer
    permission_classes = [IsAdmin]

    def get_queryset(self):
        return get_user_model().objects.select_related("agent").prefetch_related("agent__teams").order_by("username")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = directory.create_agent(
                username=data["username"], password=data["password"], email=data["email"], name=data["name"],
                role=data["role"], teams=data["teams"],
            )
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(self.get_serializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.AgentUpdateSerializer, responses=serializers.AgentSerializer)
    def partial_update(self, request, pk=None):
        user = self.get_object()
        update = serializers.AgentUpdateSerializer(data=request.data, partial=True)
        update.is_valid(raise_exception=True)
        try:
            user = directory.update_agent(user, **update.validated_data)
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(self.get_serializer(user).data)


class ChannelViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = serializers.ChannelSerializer
    permission_classes = [AdminWritesOthersRead]
    queryset = Channel.objects.select_related("team").order_by("name")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            channel = channel_setup.create_channel(data["kind"], data["name"], data["config"], team=data.get("team"))
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(self.get_serializer(channel).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ChannelUpdateSerializer, responses=serializers.ChannelSerializer)
    def partial_update(self, request, pk=None):
        channel = self.get_object()
        update = serializers.ChannelUpdateSerializer(data=request.data, partial=True)
        update.is_valid(raise_exception=True)
        data = dict(update.validated_data)
        if "team" not in data:
            data["team"] = ...
        try:
            channel = channel_setup.update_channel(channel, **data)
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(self.get_serializer(channel).data)

    @extend_schema(responses=serializers.ChannelSerializer, description="Deactivate: webhooks then answer 410.")
    def destroy(self, request, pk=None):
        channel = channel_setup.update_channel(self.get_object(), active=False)
        return Response(self.get_serializer(channel).data)


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.CustomerSerializer

    def get_queryset(self):
        visible = visible_conversations(self.request.user).values("customer_id")
        queryset = (
            Customer.objects.filter(pk__in=visible)
            .select_related("conversation")
            .prefetch_related("identities")
            .order_by("-last_seen_at", "-id")
        )
        search = (self.request.query_params.get("search") or "").strip()
        if search:
            matching_identities = Identity.objects.filter(address__icontains=search.lower()).values("customer_id")
            queryset = queryset.filter(Q(name__icontains=search) | Q(pk__in=matching_identities))
        return queryset


    @extend_schema(responses=serializers.CustomerSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="merge-suggestions")
    def merge_suggestions(self, request, pk=None):
        """Other customers sharing an email address or phone number with this one."""
        visible = self.get_queryset()
        suggestions = [c for c in merge.merge_suggestions(self.get_object()) if visible.filter(pk=c.pk).exists()]
        return Response(self.get_serializer(suggestions, many=True).data)

    @extend_schema(request=serializers.MergeSerializer, responses={201: serializers.CustomerMergeSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge the customer `source` into this one (its identities and messages move here); undoable."""
        target = self.get_object()
        data = serializers.MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        source = get_object_or_404(self.get_queryset(), pk=data.validated_data["source"])
        try:
            record = merge.merge_customers(source, target, request.user)
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(serializers.CustomerMergeSerializer(record).data, status=status.HTTP_201_CREATED)


class CustomerMergeViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The record of merges between customers the caller may see; POST undo/ reverses one."""

    serializer_class = serializers.CustomerMergeSerializer

    def get_queryset(self):
        visible = visible_conversations(self.request.user).values("customer_id")
        return CustomerMerge.objects.filter(target__in=visible).order_by("-merged_at", "-id")

    @extend_schema(request=None, responses=serializers.CustomerMergeSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        record = self.get_object()
        try:
            record = merge.undo_merge(record, request.user)
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(self.get_serializer(record).data)


class ConversationViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = serializers.ConversationSerializer
    filterset_class = ConversationFilter

    def get_queryset(self):
        queryset = Conversation.objects.select_related("customer", "queue_entry", "sentiment").prefetch_related(
            "labels", routing_summary.active_clocks_prefetch())
        # No DISTINCT: every filter matches a conversation at most once (a label name is unique),
        # and DISTINCT over every column made PostgreSQL sort all visible conversations twice per page.
        return visible_conversations(self.request.user, queryset).order_by("-last_message_at", "-id")

    @extend_schema(request=serializers.ConversationUpdateSerializer, responses=serializers.ConversationSerializer)
    def partial_update(self, request, pk=None):
        conversation = self.get_object()
        update = serializers.ConversationUpdateSerializer(data=request.data, partial=True)
        update.is_valid(raise_exception=True)
        try:
            conversation = assignment.update_conversation(conversation, request.user, **update.validated_data)
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=conversation.pk)).data)

    @extend_schema(responses=serializers.MessageSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="messages")
    def messages(self, request, pk=None):
        conversation = self.get_object()
        queryset = (
            Message.objects.filter(conversation=conversation)
            .select_related("channel", "identity__customer", "conversation")
            .prefetch_related(Prefetch("attachments"))
            .order_by("created_at", "id")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializers.MessageSerializer(page, many=True).data)

    @extend_schema(request=serializers.MessageCreateSerializer, responses={201: serializers.MessageSerializer})
    @messages.mapping.post
    def post_message(self, request, pk=None):
        conversation = self.get_object()
        create = serializers.MessageCreateSerializer(data=request.data)
        create.is_valid(raise_exception=True)
        data = create.validated_data
        try:
            if data["private"]:
                message = replies.add_note(conversation, request.user, data["text"])
            else:
                message = replies.send_reply(conversation, request.user, data["text"], channel=data.get("channel"),
                                             template=data.get("template"), attachments=data["attachments"],
                                             cc=data.get("cc"))
        except ActionError as exc:
            raise action_error(exc) from exc
        message = Message.objects.select_related("channel", "identity__customer", "conversation").prefetch_related(
            "attachments").get(pk=message.pk)
        return Response(serializers.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.CsatLinkSerializer, responses={201: serializers.MessageSerializer},
                   description="Send the rating link of the last resolved cycle on a channel (default: the last one).")
    @action(detail=True, methods=["post"], url_path="csat-link")
    def csat_link(self, request, pk=None):
        conversation = self.get_object()
        data = serializers.CsatLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            message = csat.send_csat_link(conversation, request.user, channel=data.validated_data.get("channel"))
        except ActionError as exc:
            raise action_error(exc) from exc
        message = Message.objects.select_related("channel", "identity__customer", "conversation").get(pk=message.pk)
        return Response(serializers.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.ReplyChannelSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="reply-channels", pagination_class=None)
    def reply_channels(self, request, pk=None):
        """The channels the caller may answer on that could reach the customer: whether a reply can go out
        now, why not, its window and templates."""
        conversation = self.get_object()
        answer = []
        for options in replies.reply_choices(request.user, conversation):
            channel, window = options.channel, options.window
            answer.append({
                "channel": {"id": str(channel.pk), "kind": channel.kind, "name": channel.name},
                "can_reply": not options.reason,
                "reason": options.reason,
                "window": None if window is None or window.state == window.NONE else asdict(window),
                "templates": [asdict(template) for template in replies.channel_templates(channel)],
            })
        return Response(serializers.ReplyChannelSerializer(answer, many=True).data)


class MessageViewSet(viewsets.GenericViewSet, mixins.RetrieveModelMixin):
    serializer_class = serializers.MessageSerializer

    def get_queryset(self):
        visible = visible_conversations(self.request.user).values("pk")
        return Message.objects.filter(conversation_id__in=visible).select_related(
            "channel", "identity__customer", "conversation")

    @extend_schema(request=None, responses=serializers.MessageSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        message = self.get_object()
        try:
            replies.retry_delivery(message.pk)
        except ActionError as exc:
            raise action_error(exc) from exc
        return Response(self.get_serializer(get_object_or_404(self.get_queryset(), pk=message.pk)).data)
