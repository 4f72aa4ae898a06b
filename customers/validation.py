"""Checks of one incoming event (API or store), before anything is written: bad input names the field."""
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conversations.addresses import EMAIL, PHONE, InvalidAddress, normalise_address

from . import vocabulary

MAX_BATCH = 100
MAX_NAME_LENGTH = 120
MAX_EVENT_ID_LENGTH = 200
MAX_PROPERTIES = 64
MAX_PROPERTIES_BYTES = 16 * 1024
MAX_ITEMS = 200
# A sender's clock may run a little ahead of ours; further ahead is a bug, refused.
FUTURE_TOLERANCE = timedelta(minutes=10)
# Kinds a store or an integrator can prove (it holds the buyer's account): they may create a customer.
CREATING_KINDS = (EMAIL, PHONE, "external")
# Values that mean "nobody" in many analytics libraries; they never match or create anyone (PostHog's list).
PLACEHOLDER_IDS = {"", "undefined", "null", "none", "nil", "0", "-1", "anonymous", "guest", "[object object]",
                   "nan", "true", "false", "id", "not_authenticated", "email", "distinctid", "distinct_id"}
CURRENCY = re.compile(r"^[A-Z]{3}$")


class EventRefused(ValueError):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))


@dataclass(frozen=True)
class CustomerRef:
    customer_id: int | None = None
    kind: str = ""
    address: str = ""
    name: str = ""


@dataclass(frozen=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class OrderFacts:
    external_id: str
    number: str = ""
    total: Decimal | None = None
    currency: str = ""
    items: tuple = ()


@dataclass(frozen=True)
class CheckedEvent:
    customer: CustomerRef
    name: str
    properties: dict
    occurred_at: object
    event_id: str
    order: OrderFacts | None = None


def _customer(raw):
    if not isinstance(raw, dict):
        raise EventRefused({"customer": "must be {\"id\": ...} or {\"identity\": {\"kind\", \"address\"}}."})
    if ("id" in raw) == ("identity" in raw):
        raise EventRefused({"customer": "give exactly one of id and identity."})
    if "id" in raw:
        value = raw["id"]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise EventRefused({"customer.id": "must be a positive integer."})
        return CustomerRef(customer_id=value)
    identity = raw["identity"]
    if not isinstance(identity, dict):
        raise EventRefused({"customer.identity": "must be an object with kind and address."})
    kind, address = identity.get("kind"), identity.get("address")
    if not isinstance(kind, str) or not isinstance(address, str):
        raise EventRefused({"customer.identity": "kind and address must be text."})
    if address.strip().lower() in PLACEHOLDER_IDS:
        raise EventRefused({"customer.identity.address": "is a placeholder, not anybody's address."})
    try:
        address = normalise_address(kind, address)
    except InvalidAddress as exc:
        raise EventRefused({"customer.identity": str(exc)}) from None
    name = raw.get("name", "")
    if not isinstance(name, str):
        raise EventRefused({"customer.name": "must be text."})
    return CustomerRef(kind=kind, address=address, name=name.strip()[:200])


def _occurred_at(raw, now):
    if raw is None:
        return now
    try:
        moment = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:  # well formed, but no such date (month 13)
        moment = None
    if moment is None:
        raise EventRefused({"occurred_at": "must be an ISO 8601 date and time."})
    if timezone.is_naive(moment):
        raise EventRefused({"occurred_at": "needs a time zone (Z or +hh:mm)."})
    if moment > now + FUTURE_TOLERANCE:
        raise EventRefused({"occurred_at": "is in the future."})
    return moment


def _money(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise EventRefused({name: "must be a number."})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise EventRefused({name: "must be a number."}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise EventRefused({name: "must be a positive amount."})
    return amount.quantize(Decimal("0.01"))


def _text(value, name, limit, required=False):
    if value is None and not required:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise EventRefused({name: f"must be text of 1 to {limit} characters."})
    return value.strip()


def _items(raw):
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        raise EventRefused({"properties.items": f"must be a list of at most {MAX_ITEMS} items."})
    lines = []
    for index, item in enumerate(raw):
        prefix = f"properties.items[{index}]"
        if not isinstance(item, dict):
            raise EventRefused({prefix: "must be an object with sku, name, quantity and price."})
        quantity = item.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= 100_000:
            raise EventRefused({f"{prefix}.quantity": "must be a whole number above 0."})
        lines.append(OrderLine(sku=_text(item.get("sku"), f"{prefix}.sku", 120, required=True),
                               name=_text(item.get("name"), f"{prefix}.name", 300),
                               quantity=quantity, price=_money(item.get("price", 0), f"{prefix}.price")))
    return tuple(lines)


def order_facts(properties):
    """The order an order event is about; its id is required, the rest when given."""
    currency = properties.get("currency")
    if currency is not None and (not isinstance(currency, str) or not CURRENCY.match(currency.upper())):
        raise EventRefused({"properties.currency": "must be a currency code such as BRL."})
    total = properties.get("total")
    return OrderFacts(
        external_id=_text(properties.get("order_id"), "properties.order_id", 120, required=True),
        number=_text(properties.get("number"), "properties.number", 60),
        total=None if total is None else _money(total, "properties.total"),
        currency=(currency or "").upper(),
        items=_items(properties.get("items")),
    )


def _properties(raw):
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise EventRefused({"properties": "must be an object."})
    if len(raw) > MAX_PROPERTIES:
        raise EventRefused({"properties": f"at most {MAX_PROPERTIES} keys."})
    if len(json.dumps(raw)) > MAX_PROPERTIES_BYTES:
        raise EventRefused({"properties": f"at most {MAX_PROPERTIES_BYTES // 1024} KB."})
    if not all(isinstance(key, str) and 0 < len(key) <= 100 for key in raw):
        raise EventRefused({"properties": "keys are text of 1 to 100 characters."})
    return raw


def check_event(raw, now=None, trusted_name=False):
    """One event as the API receives it -> CheckedEvent, or EventRefused naming what is wrong."""
    now = now or timezone.now()
    if not isinstance(raw, dict):
        raise EventRefused({"event": "must be an object."})
    customer = _customer(raw.get("customer"))
    name = _text(raw.get("name"), "name", MAX_NAME_LENGTH, required=True)
    if name in vocabulary.RESERVED and not trusted_name:
        raise EventRefused({"name": "is written by OmniDesk itself."})
    event_id = _text(raw.get("event_id"), "event_id", MAX_EVENT_ID_LENGTH, required=True)
    properties = _properties(raw.get("properties"))
    order = order_facts(properties) if name in vocabulary.ORDER_EVENTS else None
    if name in vocabulary.PRODUCT_EVENTS and "sku" in properties:
        _text(properties.get("sku"), "properties.sku", 120, required=True)
    return CheckedEvent(customer=customer, name=name, properties=properties,
                        occurred_at=_occurred_at(raw.get("occurred_at"), now), event_id=event_id, order=order)
