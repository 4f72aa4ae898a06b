"""Segment trees: precedence, windows, every kind of fact, one query, dynamic and static membership, the API."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conversations.actions.errors import ActionError
from conversations.models import Conversation, Customer, Label
from customers.actions.counting import store_event
from customers.models import AttributeDefinition, AttributeValue, Journey
from marketing.actions import segments
from marketing.models import SegmentMember
from marketing.segments import matching_customers

from .conftest import customer_with_phone, write

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def ids(definition, now=None):
    return set(matching_customers(definition, now).values_list("pk", flat=True))


def test_cw8877_inbox_a_or_inbox_b_and_open_never_returns_resolved_ones(sms, whatsapp, mail):
    open_on_a = write(sms, "+5511999990001").conversation.customer
    resolved_on_a = write(sms, "+5511999990002").conversation.customer
    open_on_b = write(whatsapp, "+5511999990003").conversation.customer
    resolved_on_b = write(whatsapp, "+5511999990004").conversation.customer
    open_elsewhere = write(mail, "maria@example.com", kind="email").conversation.customer
    Conversation.objects.filter(customer__in=[resolved_on_a, resolved_on_b]).update(status="resolved")
    grouped = {"all": [{"any": [{"inbox": str(sms.pk)}, {"inbox": str(whatsapp.pk)}]}, {"status": "open"}]}
    assert ids(grouped) == {open_on_a.pk, open_on_b.pk}
    # Written the other way round, "A OR (B AND open)" is a different question with its own answer.
    other = {"any": [{"inbox": str(sms.pk)}, {"all": [{"inbox": str(whatsapp.pk)}, {"status": "open"}]}]}
    assert ids(other) == {open_on_a.pk, resolved_on_a.pk, open_on_b.pk}
    assert open_elsewhere.pk not in ids(other)


def test_a_nested_tree_is_one_parameterised_query(sms, django_assert_num_queries):
    write(sms, "+5511999990001")
    AttributeDefinition.objects.create(key="plan", label="Plan", type="text")
    definition = {"all": [{"any": [{"stage": ["lead", "visitor"]}, {"orders": {"count": {"gte": 1}}}]},
                          {"not": {"label": "blocked"}}, {"event": "Product Viewed", "count": {"gte": 2},
                                                          "within_days": 7},
                          {"attribute": "plan", "op": "eq", "value": "x'); DROP TABLE conversations_customer; --"}]}
    customers = matching_customers(definition)
    with django_assert_num_queries(1):
        assert customers.count() == 0
    sql, params = customers.query.sql_with_params()
    assert "DROP TABLE" not in sql
    assert "x'); DROP TABLE conversations_customer; --" in params
    assert Customer.objects.count() == 1


def test_product_viewed_twice_in_the_last_7_days_window_edges(sms):
    inside = write(sms, "+5511999990001").conversation.customer
    edge_out = write(sms, "+5511999990002").conversation.customer
    once = write(sms, "+5511999990003").conversation.customer
    for customer, days in ((inside, [1, 7]), (edge_out, [1, 7.0001]), (once, [2])):
        for n, ago in enumerate(days):
            store_event(customer, "Product Viewed", {}, NOW - timedelta(days=ago), "api", f"{customer.pk}-{n}", NOW)
    definition = {"event": "Product Viewed", "count": {"gte": 2}, "within_days": 7}
    assert ids(definition, NOW) == {inside.pk}
    # All time, from the per-name counters: both who viewed twice.
    assert ids({"event": "Product Viewed", "count": {"gte": 2}}, NOW) == {inside.pk, edge_out.pk}
    # Never viewed counts as zero.
    never = write(sms, "+5511999990004").conversation.customer
    assert never.pk in ids({"event": "Product Viewed", "count": {"lt": 1}}, NOW)


def test_orders_journey_rfm_labels_attributes_last_contact_and_consent(sms):
    big = customer_with_phone("+5511999990001", granted=("sms",))
    small = customer_with_phone("+5511999990002", granted=())
    Journey.objects.create(customer=big, stage="repeat", paid_orders=3, revenue=Decimal("900.00"),
                           last_order_at=timezone.now() - timedelta(days=3), rfm_recency=5, rfm_frequency=4,
                           rfm_monetary=5, profile_class="influencer")
    Journey.objects.create(customer=small, stage="customer", paid_orders=1, revenue=Decimal("50.00"),
                           last_order_at=timezone.now() - timedelta(days=40), rfm_recency=2, rfm_frequency=1,
                           rfm_monetary=1)
    assert ids({"orders": {"count": {"gte": 2}}}) == {big.pk}
    assert ids({"orders": {"revenue": {"lt": "100"}}}) == {small.pk}
    assert ids({"orders": {"last_within_days": 30}}) == {big.pk}
    assert ids({"rfm": {"recency": {"gte": 4}, "monetary": {"eq": 5}}}) == {big.pk}
    assert ids({"profile_class": "influencer"}) == {big.pk}
    assert ids({"stage": ["customer"]}) == {small.pk}
    assert ids({"consent": {"channel": "sms", "purpose": "marketing"}}) == {big.pk}
    assert ids({"not": {"consent": {"channel": "sms"}}}) == {small.pk}
    vip = Label.objects.create(name="vip")
    Conversation.objects.get(customer=small).labels.add(vip)
    assert ids({"label": "vip"}) == {small.pk}
    spend = AttributeDefinition.objects.create(key="budget", label="Budget", type="number")
    AttributeValue.objects.create(customer=big, definition=spend, number_value=Decimal("10"))
    AttributeValue.objects.create(customer=small, definition=spend, number_value=Decimal("2"))
    # Numbers compare as numbers ("10" > "2"), not as text.
    assert ids({"attribute": "budget", "op": "gt", "value": 5}) == {big.pk}
    Conversation.objects.filter(customer=big).update(last_message_at=timezone.now() - timedelta(days=2))
    Conversation.objects.filter(customer=small).update(last_message_at=timezone.now() - timedelta(days=100))
    assert ids({"last_contact": {"within_days": 7}}) == {big.pk}
    assert ids({"last_contact": {"before_days": 90}}) == {small.pk}


@pytest.mark.parametrize("definition", [
    [], {}, {"all": []}, {"any": "x"}, {"not": [1]}, {"nope": 1}, {"event": "X", "count": {"gte": "two"}},
    {"event": "X", "within_days": 0}, {"orders": {"count": {"about": 2}}}, {"stage": ["king"]},
    {"attribute": "missing", "op": "eq", "value": 1}, {"inbox": "not-a-uuid"}, {"segment": 999},
    {"rfm": {"luck": {"gte": 1}}}, {"all": [{"all": [{"all": [{"all": [{"all": [{"all": [{"all": [
        {"stage": "lead"}]}]}]}]}]}]}]},
])
def test_bad_trees_are_refused_with_where(db, definition):
    with pytest.raises(ActionError) as refused:
        segments.check_definition(definition)
    assert refused.value.field == "definition"
    assert refused.value.message.startswith("definition")


def test_a_dynamic_segment_follows_a_customer_who_writes(sms, django_capture_on_commit_callbacks):
    segment = segments.create("Wrote by SMS", "dynamic", {"channel": "sms"})
    assert segment.size == 0
    customer = write(sms, "+5511999990001", capture=django_capture_on_commit_callbacks).conversation.customer
    assert SegmentMember.objects.filter(segment=segment, customer=customer).exists()
    segment.refresh_from_db()
    assert segment.size == 1


def test_a_static_segment_is_a_snapshot_and_a_segment_can_use_another(sms):
    first = write(sms, "+5511999990001").conversation.customer
    snapshot = segments.create("SMS on day one", "static", {"channel": "sms"})
    later = write(sms, "+5511999990002").conversation.customer
    segments.recompute(snapshot.pk)
    assert set(snapshot.members.values_list("customer_id", flat=True)) == {first.pk}
    assert ids({"all": [{"channel": "sms"}, {"not": {"segment": snapshot.pk}}]}) == {later.pk}
    with pytest.raises(ActionError):
        segments.update(snapshot, definition={"identity": "phone"})


def test_a_static_segment_from_csv(admin_api, sms):
    known = customer_with_phone("+5511999990001")
    upload = SimpleUploadedFile("list.csv", b"phone,name\n(11) 99999-0001,Maria\n+5511000000000,Nobody\n",
                                content_type="text/csv")
    answer = admin_api.post("/api/v1/segments/upload/", {"name": "Fair visitors", "file": upload})
    assert answer.status_code == 201, answer.content
    assert (answer.json()["size"], answer.json()["unknown_rows"]) == (1, 1)
    listed = admin_api.get(f"/api/v1/segments/{answer.json()['id']}/customers/").json()
    assert [row["id"] for row in listed["results"]] == [known.pk]
    bad = SimpleUploadedFile("x.csv", b"foo\nbar\n", content_type="text/csv")
    assert admin_api.post("/api/v1/segments/upload/", {"name": "Bad", "file": bad}).status_code == 400


def test_preview_api_counts_and_samples_20_and_refuses_bad_trees(admin_api, sms):
    for n in range(25):
        write(sms, f"+55119999900{n:02d}")
    answer = admin_api.post("/api/v1/segments/preview/", {"definition": {"channel": "sms"}}, format="json")
    assert answer.status_code == 200
    assert answer.json()["count"] == 25
    assert len(answer.json()["sample"]) == 20
    refused = admin_api.post("/api/v1/segments/preview/", {"definition": {"all": []}}, format="json")
    assert refused.status_code == 400
    assert admin_api.post("/api/v1/segments/preview/", [1], format="json").status_code == 400


def test_segments_api_create_update_and_agents_are_refused(admin_api, make_agent, client_for, sms):
    write(sms, "+5511999990001")
    created = admin_api.post("/api/v1/segments/", {"name": "SMS", "kind": "dynamic",
                                                   "definition": {"channel": "sms"}}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["size"] == 1
    pk = created.json()["id"]
    changed = admin_api.patch(f"/api/v1/segments/{pk}/", {"definition": {"channel": "whatsapp"}}, format="json")
    assert changed.status_code == 200 and changed.json()["size"] == 0
    assert admin_api.patch(f"/api/v1/segments/{pk}/", {"definition": {"x": 1}}, format="json").status_code == 400
    assert admin_api.post("/api/v1/segments/", {"name": "SMS", "definition": {}}, format="json").status_code == 400
    assert client_for(make_agent("ana")).get("/api/v1/segments/").status_code == 403
