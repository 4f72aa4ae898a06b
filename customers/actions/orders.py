"""Orders built from order events: one record per (store, external id), statuses only move forward."""
from django.utils import timezone

from .. import vocabulary
from ..models import Order, OrderItem

# Cancelled and refunded are both final: a late "paid" never revives an order.
STATUS_RANK = {Order.Status.PLACED: 0, Order.Status.PAID: 1, Order.Status.CANCELLED: 2, Order.Status.REFUNDED: 2}
EVENT_STATUS = {
    vocabulary.ORDER_PLACED: (Order.Status.PLACED, None),
    vocabulary.ORDER_PAID: (Order.Status.PAID, "paid_at"),
    vocabulary.ORDER_CANCELLED: (Order.Status.CANCELLED, "cancelled_at"),
    vocabulary.ORDER_REFUNDED: (Order.Status.REFUNDED, "refunded_at"),
}


def apply_order_event(customer, name, facts, occurred_at, store):
    """Create or move forward the order `facts` (validation.OrderFacts) describes; returns the order."""
    status, moment_field = EVENT_STATUS[name]
    order = Order.objects.select_for_update().filter(store=store, external_id=facts.external_id).first()
    if order is None:
        order = Order(store=store, external_id=facts.external_id, customer=customer, placed_at=occurred_at,
                      status=Order.Status.PLACED, currency=facts.currency or "BRL")
    order.customer = order.customer or customer
    order.placed_at = min(order.placed_at, occurred_at)
    if moment_field and getattr(order, moment_field) is None:
        setattr(order, moment_field, occurred_at)
    if STATUS_RANK[status] > STATUS_RANK[order.status]:
        order.status = status
    if facts.number:
        order.number = facts.number
    if facts.total is not None:
        order.total = facts.total
    if facts.currency:
        order.currency = facts.currency
    order.updated_at = timezone.now()
    order.save()
    if facts.items:
        order.items.all().delete()
        OrderItem.objects.bulk_create(
            OrderItem(order=order, sku=line.sku, name=line.name, quantity=line.quantity, price=line.price)
            for line in facts.items)
        if facts.total is None:
            order.total = sum(line.price * line.quantity for line in facts.items)
            order.save(update_fields=["total"])
    return order
