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
# The best partners kept per product: what the panel reads for a customer's purchases stays bounded
# however many products a popular one was ever bought with.
PAIRS_PER_PRODUCT = 20


@transaction.atomic
def compute_pairs():
    """Rebuild ProductPair from every paid order's items (one GROUP BY in the database), the best
    PAIRS_PER_PRODUCT partners of each product; returns the count."""
    items = OrderItem._meta.db_table
    orders = Order._meta.db_table
    pairs = ProductPair._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {pairs}")
        cursor.execute(
            f"""
            INSERT INTO {pairs} (sku, other_sku, other_name, orders, computed_at)
            SELECT sku, other_sku, other_name, orders, %s FROM (
                SELECT a.sku AS sku, b.sku AS other_sku, MAX(b.name) AS other_name,
                       COUNT(DISTINCT a.order_id) AS orders,
                       ROW_NUMBER() OVER (PARTITION BY a.sku ORDER BY COUNT(DISTINCT a.order_id) DESC, b.sku) AS best
                FROM {items} a
                JOIN {items} b ON b.order_id = a.order_id AND b.sku <> a.sku
                JOIN {orders} o ON o.id = a.order_id
                WHERE o.status = %s
                GROUP BY a.sku, b.sku
                HAVING COUNT(DISTINCT a.order_id) >= %s
            ) ranked
            WHERE best <= %s
            """,
            [now, Order.Status.PAID, MIN_ORDERS, PAIRS_PER_PRODUCT],
        )
        return cursor.rowcount


def suggestions_for(bought_skus, limit=SUGGESTIONS_SHOWN):
    """Products often bought with what the customer bought, that they have not bought: best evidence first.

    `bought_skus` is a list or a query of SKUs: one query at most."""
    best = {}
    for pair in (ProductPair.objects.filter(sku__in=bought_skus).exclude(other_sku__in=bought_skus)
                 .order_by("-orders", "other_sku")[:limit * 4]):
        kept = best.get(pair.other_sku)
        if kept is None or pair.orders > kept["orders"]:
            best[pair.other_sku] = {"sku": pair.other_sku, "name": pair.other_name, "orders": pair.orders,
                                    "because_of": pair.sku}
    return sorted(best.values(), key=lambda row: (-row["orders"], row["sku"]))[:limit]
