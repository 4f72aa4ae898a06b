"""Reading store payloads defensively: a missing or odd field is a PayloadError, never a crash."""
import json
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .base import PayloadError, StoreOrderLine


def json_object(body):
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("The body is not JSON.") from None
    if not isinstance(value, dict):
        raise PayloadError("The body is not a JSON object.")
    return value


def money(value, cents=False):
    if isinstance(value, bool) or value is None:
        return Decimal("0.00")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"Not an amount: {value!r}.") from None
    if cents:
        amount = amount / 100
    return amount.quantize(Decimal("0.01"))


def moment(value, default=None):
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such date
        parsed = None
    if parsed is None:
        return default or timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.utc)


def text(value, limit):
    return str(value).strip()[:limit] if value not in (None, "") else ""


def lines(items, sku_keys, name_key, price_key, cents=False):
    result = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        sku = next((text(item.get(key), 120) for key in sku_keys if item.get(key) not in (None, "")), "")
        if not sku:
            continue
        quantity = item.get("quantity")
        quantity = quantity if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity > 0 else 1
        result.append(StoreOrderLine(sku=sku, name=text(item.get(name_key), 300), quantity=quantity,
                                     price=money(item.get(price_key), cents)))
    return tuple(result)
