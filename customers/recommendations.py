"""Item-to-item suggestions: how many paid orders hold two products together, over all orders.

Computed in the background (hourly, and on demand); the panel reads the result
and shows each suggestion with its evidence (the number of orders).
"""
from django.db import connection, transaction
from django.utils import timezone

from .models import Order, OrderItem, ProductPair

SUGGESTIONS_SHOWN = 5
# A pair seen in a single order is chance, not a pattern.
MIN_ORDERS = 2


@transaction.atomic
def compute_pairs():
    """Rebuild ProductPair from every paid order's items (one GROUP BY in the database); returns the count."""
    items = OrderItem._meta.db_table
    orders = Order._meta.db_table
    pairs = ProductPair._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {pairs}")
        cursor.execute(
            f"""
            INSERT INTO {pairs} (sku, other_sku, other_name, orders, computed_at)
            SELECT a.sku, b.sku, MAX(b.name), COUNT(DISTINCT a.order_id), %s
            FROM {items} a
            JOIN {items} b ON b.order_id = a.order_id AND b.sku <> a.sku
            JOIN {orders} o ON o.id = a.order_id
            WHERE o.status = %s
            GROUP BY a.sku, b.sku
            HAVING COUNT(DISTINCT a.order_id) >= %s
            """,
            [now, Order.Status.PAID, MIN_ORDERS],
        )
        return cursor.rowcount


def suggestions_for(bought_skus, limit=SUGGESTIONS_SHOWN):
    """Products often bought with what the customer bought, that they have not bought: best evidence first."""
    if not bought_skus:
        return []
    best = {}
    for pair in (ProductPair.objects.filter(sku__in=bought_skus).exclude(other_sku__in=bought_skus)
                 .order_by("-orders", "other_sku")[:limit * 4]):
        kept = best.get(pair.other_sku)
        if kept is None or pair.orders > kept["orders"]:
            best[pair.other_sku] = {"sku": pair.other_sku, "name": pair.other_name, "orders": pair.orders,
                                    "because_of": pair.sku}
    return sorted(best.values(), key=lambda row: (-row["orders"], row["sku"]))[:limit]
