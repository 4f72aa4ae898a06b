from rest_framework import serializers

from ..models import AttributeDefinition, CustomerEvent, CustomerEventCounter, Journey, Order, OrderItem
from ..validation import MAX_BATCH


class AttributeDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributeDefinition
        fields = ["id", "key", "label", "type", "options", "currency", "writable_by_agents", "writable_by_api",
                  "writable_by_widget", "created_at"]
        read_only_fields = ["id", "created_at"]


class AttributeDefinitionUpdateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=120, required=False)
    options = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=100)
    writable_by_agents = serializers.BooleanField(required=False)
    writable_by_api = serializers.BooleanField(required=False)
    writable_by_widget = serializers.BooleanField(required=False)


class AttributesSerializer(serializers.Serializer):
    attributes = serializers.DictField(help_text="Keys to set; null removes a key. Typed keys are checked.")


class EventInputSerializer(serializers.Serializer):
    """Documentation of one event; the checks themselves are customers/validation.py (one place)."""

    customer = serializers.DictField(help_text='{"id": 12} or {"identity": {"kind": "email", "address": "..."}}')
    name = serializers.CharField(help_text="Product Viewed, Cart Updated, Checkout Started, Order Placed, Order Paid, "
                                           "Order Cancelled, Order Refunded, Review Written, Referral Made, or any "
                                           "other name.")
    properties = serializers.DictField(required=False)
    occurred_at = serializers.DateTimeField(required=False, help_text="When it happened (default: now).")
    event_id = serializers.CharField(help_text="Your id of the event: sending it again changes nothing.")


class EventBatchSerializer(serializers.Serializer):
    events = EventInputSerializer(many=True, help_text=f"At most {MAX_BATCH} events.")


class EventResultSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    id = serializers.IntegerField()
    customer = serializers.IntegerField()
    created = serializers.BooleanField(help_text="False when this event_id was already stored.")


class EventResultsSerializer(serializers.Serializer):
    results = EventResultSerializer(many=True)


class CustomerEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerEvent
        fields = ["id", "name", "properties", "occurred_at", "received_at", "source", "event_id"]


class CounterSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomerEventCounter
        fields = ["name", "count", "first_at", "last_at"]


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["sku", "name", "quantity", "price"]


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "store", "external_id", "number", "status", "total", "currency", "placed_at", "paid_at",
                  "cancelled_at", "refunded_at", "items"]


class JourneySerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="customer_id")
    name = serializers.CharField(source="customer.name")
    rfm = serializers.CharField()

    class Meta:
        model = Journey
        fields = ["customer", "name", "stage", "stage_since", "stage_evidence", "profile_class", "profile_evidence",
                  "paid_orders", "revenue", "first_order_at", "last_order_at", "rfm", "rfm_recency",
                  "rfm_frequency", "rfm_monetary", "rfm_computed_at"]


class ProfileSerializer(serializers.Serializer):
    journey = JourneySerializer(allow_null=True)
    counters = CounterSerializer(many=True)
    attributes = serializers.DictField()
