"""Admins connect stores: /api/v1/stores/ (list, create), /api/v1/stores/<id>/ (read, change, disconnect)."""
from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsAdmin
from conversations.actions.errors import ActionError

from .actions import stores
from .models import Store
from .registry import CONNECTORS


class StoreSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    kind = serializers.ChoiceField(choices=sorted(CONNECTORS))
    name = serializers.CharField(max_length=150)
    active = serializers.BooleanField(read_only=True)
    config = serializers.DictField(help_text="Secrets are never shown back.")
    webhook_url = serializers.CharField(read_only=True)

    def to_representation(self, store):
        return {
            "id": str(store.pk), "kind": store.kind, "name": store.name, "active": store.active,
            "config": CONNECTORS[store.kind].public_config(store.config),
            "webhook_url": settings.PUBLIC_BASE_URL + reverse("store-webhook", args=[store.pk]),
        }


class StoreUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    config = serializers.DictField(required=False)
    active = serializers.BooleanField(required=False)


def _refused(exc):
    return ValidationError({exc.field or "detail": [exc.message]})


class StoreList(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=StoreSerializer(many=True))
    def get(self, request):
        return Response([StoreSerializer(store).data for store in Store.objects.all()])

    @extend_schema(request=StoreSerializer, responses={201: StoreSerializer})
    def post(self, request):
        data = StoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            store = stores.create_store(**data.validated_data)
        except ActionError as exc:
            raise _refused(exc) from exc
        return Response(StoreSerializer(store).data, status=status.HTTP_201_CREATED)


class StoreDetail(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=StoreSerializer)
    def get(self, request, pk):
        return Response(StoreSerializer(get_object_or_404(Store, pk=pk)).data)

    @extend_schema(request=StoreUpdateSerializer, responses=StoreSerializer)
    def patch(self, request, pk):
        data = StoreUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            store = stores.update_store(get_object_or_404(Store, pk=pk), **data.validated_data)
        except ActionError as exc:
            raise _refused(exc) from exc
        return Response(StoreSerializer(store).data)


urlpatterns = [
    path("", StoreList.as_view(), name="stores"),
    path("<uuid:pk>/", StoreDetail.as_view(), name="store"),
]
