"""RFM quintiles over 24 months, and item-to-item suggestions from co-purchase counts."""
from datetime import timedelta

import pytest
from django.utils import timezone

from customers import recommendations, rfm
from customers.actions import events
from customers.models import Journey, ProductPair

from .conftest import order_event

pytestmark = pytest.mark.django_db


def test_quintiles_rank_and_share_ties():
    assert rfm.quintiles({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}) == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    assert rfm.quintiles({"a": 10, "b": 10, "c": 10}) == {"a": 1, "b": 1, "c": 1}
    scores = rfm.quintiles({i: i for i in range(10)})
    assert [scores[i] for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_rfm_scores_customers_with_paid_orders_of_the_last_24_months(db):
    items = []
    for index in range(5):
        email = f"c{index}@example.com"
        # c4 bought most recently, most often and most money; c0 least.
        for n in range(index + 1):
            items.append(order_event("Order Paid", f"{email}-{n}", total=str(10 * (index + 1)), email=email,
                                     days_ago=100 - 20 * index))
    items.append(order_event("Order Paid", "ancient", email="old@example.com", days_ago=800))
    events.record(items)
    assert rfm.compute() == 5
    scores = {j.customer.identities.get().address: j.rfm for j in Journey.objects.select_related("customer")}
    assert scores["c4@example.com"] == "555" and scores["c0@example.com"] == "111"
    assert scores["old@example.com"] == ""  # outside the 24 months: not scored


def test_suggestions_come_from_orders_bought_together_with_their_evidence(db):
    def basket(order_id, email, *skus, status="Order Paid"):
        return order_event(status, order_id, email=email,
                           items=[{"sku": sku, "name": f"Product {sku}", "quantity": 1, "price": "10.00"}
                                  for sku in skus])

    events.record([
        basket("1", "a@example.com", "MUG", "TEA"), basket("2", "b@example.com", "MUG", "TEA", "SPOON"),
        basket("3", "c@example.com", "MUG", "TEA"), basket("4", "d@example.com", "MUG", "SPOON"),
        basket("5", "e@example.com", "MUG", "SPOON"),
        basket("6", "f@example.com", "MUG", "CAKE", status="Order Placed"),  # unpaid: no evidence
        basket("7", "g@example.com", "MUG"),
    ])
    recommendations.compute_pairs()
    assert ProductPair.objects.get(sku="MUG", other_sku="TEA").orders == 3
    assert not ProductPair.objects.filter(other_sku="CAKE").exists()
    assert not ProductPair.objects.filter(sku="TEA", other_sku="SPOON").exists()  # once is chance
    suggested = recommendations.suggestions_for(["MUG"])
    assert [(s["sku"], s["orders"]) for s in suggested] == [("SPOON", 3), ("TEA", 3)] or \
        [(s["sku"], s["orders"]) for s in suggested] == [("TEA", 3), ("SPOON", 3)]
    assert recommendations.suggestions_for(["MUG", "TEA"])[0]["sku"] == "SPOON"
    assert recommendations.suggestions_for([]) == []
