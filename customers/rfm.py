"""RFM scores: quintiles (1 low .. 5 high) of recency, frequency and money over 24 months of paid orders."""
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from .models import Journey, Order

WINDOW_DAYS = 730
SCORES = 5
# SQLite allows at most 32766 parameters per statement.
UPDATE_CHUNK = 10_000


def quintiles(values, higher_is_better=True):
    """{key: 1..5} ranking `values` ({key: number}); ties share the lower score of their rank."""
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=not higher_is_better)
    total = len(ordered)
    scores, first_rank = {}, {}
    for rank, (key, value) in enumerate(ordered):
        first_rank.setdefault(value, rank)
        scores[key] = first_rank[value] * SCORES // total + 1
    return scores


@transaction.atomic
def compute(now=None):
    """Score every customer with a paid order in the window; clear the others. Returns how many scored."""
    now = now or timezone.now()
    rows = (Order.objects.filter(status=Order.Status.PAID, placed_at__gte=now - timedelta(days=WINDOW_DAYS))
            .exclude(customer=None).values("customer_id")
            .annotate(last=Max("placed_at"), orders=Count("id"), money=Sum("total")))
    recency, frequency, monetary = {}, {}, {}
    for row in rows:
        recency[row["customer_id"]] = row["last"].timestamp()
        frequency[row["customer_id"]] = row["orders"]
        monetary[row["customer_id"]] = row["money"]
    r, f, m = quintiles(recency), quintiles(frequency), quintiles(monetary)
    # Cleared, then set, in one transaction: a customer whose orders left the window loses their scores.
    Journey.objects.exclude(rfm_recency=None).update(rfm_recency=None, rfm_frequency=None, rfm_monetary=None,
                                                     rfm_computed_at=now)
    # At most 125 score combinations: one UPDATE per combination, however many customers.
    by_scores = defaultdict(list)
    for key in r:
        by_scores[(r[key], f[key], m[key])].append(key)
    scored = 0
    for (recency_score, frequency_score, money_score), keys in by_scores.items():
        for start in range(0, len(keys), UPDATE_CHUNK):
            scored += Journey.objects.filter(customer_id__in=keys[start:start + UPDATE_CHUNK]).update(
                rfm_recency=recency_score, rfm_frequency=frequency_score, rfm_monetary=money_score,
                rfm_computed_at=now)
    return scored
