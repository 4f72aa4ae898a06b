"""Shopify: order webhooks carry the whole order, signed with a base64 HMAC-SHA256 of the body.

Set-up: docs/stores/shopify.md. Dedupe on X-Shopify-Webhook-Id (Shopify retries for hours).
"""
import base64
import hashlib
import hmac

from .base import Delivery, PayloadError, SignatureError, StoreConnector, StoreOrder
from .parsing import json_object, lines, moment, money, text

ORDER_TOPICS = {"orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled"}
PAID = {"paid", "partially_paid", "partially_refunded"}


def shopify_signature(secret, body):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _status(order):
    if order.get("cancelled_at"):
        return "cancelled"
    financial = order.get("financial_status")
    if financial == "refunded":
        return "refunded"
    if financial == "voided":
        return "cancelled"
    return "paid" if financial in PAID else "placed"


class ShopifyConnector(StoreConnector):
    kind = "shopify"
    label = "Shopify"
    required_config = ("shop_domain", "webhook_secret")
    secret_config = frozenset({"webhook_secret"})

    @classmethod
    def check_store_config(cls, config, errors):
        if not config["shop_domain"].endswith(".myshopify.com"):
            errors["shop_domain"] = "the shop's myshopify.com domain, e.g. my-shop.myshopify.com"

    def verify(self, request):
        given = request.header("X-Shopify-Hmac-Sha256")
        expected = shopify_signature(self.config["webhook_secret"], request.body)
        if not given or not hmac.compare_digest(expected.encode(), given.encode()):
            raise SignatureError("X-Shopify-Hmac-Sha256 does not match the body.")
        domain = request.header("X-Shopify-Shop-Domain")
        if domain and domain != self.config["shop_domain"]:
            raise SignatureError("The delivery is for another shop.")

    def identify(self, request):
        webhook_id = request.header("X-Shopify-Webhook-Id").strip()
        if not webhook_id:
            raise PayloadError("X-Shopify-Webhook-Id is missing.")
        topic = request.header("X-Shopify-Topic").strip()
        json_object(request.body)
        return Delivery(delivery_id=webhook_id[:200], topic=topic[:100], ignored=topic not in ORDER_TOPICS)

    def orders(self, delivery):
        order = json_object(bytes(delivery.body))
        if not order.get("id"):
            raise PayloadError("The order has no id.")
        buyer = order.get("customer") if isinstance(order.get("customer"), dict) else {}
        name = " ".join(filter(None, [text(buyer.get("first_name"), 100), text(buyer.get("last_name"), 100)]))
        placed_at = moment(order.get("created_at"))
        return [StoreOrder(
            external_id=text(order["id"], 120),
            number=text(order.get("name") or order.get("order_number"), 60),
            status=_status(order),
            total=money(order.get("total_price")),
            currency=text(order.get("currency"), 3).upper() or "BRL",
            placed_at=placed_at,
            changed_at=moment(order.get("cancelled_at") or order.get("updated_at"), placed_at),
            buyer_email=text(order.get("email") or buyer.get("email"), 254),
            buyer_phone=text(order.get("phone") or buyer.get("phone"), 40),
            buyer_name=name,
            lines=lines(order.get("line_items"), ("sku", "variant_id", "product_id"), "title", "price"),
        )]
