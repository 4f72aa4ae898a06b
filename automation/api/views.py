"""Thin REST views for outgoing webhooks (admins only): validate, call the action, serialise."""
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from api.permissions import IsAdmin
from conversations.actions.errors import ActionError
from conversations.visibility import visible_conversations

from ..actions import macros, rules, webhooks
from ..models import AutomationRule, Macro, RuleEvaluation, WebhookAttempt, WebhookDelivery, WebhookSubscription
from . import serializers


def _refused(exc):
    return ValidationError({exc.field or "detail": [exc.message]})


class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    queryset = WebhookSubscription.objects.all()
    serializer_class = serializers.WebhookSubscriptionSerializer
    permission_classes = [IsAdmin]

    @extend_schema(responses={201: serializers.CreatedWebhookSubscriptionSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            subscription, secret = webhooks.create_subscription(request.user, data["name"], data["url"], data["events"])
        except ActionError as exc:
            raise _refused(exc) from exc
        answer = serializers.CreatedWebhookSubscriptionSerializer(subscription).data
        return Response({**answer, "secret": secret}, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = serializer.validated_data
        try:
            webhooks.update_subscription(
                self.request.user, serializer.instance, name=data.get("name"), url=data.get("url"),
                events=data.get("events"), active=data.get("active"),
            )
        except ActionError as exc:
            raise _refused(exc) from exc

    def perform_destroy(self, instance):
        webhooks.delete_subscription(self.request.user, instance)

    @extend_schema(responses=serializers.WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        deliveries = _with_attempts(self.get_object().deliveries.all())
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(serializers.WebhookDeliverySerializer(page, many=True).data)


def _with_attempts(queryset):
    return queryset.prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))


class WebhookDeliveryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = _with_attempts(WebhookDelivery.objects.all())
    serializer_class = serializers.WebhookDeliverySerializer
    permission_classes = [IsAdmin]

    @extend_schema(request=None, responses={202: serializers.WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        try:
            replay = webhooks.replay_delivery(request.user, self.get_object())
        except ActionError as exc:
            raise _refused(exc) from exc
        return Response(self.get_serializer(replay).data, status=status.HTTP_202_ACCEPTED)


class AutomationRuleViewSet(viewsets.ModelViewSet):
    queryset = AutomationRule.objects.select_related("team")
    serializer_class = serializers.AutomationRuleSerializer
    permission_classes = [IsAdmin]

    def _save(self, serializer, rule=None):
        data = serializer.validated_data
        current = rule or AutomationRule()
        try:
            serializer.instance = rules.save_rule(
                self.request.user, data.get("name", current.name), data.get("event", current.event),
                data.get("conditions", current.conditions), data.get("actions", current.actions),
                team=data.get("team", current.team if rule else None),
                stop_processing=data.get("stop_processing", current.stop_processing),
                active=data.get("active", current.active if rule else True),
                position=data.get("position"), rule=rule,
                delay_minutes=data.get("delay_minutes", current.delay_minutes if rule else None),
                delay_in_business_minutes=data.get("delay_in_business_minutes",
                                                   current.delay_in_business_minutes if rule else False),
            )
        except ActionError as exc:
            raise _refused(exc) from exc

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        rules.delete_rule(self.request.user, instance)

    @extend_schema(request=None, responses=serializers.DryRunResultSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="dry-run")
    def dry_run(self, request, pk=None):
        return Response(serializers.DryRunResultSerializer(rules.dry_run(request.user, self.get_object()),
                                                           many=True).data)

    @extend_schema(responses=serializers.RuleEvaluationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def evaluations(self, request, pk=None):
        page = self.paginate_queryset(self.get_object().evaluations.all())
        return self.get_paginated_response(serializers.RuleEvaluationSerializer(page, many=True).data)


class RuleEvaluationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """"Why did this happen?": the rule evaluations of the conversations the agent may see."""

    serializer_class = serializers.RuleEvaluationSerializer

    @extend_schema(parameters=[OpenApiParameter("conversation", int, required=True)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RuleEvaluation.objects.none()
        conversation_id = self.request.query_params.get("conversation", "")
        if not conversation_id.isdigit():
            raise ValidationError({"conversation": ["Give the conversation id."]})
        conversation = get_object_or_404(visible_conversations(self.request.user), pk=int(conversation_id))
        return RuleEvaluation.objects.filter(conversation=conversation)


class MacroViewSet(viewsets.ModelViewSet):
    """Macros the agent may run (their own, their teams', everyone's); preview and run on conversations."""

    serializer_class = serializers.MacroSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Macro.objects.none()
        return macros.available_to(self.request.user)

    def _save(self, serializer, macro=None):
        data = serializer.validated_data
        try:
            serializer.instance = macros.save_macro(
                self.request.user, data.get("name", macro.name if macro else ""),
                data.get("actions", macro.actions if macro else []),
                data.get("scope", macro.scope if macro else "personal"),
                data.get("team", macro.team if macro else None), macro=macro,
            )
        except ActionError as exc:
            raise _refused(exc) from exc

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        try:
            macros.delete_macro(self.request.user, instance)
        except ActionError as exc:
            raise PermissionDenied(exc.message) from exc

    def _targets(self, request):
        targets = serializers.MacroTargetsSerializer(data=request.data)
        targets.is_valid(raise_exception=True)
        return targets.validated_data["conversations"]

    @extend_schema(request=serializers.MacroTargetsSerializer, responses=serializers.MacroPreviewSerializer(many=True))
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        preview = macros.preview(request.user, self.get_object(), self._targets(request))
        return Response(serializers.MacroPreviewSerializer(preview, many=True).data)

    @extend_schema(request=serializers.MacroTargetsSerializer, responses=serializers.MacroResultSerializer(many=True))
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        try:
            results = macros.run(request.user, self.get_object(), self._targets(request))
        except ActionError as exc:
            raise _refused(exc) from exc
        return Response(serializers.MacroResultSerializer(results, many=True).data)
