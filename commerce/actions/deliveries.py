"""Store deliveries: kept durably once verified, then turned into the customer layer's order events."""
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from conversations.addresses import EMAIL, PHONE, InvalidAddress, normalise_address
from customers import vocabulary
from customers.actions.events import record
from customers.validation import EventRefused

from ..connectors.base import FetchError, PayloadError
from ..models import StoreDelivery
from ..registry import connector_for

# Each status an order reached is one event, whatever delivery told us: redeliveries change nothing.
STATUS_EVENTS = {
    "placed": (vocabulary.ORDER_PLACED,),
    "paid": (vocabulary.ORDER_PLACED, vocabulary.ORDER_PAID),
    "cancelled": (vocabulary.ORDER_PLACED, vocabulary.ORDER_CANCELLED),
    "refunded": (vocabulary.ORDER_PLACED, vocabulary.ORDER_PAID, vocabulary.ORDER_REFUNDED),
}


def record_delivery(store, delivery, request):
    """Store a verified delivery once; returns (StoreDelivery, created)."""
    existing = StoreDelivery.objects.filter(store=store, delivery_id=delivery.delivery_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return StoreDelivery.objects.create(
                store=store, delivery_id=delivery.delivery_id, topic=delivery.topic, headers=dict(request.headers),
                body=request.body), True
    except IntegrityError:
        return StoreDelivery.objects.get(store=store, delivery_id=delivery.delivery_id), False


def _buyer(order):
    for kind, address in ((EMAIL, order.buyer_email), (PHONE, order.buyer_phone)):
        if address:
            try:
                return {"identity": {"kind": kind, "address": normalise_address(kind, address)},
                        "name": order.buyer_name}
            except InvalidAddress:
                continue
    raise PayloadError("The order has no usable buyer email or phone: nobody to file it under.")


def order_events(store, order):
    """The events of `order` (a StoreOrder), as the events API takes them."""
    customer = _buyer(order)
    properties = {
        "order_id": order.external_id, "number": order.number, "total": str(order.total),
        "currency": order.currency, "store": store.name,
        "items": [{"sku": line.sku, "name": line.name, "quantity": line.quantity, "price": str(line.price)}
                  for line in order.lines],
    }
    now = timezone.now()
    return [{
        "customer": customer, "name": name, "properties": properties,
        "occurred_at": min(order.placed_at if name == vocabulary.ORDER_PLACED else order.changed_at, now).isoformat(),
        "event_id": f"{order.external_id}:{name}",
    } for name in STATUS_EVENTS[order.status]]


def _finish(delivery_id, state, error=""):
    StoreDelivery.objects.filter(pk=delivery_id).update(
        state=state, last_error=error[:2000], processed_at=timezone.now(), attempts=F("attempts") + 1)


def process_delivery(delivery_id, final_attempt=True):
    """Turn a pending delivery into order events; idempotent (a processed delivery is left alone).

    The store is asked outside any transaction (a slow API holds no lock). Raises FetchError when
    trying again may work and `final_attempt` is False; otherwise a failure is recorded on the delivery.
    """
    delivery = StoreDelivery.objects.select_related("store").get(pk=delivery_id)
    if delivery.state != StoreDelivery.State.PENDING:
        return
    try:
        items = [item for order in connector_for(delivery.store).orders(delivery)
                 for item in order_events(delivery.store, order)]
    except FetchError as exc:
        if exc.retryable and not final_attempt:
            StoreDelivery.objects.filter(pk=delivery_id).update(attempts=F("attempts") + 1, last_error=str(exc))
            raise
        _finish(delivery_id, StoreDelivery.State.FAILED, str(exc))
        return
    except PayloadError as exc:
        _finish(delivery_id, StoreDelivery.State.FAILED, str(exc))
        return
    with transaction.atomic():
        locked = StoreDelivery.objects.select_for_update().get(pk=delivery_id)
        if locked.state != StoreDelivery.State.PENDING:
            return
        try:
            record(items, source=delivery.store.source)
        except EventRefused as exc:
            _finish(delivery_id, StoreDelivery.State.FAILED, str(exc))
            return
        _finish(delivery_id, StoreDelivery.State.PROCESSED)
