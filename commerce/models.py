"""Stores (Shopify, VTEX, Nuvemshop) connected like channels, and every webhook delivery they made."""
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.secrets import decrypt_json, encrypt_json


class Store(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=150)
    active = models.BooleanField(default=True)
    # Encrypted as a whole, like a channel's: webhook secrets and API credentials live here.
    config_encrypted = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.kind})"

    @property
    def config(self):
        return decrypt_json(self.config_encrypted)

    @config.setter
    def config(self, value):
        self.config_encrypted = encrypt_json(dict(value))

    @property
    def source(self):
        """What the store's events and orders are filed under in the customer layer."""
        return f"store:{self.pk}"


class StoreDelivery(models.Model):
    """A verified webhook body, kept before we answer: deduplicated on the store's own delivery key."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="deliveries")
    # Shopify's X-Shopify-Webhook-Id; VTEX OrderId:State:LastChange; Nuvemshop id:event.
    delivery_id = models.CharField(max_length=200)
    topic = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "delivery_id"], name="store_delivery_unique")]

    def __str__(self):
        return f"{self.topic or 'delivery'} {self.delivery_id} of {self.store_id} ({self.state})"
