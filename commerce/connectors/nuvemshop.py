"""Nuvemshop / Tiendanube: a thin webhook {store_id, event, id}, signed with a hex HMAC-SHA256 of the body
under the app's secret; the order is fetched with the store's access token. Set-up: docs/stores/nuvemshop.md.
"""
from channels_adapters.base import hmac_sha256_hex, signature_matches

from .base import Delivery, PayloadError, SignatureError, StoreConnector, StoreOrder
from .http import get_json
from .parsing import json_object, lines, moment, money, text

ORDER_EVENTS = {"order/created", "order/updated", "order/paid", "order/packed", "order/fulfilled",
                "order/cancelled", "order/edited", "order/voided"}
USER_AGENT = "OmniDesk (https://github.com/omnidesk)"


def _status(order):
    if order.get("status") == "cancelled" or order.get("payment_status") == "voided":
        return "cancelled"
    if order.get("payment_status") == "refunded":
        return "refunded"
    return "paid" if order.get("payment_status") == "paid" else "placed"


class NuvemshopConnector(StoreConnector):
    kind = "nuvemshop"
    label = "Nuvemshop / Tiendanube"
    required_config = ("api_base_url", "store_id", "access_token", "app_secret")
    secret_config = frozenset({"access_token", "app_secret"})

    @classmethod
    def check_store_config(cls, config, errors):
        if not config["store_id"].isdigit():
            errors["store_id"] = "the store's number"
        if not config["api_base_url"].startswith(("https://", "http://127.0.0.1", "http://localhost")):
            errors["api_base_url"] = "https://api.nuvemshop.com.br/v1 (or api.tiendanube.com/v1)"

    def verify(self, request):
        given = request.header("X-Linkedstore-HMAC-SHA256")
        if not signature_matches(hmac_sha256_hex(self.config["app_secret"], request.body), given):
            raise SignatureError("X-Linkedstore-HMAC-SHA256 does not match the body.")

    def identify(self, request):
        notice = json_object(request.body)
        if str(notice.get("store_id")) != self.config["store_id"]:
            raise SignatureError("The delivery is for another store.")
        event, order_id = text(notice.get("event"), 60), text(notice.get("id"), 60)
        if not event or not order_id.isdigit():
            raise PayloadError("A Nuvemshop notification names event and id.")
        return Delivery(delivery_id=f"{order_id}:{event}", topic=event, ignored=event not in ORDER_EVENTS)

    def orders(self, delivery):
        notice = json_object(bytes(delivery.body))
        order_id = text(notice.get("id"), 60)
        base = self.config["api_base_url"].rstrip("/")
        order = get_json(f"{base}/{self.config['store_id']}/orders/{order_id}", {
            # Nuvemshop's own header name (not Authorization), and a User-Agent naming the app.
            "Authentication": f"bearer {self.config['access_token']}", "User-Agent": USER_AGENT})
        if text(order.get("id"), 60) != order_id:
            raise PayloadError("The store answered with another order.")
        buyer = order.get("customer") if isinstance(order.get("customer"), dict) else {}
        placed_at = moment(order.get("created_at"))
        return [StoreOrder(
            external_id=order_id,
            number=text(order.get("number") or order_id, 60),
            status=_status(order),
            total=money(order.get("total")),
            currency=text(order.get("currency"), 3).upper() or "BRL",
            placed_at=placed_at,
            changed_at=moment(order.get("cancelled_at") or order.get("paid_at") or order.get("updated_at"),
                              placed_at),
            buyer_email=text(order.get("contact_email") or buyer.get("email"), 254),
            buyer_phone=text(order.get("contact_phone") or buyer.get("phone"), 40),
            buyer_name=text(order.get("contact_name") or buyer.get("name"), 200),
            lines=lines(order.get("products"), ("sku", "variant_id", "product_id"), "name", "price"),
        )]
