"""Thin REST views for outgoing webhooks (admins only): validate, call the action, serialise."""
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.permissions import IsAdmin
from conversations.actions.errors import ActionError

from ..actions import webhooks
from ..models import WebhookAttempt, WebhookDelivery, WebhookSubscription
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
