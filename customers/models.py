"""Customer 360: typed attributes, events and their counters, orders, the journey, erasures.

Everything a segment will filter on is a column with an index (typed attribute
values, counters, stage, order totals), not only a key inside a JSON blob.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.models import Customer


class AttributeDefinition(models.Model):
    """A typed customer attribute: its key in `Customer.attributes`, its type and who may write it."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Whole number")
        DECIMAL = "decimal", _("Decimal number")
        CURRENCY = "currency", _("Money")
        BOOLEAN = "boolean", _("Yes / no")
        DATE = "date", _("Date")
        LIST = "list", _("One of a list")

    key = models.SlugField(max_length=60, unique=True, allow_unicode=False)
    label = models.CharField(max_length=120)
    type = models.CharField(max_length=10, choices=Type.choices)
    # The choices of a list attribute.
    options = models.JSONField(default=list, blank=True)
    # ISO 4217 code of a money attribute ("BRL").
    currency = models.CharField(max_length=3, blank=True)
    writable_by_agents = models.BooleanField(default=True)
    writable_by_api = models.BooleanField(default=True)
    writable_by_widget = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["label", "key"]

    def __str__(self):
        return self.key


class AttributeValue(models.Model):
    """A typed attribute's value in a column of its type, so segments compare numbers as numbers."""

    # Indexed by the unique (customer, definition) constraint: no index of its own.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="typed_attributes", db_index=False)
    definition = models.ForeignKey(AttributeDefinition, on_delete=models.CASCADE, related_name="values")
    text_value = models.CharField(max_length=500, null=True, blank=True)
    number_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    date_value = models.DateField(null=True, blank=True)
    bool_value = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "definition"], name="attribute_value_unique")]
        indexes = [
            models.Index(fields=["definition", "text_value"], name="attribute_value_text"),
            models.Index(fields=["definition", "number_value"], name="attribute_value_number"),
            models.Index(fields=["definition", "date_value"], name="attribute_value_date"),
            models.Index(fields=["definition", "bool_value"], name="attribute_value_bool"),
        ]


class CustomerEvent(models.Model):
    """Something a customer did (or that happened to them), as an integrator, a store or the journey says."""

    # Indexed by the timeline index (customer, -occurred_at): no index of its own to write 1M times.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events", db_index=False)
    name = models.CharField(max_length=120)
    properties = models.JSONField(default=dict, blank=True)
    # When it happened (the sender's clock) and when we heard of it (ours): late events stay in place.
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    # "api", "store:<uuid>", "journey": with event_id, the key that makes every source idempotent.
    source = models.CharField(max_length=60)
    event_id = models.CharField(max_length=200)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], name="customer_event_unique_source_id")]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="customer_event_timeline"),
            models.Index(fields=["name", "occurred_at"], name="customer_event_name_time"),
        ]

    def __str__(self):
        return f"{self.name} of {self.customer_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class CustomerEventCounter(models.Model):
    """How often, first and last a customer did each named thing: the panel and segments never scan events."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="event_counters", db_index=False)
    name = models.CharField(max_length=120)
    count = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="event_counter_unique")]
        indexes = [
            models.Index(fields=["name", "count"], name="event_counter_name_count"),
            models.Index(fields=["name", "last_at"], name="event_counter_name_last"),
        ]


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    # Null once the customer is erased: the sale stays in the store's figures, the person does not.
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders",
                                 db_index=False)
    # "api" or "store:<uuid>": an order number is only unique within its store.
    store = models.CharField(max_length=60)
    external_id = models.CharField(max_length=120)
    number = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLACED)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="BRL")
    placed_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "external_id"], name="order_unique_store_external")]
        indexes = [
            models.Index(fields=["customer", "-placed_at"], name="order_customer_placed"),
            models.Index(fields=["status", "paid_at"], name="order_status_paid"),
        ]

    def __str__(self):
        return f"Order {self.number or self.external_id}"

    @property
    def counts_as_purchase(self):
        return self.status == self.Status.PAID


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(max_length=120)
    name = models.CharField(max_length=300, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sku"], name="order_item_sku")]


class ProductPair(models.Model):
    """How many paid orders hold both products: item-to-item suggestions, recomputed in the background."""

    sku = models.CharField(max_length=120)
    other_sku = models.CharField(max_length=120)
    other_name = models.CharField(max_length=300, blank=True)
    orders = models.PositiveIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sku", "other_sku"], name="product_pair_unique")]
        indexes = [models.Index(fields=["sku", "-orders"], name="product_pair_best")]


class Journey(models.Model):
    """Where the customer is: stage and profile class with the evidence that put them there, totals, RFM."""

    class Stage(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        LEAD = "lead", _("Lead")
        PROSPECT = "prospect", _("Prospect")
        CUSTOMER = "customer", _("Customer")
        REPEAT = "repeat", _("Repeat customer")
        AT_RISK = "at_risk", _("At risk")
        LOST = "lost", _("Lost")

    class ProfileClass(models.TextChoices):
        NONE = "", _("Not known yet")
        OBSERVER = "observer", _("Observer")
        PARTICIPANT = "participant", _("Participant")
        INFLUENCER = "influencer", _("Influencer")

    customer = models.OneToOneField(Customer, primary_key=True, on_delete=models.CASCADE, related_name="journey")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.VISITOR)
    stage_since = models.DateTimeField(default=timezone.now)
    stage_evidence = models.JSONField(default=dict, blank=True)
    profile_class = models.CharField(max_length=12, choices=ProfileClass.choices, default=ProfileClass.NONE,
                                     blank=True)
    profile_evidence = models.JSONField(default=dict, blank=True)
    paid_orders = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    # Quintiles (1 low .. 5 high) over the paid orders of the last 24 months; null without one.
    rfm_recency = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_frequency = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_monetary = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_computed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["stage", "stage_since"], name="journey_stage"),
            models.Index(fields=["profile_class"], name="journey_profile_class"),
            models.Index(fields=["last_order_at"], name="journey_last_order"),
            models.Index(fields=["rfm_recency", "rfm_frequency", "rfm_monetary"], name="journey_rfm"),
        ]

    @property
    def rfm(self):
        if self.rfm_recency is None:
            return ""
        return f"{self.rfm_recency}{self.rfm_frequency}{self.rfm_monetary}"


class Erasure(models.Model):
    """The audit record of an erased customer: who and when, and how much was removed; nothing personal."""

    customer_ref = models.PositiveBigIntegerField(help_text="The id the erased customer had.")
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)
    removed = models.JSONField(default=dict)

    class Meta:
        ordering = ["-erased_at", "-id"]
