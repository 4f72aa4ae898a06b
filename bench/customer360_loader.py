"""Figure 4's Customer 360 data, COPYed beside the conversations: events, counters, orders and items,
journeys; product pairs and RFM then computed by the app's own background code (timed).

Consistent by construction: counters are the events' own counts, journeys the rules applied to
the generated orders (customers/journey.py), so the panel reads what the app would have written.
"""
import json
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from customers import journey as rules
from customers import recommendations, rfm
from customers.models import CustomerEvent, CustomerEventCounter, Journey, Order, OrderItem

EVENT_NAMES = [("Product Viewed", 60), ("Cart Updated", 15), ("Checkout Started", 10), ("Newsletter Opened", 10),
               ("Review Written", 5)]
PRODUCTS = 2_000
BUYERS = 0.40  # share of customers with at least one order
ORDER_STATUSES = [("paid", 85), ("placed", 5), ("cancelled", 5), ("refunded", 5)]
EPOCH = datetime(2025, 6, 1, tzinfo=timezone.utc)
SPAN_MINUTES = 540 * 24 * 60


def _product(rng):
    # A few products sell a lot: pairs among them have real evidence.
    n = int(rng.paretovariate(1.2)) % PRODUCTS
    return f"SKU-{n:05d}", f"Product {n}"


def _json(value):
    return json.dumps(value, separators=(",", ":"))


def rows(customers, events, orders, counts_of, now, seed=36):
    """(event, counter, order, item, journey) COPY lines for `customers` ids 1..n."""
    from .loader import _line

    rng = random.Random(seed)
    names = [name for name, _ in EVENT_NAMES]
    weights = [weight for _, weight in EVENT_NAMES]
    event_counts = counts_of(customers, events, rng)
    event_rows, counter_rows = [], []
    event_id = counter_id = 0
    interest = {}
    for customer_id in range(1, customers + 1):
        counters = {}
        for _ in range(event_counts[customer_id - 1]):
            event_id += 1
            name = rng.choices(names, weights)[0]
            at = EPOCH + timedelta(minutes=rng.randrange(SPAN_MINUTES))
            sku, product = _product(rng)
            event_rows.append(_line((event_id, customer_id, name, _json({"sku": sku, "name": product}), at,
                                     at + timedelta(seconds=2), "api", f"bench-{event_id}")))
            count, first, last = counters.get(name, (0, at, at))
            counters[name] = (count + 1, min(first, at), max(last, at))
        for name, (count, first, last) in counters.items():
            counter_id += 1
            counter_rows.append(_line((counter_id, customer_id, name, count, first, last)))
        views = counters.get("Product Viewed")
        if views:
            interest[customer_id] = {"name": "Product Viewed", "count": views[0], "at": views[1].isoformat()}

    buyers = max(1, int(customers * BUYERS))
    order_counts = counts_of(buyers, orders, rng)
    order_rows, item_rows = [], []
    paid_of = defaultdict(list)
    order_id = item_id = 0
    statuses = [status for status, _ in ORDER_STATUSES]
    status_weights = [weight for _, weight in ORDER_STATUSES]
    for buyer in range(buyers):
        customer_id = buyer + 1
        for _ in range(order_counts[buyer]):
            order_id += 1
            placed = EPOCH + timedelta(minutes=rng.randrange(SPAN_MINUTES))
            status = rng.choices(statuses, status_weights)[0]
            total = Decimal(0)
            for _line_number in range(rng.choice((1, 1, 2, 2, 3))):
                item_id += 1
                sku, product = _product(rng)
                price = Decimal(rng.randrange(1_000, 50_000)) / 100
                total += price
                item_rows.append(_line((item_id, order_id, sku, product, 1, price)))
            paid_at = placed + timedelta(minutes=5) if status in ("paid", "refunded") else None
            order_rows.append(_line((
                order_id, customer_id, "api", f"bench-{order_id}", str(1000 + order_id), status, total, "BRL", placed,
                paid_at, placed + timedelta(days=1) if status == "cancelled" else None,
                placed + timedelta(days=2) if status == "refunded" else None, placed)))
            if status == "paid":
                paid_of[customer_id].append((placed, str(1000 + order_id), total))

    journey_rows = []
    for customer_id in range(1, customers + 1):
        paid = sorted(paid_of.get(customer_id, ()))
        facts = rules.Facts(reachable=("phone", f"+55119{customer_id:08d}"), interest=interest.get(customer_id, {}),
                            paid_orders=tuple((at, number) for at, number, _total in paid), replies=1)
        stage, evidence = rules.stage_of(facts, now)
        profile_class, profile_evidence = rules.profile_class_of(facts)
        journey_rows.append(_line((
            customer_id, stage, now, _json(evidence), profile_class, _json(profile_evidence), len(paid),
            sum((total for _at, _number, total in paid), Decimal(0)), paid[0][0] if paid else None,
            paid[-1][0] if paid else None, None, None, None, None, now)))
    return event_rows, counter_rows, order_rows, item_rows, journey_rows


COLUMNS = {
    CustomerEvent: ["id", "customer_id", "name", "properties", "occurred_at", "received_at", "source", "event_id"],
    CustomerEventCounter: ["id", "customer_id", "name", "count", "first_at", "last_at"],
    Order: ["id", "customer_id", "store", "external_id", "number", "status", "total", "currency", "placed_at",
            "paid_at", "cancelled_at", "refunded_at", "updated_at"],
    OrderItem: ["id", "order_id", "sku", "name", "quantity", "price"],
    Journey: ["customer_id", "stage", "stage_since", "stage_evidence", "profile_class", "profile_evidence",
              "paid_orders", "revenue", "first_order_at", "last_order_at", "rfm_recency", "rfm_frequency",
              "rfm_monetary", "rfm_computed_at", "updated_at"],
}


def copy(cursor, raw, all_rows, copy_lines):
    """COPY the rows (under the loader's replica role) and move the sequences past them."""
    for model, lines in zip(COLUMNS, all_rows):
        copy_lines(raw, model, COLUMNS[model], lines)
    for model in (CustomerEvent, CustomerEventCounter, Order, OrderItem):
        table = model._meta.db_table
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"GREATEST((SELECT max(id) FROM {table}), 1))")


def compute_background():
    """What the workers compute after such a load: product pairs and RFM; returns their seconds."""
    started = time.monotonic()
    pairs = recommendations.compute_pairs()
    pairs_seconds = time.monotonic() - started
    started = time.monotonic()
    scored = rfm.compute()
    return {"pairs": pairs, "pairs_seconds": pairs_seconds, "rfm_scored": scored,
            "rfm_seconds": time.monotonic() - started}
