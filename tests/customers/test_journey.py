"""Journey stage and profile class: derived from facts, at their edges, every change an event of its own."""
from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal

import pytest

from conversations.models import Customer, Message
from customers import journey as rules
from customers.actions import events, journey
from customers.models import CustomerEvent, Journey

from .conftest import event, order_event

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=dt_timezone.utc)


def paid(*days_ago):
    return tuple((NOW - timedelta(days=days), f"#{index}") for index, days in enumerate(sorted(days_ago,
                                                                                             reverse=True)))


@pytest.mark.parametrize("facts, stage", [
    (rules.Facts(), "visitor"),
    (rules.Facts(reachable=("email", "a@b.co")), "lead"),
    (rules.Facts(reachable=("email", "a@b.co"), interest={"name": "Product Viewed", "count": 2}), "prospect"),
    (rules.Facts(paid_orders=paid(10)), "customer"),
    (rules.Facts(paid_orders=paid(300, 10)), "repeat"),
    (rules.Facts(paid_orders=paid(366, 10)), "customer"),  # the first order fell out of the 365 days
    (rules.Facts(paid_orders=paid(180)), "customer"),  # day 180: not at risk yet
    (rules.Facts(paid_orders=paid(181)), "at_risk"),  # day 181: at risk
    (rules.Facts(paid_orders=paid(365)), "at_risk"),
    (rules.Facts(paid_orders=paid(366)), "lost"),
    # Their own rhythm: an order every 150 days puts "at risk" at 2 x 150 = 300 days, not 180.
    (rules.Facts(paid_orders=paid(550, 400, 250)), "customer"),
    (rules.Facts(paid_orders=paid(600, 450, 300)), "customer"),  # day 300 of a 300-day limit
    (rules.Facts(paid_orders=paid(600, 450, 301)), "at_risk"),  # gaps 150 and 149: limit 299
    # A short median gap never brings the limit under 180 days.
    (rules.Facts(paid_orders=paid(330, 320, 181)), "at_risk"),
    (rules.Facts(paid_orders=paid(330, 320, 180)), "repeat"),
])
def test_stage_rules_at_their_edges(facts, stage):
    assert rules.stage_of(facts, NOW)[0] == stage


def test_the_at_risk_limit_is_their_median_gap_doubled_but_never_under_180_days():
    assert rules.at_risk_after_days([NOW - timedelta(days=d) for d in (300, 280, 260)]) == 180
    assert rules.at_risk_after_days([NOW - timedelta(days=d) for d in (600, 400, 300, 290)]) == 200


def test_the_evidence_says_what_put_them_there():
    stage, evidence = rules.stage_of(rules.Facts(paid_orders=paid(181)), NOW)
    assert evidence == {"rule": "no_order_at_risk", "order": "#0", "at": (NOW - timedelta(days=181)).isoformat(),
                        "days": 181, "limit": 180}


@pytest.mark.parametrize("facts, profile_class", [
    (rules.Facts(), ""),
    (rules.Facts(reads=4), "observer"),
    (rules.Facts(reads=4, replies=1), "participant"),
    (rules.Facts(ratings=1), "participant"),
    (rules.Facts(reviews=2), "participant"),
    (rules.Facts(referrals=2, replies=3), "participant"),
    (rules.Facts(referrals=3), "influencer"),
    (rules.Facts(declared_audience=9_999, replies=1), "participant"),
    (rules.Facts(declared_audience=10_000), "influencer"),
])
def test_profile_class_rules(facts, profile_class):
    assert rules.profile_class_of(facts)[0] == profile_class


def _record(*items):
    return events.record(list(items))


def test_each_stage_change_is_an_event_with_its_evidence(db, time_machine):
    time_machine.move_to(NOW - timedelta(days=400), tick=False)
    _record(event("Product Viewed", email="ana@example.com", properties={"sku": "S1"}))
    customer = Customer.objects.get()
    time_machine.move_to(NOW - timedelta(days=390), tick=False)
    _record(order_event("Order Paid", "O-1", email="ana@example.com"))
    for days_after_the_order, stage in [(180, "customer"), (181, "at_risk"), (365, "at_risk"), (366, "lost")]:
        time_machine.move_to(NOW - timedelta(days=390 - days_after_the_order), tick=False)
        assert journey.recompute(customer.pk).stage == stage
    changes = list(CustomerEvent.objects.filter(name="Stage Changed").order_by("id")
                   .values_list("properties__from", "properties__to"))
    assert changes == [("visitor", "prospect"), ("prospect", "customer"), ("customer", "at_risk"),
                       ("at_risk", "lost")]
    lost = CustomerEvent.objects.filter(name="Stage Changed").latest("id")
    assert lost.properties["evidence"]["rule"] == "no_order_lost" and lost.source == "journey"
    assert lost.occurred_at == NOW - timedelta(days=24)
    journey.recompute(customer.pk)  # nothing changed: no new event
    assert CustomerEvent.objects.filter(name="Stage Changed").count() == 4


