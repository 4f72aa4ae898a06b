"""VTEX: the order hook sends a thin notification; the order is fetched from the OMS API.

The hook is authenticated by a secret header we give VTEX in the hook's configuration
(VTEX signs nothing); the fetch uses the store's app key and token. Set-up: docs/stores/vtex.md.
"""
import hmac
from urllib.parse import quote

from .base import Delivery, PayloadError, SignatureError, StoreConnector, StoreOrder
from .http import get_json
from .parsing import json_object, lines, moment, money, text

DEFAULT_HEADER = "X-OmniDesk-Hook-Token"
PAID = {"payment-approved", "ready-for-handling", "start-handling", "handling", "invoice", "invoiced"}
CANCELLED = {"canceled", "cancel"}


def _status(state):
    if state in CANCELLED:
        return "cancelled"
    return "paid" if state in PAID else "placed"


class VtexConnector(StoreConnector):
    kind = "vtex"
    label = "VTEX"
    required_config = ("api_base_url", "app_key", "app_token", "hook_token")
    optional_config = ("hook_header",)
    secret_config = frozenset({"app_token", "hook_token"})

    @classmethod
    def check_store_config(cls, config, errors):
        if not config["api_base_url"].startswith(("https://", "http://127.0.0.1", "http://localhost")):
            errors["api_base_url"] = "https://<account>.vtexcommercestable.com.br"
        if len(config["hook_token"]) < 16:
            errors["hook_token"] = "at least 16 characters"

    def verify(self, request):
        given = request.header(self.config.get("hook_header") or DEFAULT_HEADER)
        if not given or not hmac.compare_digest(self.config["hook_token"].encode(), given.encode()):
            raise SignatureError("The hook's secret header is missing or wrong.")

    def identify(self, request):
        notice = json_object(request.body)
        if notice.get("hookConfig") == "ping":
            return Delivery(delivery_id="ping", topic="ping", ignored=True)
        order_id, state = text(notice.get("OrderId"), 120), text(notice.get("State"), 60)
        if not order_id or not state:
            raise PayloadError("A VTEX notification names OrderId and State.")
        # VTEX delivers at least once: the same order, state and change is the same delivery.
        key = f"{order_id}:{state}:{text(notice.get('LastChange'), 40)}"
        return Delivery(delivery_id=key[:200], topic=state)

    def orders(self, delivery):
        notice = json_object(bytes(delivery.body))
        order_id = text(notice.get("OrderId"), 120)
        base = self.config["api_base_url"].rstrip("/")
        order = get_json(f"{base}/api/oms/pvt/orders/{quote(order_id, safe='')}", {
            "X-VTEX-API-AppKey": self.config["app_key"], "X-VTEX-API-AppToken": self.config["app_token"],
            "Accept": "application/json"})
        if text(order.get("orderId"), 120) != order_id:
            raise PayloadError("The store answered with another order.")
        profile = order.get("clientProfileData") if isinstance(order.get("clientProfileData"), dict) else {}
        preferences = order.get("storePreferencesData") if isinstance(order.get("storePreferencesData"), dict) else {}
        placed_at = moment(order.get("creationDate"))
        name = " ".join(filter(None, [text(profile.get("firstName"), 100), text(profile.get("lastName"), 100)]))
        return [StoreOrder(
            external_id=order_id,
            number=text(order.get("sequence") or order_id, 60),
            status=_status(text(order.get("status"), 60)),
            # VTEX amounts are integers in cents.
            total=money(order.get("value"), cents=True),
            currency=text(preferences.get("currencyCode"), 3).upper() or "BRL",
            placed_at=placed_at,
            changed_at=moment(order.get("lastChange") or notice.get("CurrentChange"), placed_at),
            buyer_email=text(profile.get("email"), 254),
            buyer_phone=text(profile.get("phone"), 40),
            buyer_name=name,
            lines=lines(order.get("items"), ("refId", "id", "productId"), "name", "sellingPrice", cents=True),
        )]
