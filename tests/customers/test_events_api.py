"""POST /api/v1/customers/events/: token auth, batches of 100, idempotent, counters, orders, no unproven customers."""
from datetime import timedelta
from decimal import Decimal

import json
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Conversation, Customer, Identity
from customers.models import CustomerEvent, CustomerEventCounter, Journey, Order

from .conftest import event, order_event

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/events/"


def test_events_need_an_admin_token(db, make_agent, client_for):
    assert APIClient().post(URL, [event("Product Viewed")], format="json").status_code == 401
    agent = client_for(make_agent("ana"))
    assert agent.post(URL, [event("Product Viewed")], format="json").status_code == 403
    assert not CustomerEvent.objects.exists()


def test_an_event_for_a_new_email_creates_the_customer_once_and_is_idempotent(admin_api):
    item = event("Product Viewed", event_id="pv-1", properties={"sku": "SKU-9", "name": "Mug"})
    first = admin_api.post(URL, [item], format="json")
    assert first.status_code == 201, first.content
    again = admin_api.post(URL, {"events": [item, item]}, format="json")
    assert again.status_code == 200
    assert [r["created"] for r in again.json()["results"]] == [False, False]
    assert CustomerEvent.objects.filter(name="Product Viewed").count() == 1
    customer = Customer.objects.get()
    identity = Identity.objects.get()
    assert (identity.kind, identity.address, identity.verified) == ("email", "maria@example.com", False)
    assert Conversation.objects.filter(customer=customer).exists()  # one customer, one conversation
    counter = CustomerEventCounter.objects.get(customer=customer, name="Product Viewed")
    assert counter.count == 1


def test_occurred_at_is_kept_apart_from_received_at_and_counters_take_late_events(admin_api):
    now = timezone.now()
    now = now.replace(microsecond=0)
    admin_api.post(URL, [event("Product Viewed", days_ago=1, now=now), event("Product Viewed", days_ago=10, now=now),
                         event("Product Viewed", days_ago=3, now=now)], format="json")
    counter = CustomerEventCounter.objects.get(name="Product Viewed")
    assert counter.count == 3
    assert (counter.first_at, counter.last_at) == (now - timedelta(days=10), now - timedelta(days=1))
    late = CustomerEvent.objects.order_by("occurred_at").first()
    assert late.received_at - late.occurred_at > timedelta(days=9)


def test_an_existing_customer_by_id_or_by_any_identity(admin_api, write_in):
    customer = write_in("+5511999990001")
    answer = admin_api.post(URL, [
        event("Review Written", customer={"id": customer.pk}),
        event("Cart Updated", customer={"identity": {"kind": "phone", "address": "(11) 99999-0001"}}),
    ], format="json")
    assert answer.status_code == 201
    assert {r["customer"] for r in answer.json()["results"]} == {customer.pk}
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("customer, says", [
    ({"identity": {"kind": "webchat", "address": "visitor-123"}}, "unknown"),
    ({"identity": {"kind": "external", "address": "undefined"}}, "placeholder"),
    ({"identity": {"kind": "email", "address": "not-an-email"}}, "not an email"),
    ({"identity": {"kind": "carrier-pigeon", "address": "x"}}, "unknown identity kind"),
    ({"id": 999999}, "no such customer"),
    ({"id": 1, "identity": {"kind": "email", "address": "a@b.co"}}, "exactly one"),
])
def test_unprovable_or_unknown_customers_are_refused(admin_api, customer, says):
    answer = admin_api.post(URL, [event("Product Viewed", customer=customer)], format="json")
    assert answer.status_code == 400
    assert says in str(answer.json()["errors"]["0"])
    assert not Customer.objects.exists() and not CustomerEvent.objects.exists()


@pytest.mark.parametrize("change, says", [
    ({"name": ""}, "name"),
    ({"event_id": None}, "event_id"),
    ({"occurred_at": "yesterday"}, "ISO 8601"),
    ({"occurred_at": "2026-13-01T10:00:00Z"}, "ISO 8601"),
    ({"customer": "maria"}, "customer"),
    ({"customer": {"identity": "maria@example.com"}}, "kind and address"),
    ({"properties": {"x": "y" * 17_000}}, "16 KB"),
    ({"occurred_at": "2026-01-01T10:00:00"}, "time zone"),
    ({"occurred_at": (timezone.now() + timedelta(days=2)).isoformat()}, "future"),
    ({"properties": ["a"]}, "object"),
    ({"properties": {f"k{i}": i for i in range(65)}}, "64"),
    ({"name": "Stage Changed"}, "OmniDesk itself"),
    ({"name": "Order Paid", "properties": {"total": 10}}, "order_id"),
    ({"name": "Order Paid", "properties": {"order_id": "1", "total": "ten"}}, "number"),
    ({"name": "Order Paid", "properties": {"order_id": "1", "items": [{"sku": "A", "quantity": 0}]}}, "quantity"),
    ({"name": "Order Paid", "properties": {"order_id": "1", "currency": "real"}}, "currency"),
])
def test_a_bad_event_refuses_the_whole_batch_and_stores_nothing(admin_api, change, says):
    good = event("Product Viewed")
    bad = {**event("Product Viewed"), **change}
    answer = admin_api.post(URL, [good, bad], format="json")
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert list(errors) == ["1"] and says in str(errors["1"])
    assert not CustomerEvent.objects.exists() and not Customer.objects.exists()


