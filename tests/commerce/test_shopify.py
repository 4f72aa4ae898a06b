"""Shopify order webhooks: base64 HMAC, dedupe on the webhook id, the full order becomes order events."""
from decimal import Decimal

import pytest

from commerce.models import StoreDelivery
from conversations.models import Customer
from customers.models import CustomerEvent, Journey, Order

from .conftest import fixture, fixture_json, shopify_headers

pytestmark = pytest.mark.django_db


def test_an_order_webhook_becomes_a_paid_order_of_the_buyer(shopify_store, post_webhook):
    body = fixture("shopify_orders_create.json")
    answer = post_webhook(shopify_store, body, shopify_headers(body))
    assert answer.status_code == 200
    order = Order.objects.get()
    assert (order.store, order.external_id, order.number, order.status, order.total, order.currency) == (
        shopify_store.source, "5604356112621", "#1042", "paid", Decimal("259.80"), "BRL")
    assert [(i.sku, i.quantity, i.price) for i in order.items.all()] == [
        ("CAN-AZ-300", 2, Decimal("59.90")), ("CHA-MATE-100", 1, Decimal("120.00"))]
    customer = Customer.objects.get()
    assert customer.name == "Maria Souza"
    assert customer.identities.get().address == "maria.souza@example.com"
    assert set(CustomerEvent.objects.filter(source=shopify_store.source).values_list("name", flat=True)) == {
        "Order Placed", "Order Paid"}
    assert Journey.objects.get(customer=customer).stage == "customer"
    assert StoreDelivery.objects.get().state == "processed"


def test_a_redelivery_with_the_same_webhook_id_changes_nothing(shopify_store, post_webhook):
    body = fixture("shopify_orders_create.json")
    post_webhook(shopify_store, body, shopify_headers(body))
    again = post_webhook(shopify_store, body, shopify_headers(body))
    assert again.status_code == 200 and again.json()["detail"] == "Already received."
    assert StoreDelivery.objects.count() == 1
    # orders/paid for the same order (another webhook id) adds no second "Order Paid".
    paid = post_webhook(shopify_store, body, shopify_headers(body, webhook_id="another-id", topic="orders/paid"))
    assert paid.status_code == 200
    assert CustomerEvent.objects.filter(name="Order Paid").count() == 1 and Order.objects.count() == 1


def test_a_cancellation_moves_the_order_forward(shopify_store, post_webhook):
    body = fixture("shopify_orders_create.json")
    post_webhook(shopify_store, body, shopify_headers(body))
    cancelled = fixture_json("shopify_orders_create.json")
    cancelled.update(cancelled_at="2026-11-21T09:00:00-03:00", financial_status="refunded")
    import json

    body = json.dumps(cancelled).encode()
    post_webhook(shopify_store, body, shopify_headers(body, webhook_id="cancel-1", topic="orders/cancelled"))
    assert Order.objects.get().status == "cancelled"
    assert Journey.objects.get().paid_orders == 0


@pytest.mark.parametrize("headers", [
    lambda body: shopify_headers(body, secret="the-wrong-secret"),
    lambda body: {k: v for k, v in shopify_headers(body).items() if k != "X-Shopify-Hmac-Sha256"},
    lambda body: {**shopify_headers(body), "X-Shopify-Shop-Domain": "someone-else.myshopify.com"},
    lambda body: shopify_headers(body + b" "),  # signed another body
])
def test_a_forged_signature_is_refused_and_nothing_is_stored(shopify_store, post_webhook, headers):
    body = fixture("shopify_orders_create.json")
    answer = post_webhook(shopify_store, body, headers(body))
    assert answer.status_code == 403
    assert not StoreDelivery.objects.exists() and not Order.objects.exists() and not Customer.objects.exists()


def test_missing_webhook_id_is_a_400_and_other_topics_are_acknowledged(shopify_store, post_webhook):
    body = fixture("shopify_orders_create.json")
    headers = {k: v for k, v in shopify_headers(body).items() if k != "X-Shopify-Webhook-Id"}
    assert post_webhook(shopify_store, body, headers).status_code == 400
    ignored = post_webhook(shopify_store, body, shopify_headers(body, topic="products/update"))
    assert ignored.status_code == 200 and not StoreDelivery.objects.exists()


def test_an_unknown_or_disconnected_store(shopify_store, post_webhook, client):
    from commerce.actions.stores import update_store

    body = fixture("shopify_orders_create.json")
    assert client.post("/stores/00000000-0000-0000-0000-000000000000/webhook/", data=body,
                       content_type="application/json").status_code == 404
    update_store(shopify_store, active=False)
    assert post_webhook(shopify_store, body, shopify_headers(body)).status_code == 410
