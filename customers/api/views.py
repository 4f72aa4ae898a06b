"""Thin REST views of the customer layer: check, call an action, serialise."""
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import AdminWritesOthersRead, IsAdmin
from conversations import attribute_rules
from conversations.actions.errors import ActionError
from conversations.models import Customer
from conversations.visibility import visible_conversations

from .. import export
from ..actions import attributes, events, privacy
from ..models import AttributeDefinition, CustomerEvent, CustomerEventCounter, Journey, Order, OrderItem
from ..validation import MAX_BATCH, EventRefused
from . import serializers


def _refused(exc):
    return ValidationError({exc.field or "detail": [exc.message]})


def visible_customers(user):
    return Customer.objects.filter(pk__in=visible_conversations(user).values("customer_id"))


def visible_customer(request, pk):
    return get_object_or_404(visible_customers(request.user), pk=pk)


class EventsView(APIView):
    """POST one event, a list of events or {"events": [...]} (at most 100); idempotent on event_id.

    Every event is checked before any is stored: one bad event refuses the batch (400, per-index errors).
    """

    permission_classes = [IsAdmin]

    @extend_schema(request=serializers.EventBatchSerializer, responses={200: serializers.EventResultsSerializer})
    def post(self, request):
        payload = request.data
        items = payload.get("events") if isinstance(payload, dict) and "events" in payload else payload
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list) or not items:
            raise ValidationError({"events": ["Send an event, a list of events or {\"events\": [...]}."]})
        if len(items) > MAX_BATCH:
            raise ValidationError({"events": [f"At most {MAX_BATCH} events per request."]})
        try:
            results = events.record(items)
        except EventRefused as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        answer = [{"event_id": r.event_id, "id": r.id, "customer": r.customer, "created": r.created} for r in results]
        created = any(result.created for result in results)
        return Response({"results": answer}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AttributeDefinitionList(generics.ListCreateAPIView):
    serializer_class = serializers.AttributeDefinitionSerializer
    permission_classes = [AdminWritesOthersRead]
    queryset = AttributeDefinition.objects.all()
    pagination_class = None

    def create(self, request, *args, **kwargs):
        data = serializers.AttributeDefinitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            definition = attributes.define_attribute(**data.validated_data)
        except ActionError as exc:
            raise _refused(exc) from exc
        return Response(self.get_serializer(definition).data, status=status.HTTP_201_CREATED)


class AttributeDefinitionDetail(APIView):
    permission_classes = [AdminWritesOthersRead]

    @extend_schema(responses=serializers.AttributeDefinitionSerializer)
    def get(self, request, key):
        return Response(serializers.AttributeDefinitionSerializer(get_object_or_404(AttributeDefinition, key=key)).data)

    @extend_schema(request=serializers.AttributeDefinitionUpdateSerializer,
                   responses=serializers.AttributeDefinitionSerializer,
                   operation_id="customers_attribute_definition_update")
    def patch(self, request, key):
        definition = get_object_or_404(AttributeDefinition, key=key)
        data = serializers.AttributeDefinitionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            definition = attributes.update_definition(definition, **data.validated_data)
        except ActionError as exc:
            raise _refused(exc) from exc
        return Response(serializers.AttributeDefinitionSerializer(definition).data)

    @extend_schema(responses={204: None}, description="Unregister the attribute: customers' values stay, free-form.")
    def delete(self, request, key):
        attributes.delete_definition(get_object_or_404(AttributeDefinition, key=key))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CustomerAttributesView(APIView):
    @extend_schema(request=serializers.AttributesSerializer, responses=serializers.AttributesSerializer,
                   description="Set some attributes (null removes one); a value of the wrong type is a 422, "
                               "nothing stored.")
    def patch(self, request, pk):
        customer = visible_customer(request, pk)
        data = serializers.AttributesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            customer = attributes.set_attributes(customer, data.validated_data["attributes"], attribute_rules.API)
        except ActionError as exc:
            return Response({exc.field or "detail": [exc.message]}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        return Response({"attributes": customer.attributes})


class CustomerProfileView(APIView):
    @extend_schema(responses=serializers.ProfileSerializer)
    def get(self, request, pk):
        customer = visible_customer(request, pk)
        journey = Journey.objects.select_related("customer").filter(customer=customer).first()
        counters = CustomerEventCounter.objects.filter(customer=customer).order_by("name")
        return Response(serializers.ProfileSerializer(
            {"journey": journey, "counters": counters, "attributes": customer.attributes}).data)


class CustomerEventList(generics.ListAPIView):
    serializer_class = serializers.CustomerEventSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema's pass
            return CustomerEvent.objects.none()
        customer = visible_customer(self.request, self.kwargs["pk"])
        return CustomerEvent.objects.filter(customer=customer).order_by("-occurred_at", "-id")


class CustomerOrderList(generics.ListAPIView):
    serializer_class = serializers.OrderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        customer = visible_customer(self.request, self.kwargs["pk"])
        return (Order.objects.filter(customer=customer).prefetch_related(Prefetch("items", OrderItem.objects.all()))
                .order_by("-placed_at", "-id"))


class JourneyList(generics.ListAPIView):
    """Customers the caller may see, by journey: ?stage=at_risk&profile_class=participant&rfm=555."""

    serializer_class = serializers.JourneySerializer

    @extend_schema(parameters=[
        OpenApiParameter("stage", enum=Journey.Stage.values), OpenApiParameter("profile_class", str),
        OpenApiParameter("rfm", str, description="Three digits, recency frequency money, e.g. 555."),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        visible = visible_customers(self.request.user)
        queryset = Journey.objects.filter(customer__in=visible, customer__merged_into=None).select_related("customer")
        params = self.request.query_params
        stage = params.get("stage")
        if stage is not None:
            if stage not in Journey.Stage.values:
                raise ValidationError({"stage": [f"One of {', '.join(Journey.Stage.values)}."]})
            queryset = queryset.filter(stage=stage)
        profile_class = params.get("profile_class")
        if profile_class is not None:
            if profile_class not in Journey.ProfileClass.values:
                raise ValidationError({"profile_class": ["observer, participant or influencer."]})
            queryset = queryset.filter(profile_class=profile_class)
        rfm = params.get("rfm")
        if rfm is not None:
            if len(rfm) != 3 or not all(c in "12345" for c in rfm):
                raise ValidationError({"rfm": ["Three digits from 1 to 5."]})
            queryset = queryset.filter(rfm_recency=int(rfm[0]), rfm_frequency=int(rfm[1]), rfm_monetary=int(rfm[2]))
        return queryset.order_by("-stage_since", "customer_id")


class CustomerExportView(APIView):
    """Everything stored about a customer (LGPD art. 18), as JSON (export/json/) or CSV (export/csv/)."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={200: dict})
    def get(self, request, pk, kind):
        customer = visible_customer(request, pk)
        data = export.collect(customer)
        if kind == "csv":
            response = HttpResponse(export.as_csv(data), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(export.as_json(data), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.{kind}"'
        return response


class CustomerEraseView(APIView):
    """Erase a customer: identities, messages, attachments, events deleted, orders anonymised; audited."""

    permission_classes = [IsAdmin]

    @extend_schema(request=None, responses={200: dict})
    def post(self, request, pk):
        customer = visible_customer(request, pk)
        record = privacy.erase_customer(customer, request.user)
        return Response({"erasure": record.pk, "erased_at": record.erased_at, "removed": record.removed})