def test_batches_hold_at_most_100_events(admin_api):
    assert admin_api.post(URL, [event("Product Viewed") for _ in range(101)], format="json").status_code == 400
    assert admin_api.post(URL, [], format="json").status_code == 400
    assert admin_api.post(URL, "hello", format="json").status_code == 400
    answer = admin_api.post(URL, [event("Product Viewed") for _ in range(100)], format="json")
    assert answer.status_code == 201 and len(answer.json()["results"]) == 100
    assert CustomerEventCounter.objects.get(name="Product Viewed").count == 100


def test_any_other_name_is_stored_as_is(admin_api):
    answer = admin_api.post(URL, [event("Wishlist Shared", properties={"list": "xmas"})], format="json")
    assert answer.status_code == 201
    assert CustomerEvent.objects.get(name="Wishlist Shared").properties == {"list": "xmas"}


def test_order_events_build_one_order_whose_status_only_moves_forward(admin_api):
    items = [{"sku": "SKU-1", "name": "Mug", "quantity": 2, "price": "30.00"},
             {"sku": "SKU-2", "name": "Tea", "quantity": 1, "price": "19.90"}]
    admin_api.post(URL, [order_event("Order Placed", "A-1", total="79.90", items=items, days_ago=2)], format="json")
    order = Order.objects.get()
    assert (order.status, order.total, order.store, order.items.count()) == ("placed", Decimal("79.90"), "api", 2)
    admin_api.post(URL, [order_event("Order Paid", "A-1", total="79.90", items=items, days_ago=1)], format="json")
    # A late "placed" (sent again by a retrying shop) never moves a paid order back.
    admin_api.post(URL, [order_event("Order Placed", "A-1", total="79.90", items=items, days_ago=3)],
                   format="json")
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    assert (timezone.now() - order.placed_at).days == 3  # the earliest placement wins
    assert Order.objects.count() == 1
    journey = Journey.objects.get()
    assert (journey.stage, journey.paid_orders, journey.revenue) == ("customer", 1, Decimal("79.90"))
    admin_api.post(URL, [order_event("Order Refunded", "A-1")], format="json")
    order.refresh_from_db()
    journey.refresh_from_db()
    assert order.status == "refunded" and journey.paid_orders == 0


def test_events_are_listed_with_their_counters_for_agents_who_may_see_the_customer(admin_api, write_in, make_agent,
                                                                                    other_team, team, client_for):
    customer = write_in()
    admin_api.post(URL, [event("Product Viewed", customer={"id": customer.pk})], format="json")
    insider = client_for(make_agent("ana", teams=[team]))
    outsider = client_for(make_agent("otto", teams=[other_team]))
    profile = insider.get(f"/api/v1/customers/{customer.pk}/profile/").json()
    assert {c["name"]: c["count"] for c in profile["counters"]}["Product Viewed"] == 1
    assert profile["journey"]["stage"] == "prospect"
    assert insider.get(f"/api/v1/customers/{customer.pk}/events/").json()["count"] >= 1
    for path in ("profile", "events", "orders"):
        assert outsider.get(f"/api/v1/customers/{customer.pk}/{path}/").status_code == 404


def test_journeys_are_filterable_by_stage_class_and_rfm(admin_api, write_in):
    write_in("+5511999990001")
    admin_api.post(URL, [order_event("Order Paid", "B-1", email="buyer@example.com")], format="json")
    stages = {row["stage"] for row in admin_api.get("/api/v1/customers/journeys/").json()["results"]}
    assert stages == {"prospect", "customer"}  # the one who wrote asked something before buying
    customers = admin_api.get("/api/v1/customers/journeys/?stage=customer").json()["results"]
    assert [row["name"] for row in customers] == [""] and len(customers) == 1
    assert admin_api.get("/api/v1/customers/journeys/?stage=gold").status_code == 400
    assert admin_api.get("/api/v1/customers/journeys/?rfm=9").status_code == 400


def test_an_open_console_hears_of_new_events_once_committed(admin_api, write_in, django_capture_on_commit_callbacks,
                                                            monkeypatch):
    from conversations import events as catalogue

    customer = write_in()
    sent = []
    monkeypatch.setattr(catalogue, "_publish", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        admin_api.post(URL, [event("Cart Updated", customer={"id": customer.pk})], format="json")
    [message] = sent
    groups, _event, frame = message["tiers"][0]
    frame = json.loads(frame)
    assert frame["event"] == "conversation.updated" and frame["payload"]["id"] == customer.conversation.pk
    assert f"conversation.{customer.conversation.pk}" in groups


@pytest.mark.parametrize("body", [
    b"not json", b"[1, 2]", b"null", b'{"events": 3}', b'[{"customer": {"id": true}}]',
    b'[{"customer": {"identity": {"kind": ["email"], "address": "a@b.co"}}, "name": "x", "event_id": "1"}]',
    b'[{"customer": {"id": 1}, "name": {"x": 1}, "event_id": "1"}]',
    b'[{"customer": {"id": 1}, "name": "Order Paid", "event_id": "1", "properties": {"order_id": "1", '
    b'"items": "lots"}}]',
    b'[{"customer": {"id": 1}, "name": "Order Paid", "event_id": "1", "properties": {"order_id": "1", '
    b'"total": "NaN"}}]',
    b'[{"customer": {"id": 1}, "name": "Order Paid", "event_id": "1", "properties": {"order_id": "1", '
    b'"items": [{"sku": "A", "price": "1e400"}]}}]',
    b'[{"customer": {"identity": {"kind": "phone", "address": "12"}}, "name": "x", "event_id": "1"}]',
])
def test_odd_bodies_are_refused_clearly_never_a_500(admin_api, body):
    answer = admin_api.generic("POST", URL, body, content_type="application/json")
    assert 400 <= answer.status_code < 500
    assert not CustomerEvent.objects.exists()