def test_a_message_makes_a_lead_a_prospect_and_a_participant(write_in):
    customer = write_in("+5511999990002", text="Do you have it in blue?")
    record = Journey.objects.get(customer=customer)
    assert (record.stage, record.profile_class) == ("prospect", "participant")
    assert record.stage_evidence["rule"] == "interest" and record.stage_evidence["name"] == "message"


def test_an_observer_reads_but_never_writes(write_in, api_channel):
    customer = write_in("+5511999990003")
    Message.objects.filter(conversation__customer=customer).update(direction=Message.Direction.OUTBOUND,
                                                                     status=Message.Status.READ)
    assert journey.recompute(customer.pk).profile_class == "observer"


def test_three_referrals_make_an_influencer_and_say_so(admin_api):
    _record(*[event("Referral Made", email="inf@example.com", properties={"referred": f"r{i}"}) for i in range(3)])
    record = Journey.objects.get()
    assert record.profile_class == "influencer" and record.profile_evidence == {"rule": "referrals", "count": 3}
    assert CustomerEvent.objects.filter(name="Profile Class Changed", properties__to="influencer").count() == 1


def test_the_sweep_finds_stages_that_decay_with_time_alone(admin_api):
    _record(order_event("Order Paid", "O-2", email="old@example.com", days_ago=200),
            order_event("Order Paid", "O-3", email="new@example.com", days_ago=20))
    # Computed at the time of the orders, then time passed with no event at all.
    old = Customer.objects.get(identities__address="old@example.com")
    Journey.objects.filter(customer=old).update(stage="customer")
    stale = set(journey.stale_journeys())
    assert old.pk in stale and len(stale) == 1
    from customers.tasks import sweep_journeys

    sweep_journeys()
    assert Journey.objects.get(customer=old).stage == "at_risk"


def test_totals_follow_paid_orders_only(admin_api):
    _record(order_event("Order Paid", "T-1", total="50.00", email="t@example.com"),
            order_event("Order Placed", "T-2", total="70.00", email="t@example.com"),
            order_event("Order Paid", "T-3", total="25.50", email="t@example.com"))
    record = Journey.objects.get()
    assert (record.paid_orders, record.revenue, record.stage) == (2, Decimal("75.50"), "repeat")


def test_a_merge_joins_two_records_journeys_and_undoing_it_splits_them(write_in, admin_user,
                                                                        django_capture_on_commit_callbacks):
    from conversations.actions.merge import merge_customers, undo_merge

    phone = write_in("+5511999990005")
    events.record([order_event("Order Paid", "P-1", customer={"id": phone.pk}, days_ago=30),
                   order_event("Order Paid", "E-1", email="same.person@example.com", days_ago=10)])
    email = Customer.objects.get(identities__address="same.person@example.com")
    assert Journey.objects.get(customer=phone).stage == "customer"
    with django_capture_on_commit_callbacks(execute=True):
        record = merge_customers(email, phone, admin_user)
    kept = Journey.objects.get(customer=phone)
    assert (kept.stage, kept.paid_orders) == ("repeat", 2)
    # An event sent for the merged record lands on the kept one.
    [result] = events.record([event("Product Viewed", customer={"id": email.pk})])
    assert result.customer == phone.pk
    with django_capture_on_commit_callbacks(execute=True):
        undo_merge(record, admin_user)
    assert Journey.objects.get(customer=phone).stage == "customer"
    assert Journey.objects.get(customer=email).paid_orders == 1


def test_a_message_of_a_settled_customer_costs_one_query(write_in, django_assert_num_queries):
    from customers.tasks import journey_after_message

    customer = write_in("+5511999990006")
    assert Journey.objects.get(customer=customer).stage == "prospect"
    with django_assert_num_queries(1):
        journey_after_message(customer.pk)
