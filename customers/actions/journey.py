"""Recompute a customer's journey from their facts; every change of stage or class is an event of its own."""
import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from conversations import events
from conversations.models import Conversation, CsatRating, Customer, Identity, Message

from .. import journey as rules
from .. import vocabulary
from ..models import CustomerEventCounter, Journey, Order
from .counting import store_event

JOURNEY_SOURCE = "journey"
AUDIENCE_ATTRIBUTES = ("audience", "followers")


def _declared_audience(attributes):
    best = 0
    for key in AUDIENCE_ATTRIBUTES:
        value = (attributes or {}).get(key)
        try:
            best = max(best, int(Decimal(str(value)))) if value not in (None, "", True, False) else best
        except (ArithmeticError, ValueError):
            continue
    return best


def people_of(customer):
    """The customer and those merged into them (until a merge is undone): one person's facts."""
    return [customer.pk, *Customer.objects.filter(merged_into=customer).values_list("pk", flat=True)]


def _merged_counters(people):
    """Counters of one person over their merged records: counts added, first and last across them."""
    counters = {}
    for row in CustomerEventCounter.objects.filter(
            customer_id__in=people,
            name__in=[*vocabulary.INTEREST_EVENTS, vocabulary.REFERRAL_MADE, vocabulary.REVIEW_WRITTEN],
    ).values("name", "count", "first_at"):
        kept = counters.get(row["name"])
        counters[row["name"]] = row if kept is None else {
            "name": row["name"], "count": kept["count"] + row["count"],
            "first_at": min(kept["first_at"], row["first_at"])}
    return counters


def gather_facts(customer, people):
    customer_id = customer.pk
    reachable = (Identity.objects.filter(customer_id=customer_id, kind__in=rules.REACHABLE_KINDS)
                 .order_by("created_at", "id").values_list("kind", "address").first())
    paid = tuple(Order.objects.filter(customer_id__in=people, status=Order.Status.PAID)
                 .order_by("placed_at", "id").values_list("placed_at", "number"))
    counters = _merged_counters(people)
    inbound = Message.objects.filter(conversation__customer_id=customer_id, direction=Message.Direction.INBOUND)
    written = inbound.aggregate(count=Count("id"), first=Min("created_at"))
    reads = Message.objects.filter(conversation__customer_id=customer_id, direction=Message.Direction.OUTBOUND,
                                   status=Message.Status.READ).count()
    interest = {}
    interest_rows = [counters[name] for name in vocabulary.INTEREST_EVENTS if name in counters]
    if interest_rows:
        first = min(interest_rows, key=lambda row: row["first_at"])
        interest = {"name": first["name"], "count": first["count"], "at": first["first_at"].isoformat()}
    elif written["count"]:
        first_message = inbound.select_related("channel").order_by("created_at", "id").first()
        interest = {"name": "message", "count": written["count"], "at": written["first"].isoformat(),
                    "channel": first_message.channel.name if first_message.channel_id else ""}
    return rules.Facts(
        reachable=tuple(reachable or ()),
        interest=interest,
        paid_orders=paid,
        referrals=counters.get(vocabulary.REFERRAL_MADE, {}).get("count", 0),
        reviews=counters.get(vocabulary.REVIEW_WRITTEN, {}).get("count", 0),
        declared_audience=_declared_audience(customer.attributes),
        replies=written["count"],
        ratings=CsatRating.objects.filter(cycle__conversation__customer_id__in=people).count(),
        reads=reads,
    )


def _announce(customer_id):
    """An open console re-reads the panel: the stage or class it shows has changed. Only where the
    conversation is open: no inbox row changed, so nobody else gets a frame."""
    conversation = Conversation.objects.filter(customer_id=customer_id).select_related("customer").first()
    if conversation is not None:
        events.emit(events.CONVERSATION_UPDATED, conversation, [events.conversation_group(conversation.pk)])


def _change_event(customer, name, before, after, evidence, now):
    store_event(customer, name, {"from": before, "to": after, "evidence": evidence}, now, JOURNEY_SOURCE,
                f"{name}:{customer.pk}:{uuid.uuid4().hex}", now)


@transaction.atomic
def recompute(customer_id, now=None, announce=False):
    """Stage, class and order totals of one customer from their facts now; returns the Journey.

    An open console is told when the stage or class changed (or always, with `announce`: new events)."""
    now = now or timezone.now()
    customer = Customer.objects.get(pk=customer_id)
    journey, _created = Journey.objects.select_for_update().get_or_create(customer_id=customer_id)
    people = people_of(customer)
    facts = gather_facts(customer, people)
    stage, stage_evidence = rules.stage_of(facts, now)
    profile_class, profile_evidence = rules.profile_class_of(facts)
    totals = Order.objects.filter(customer_id__in=people, status=Order.Status.PAID).aggregate(
        revenue=Sum("total"), first=Min("placed_at"), last=Max("placed_at"), count=Count("id"))
    changed = stage != journey.stage or profile_class != journey.profile_class
    if stage != journey.stage:
        _change_event(customer, vocabulary.STAGE_CHANGED, journey.stage, stage, stage_evidence, now)
        journey.stage, journey.stage_since = stage, now
    if profile_class != journey.profile_class:
        _change_event(customer, vocabulary.PROFILE_CLASS_CHANGED, journey.profile_class, profile_class,
                      profile_evidence, now)
        journey.profile_class = profile_class
    if changed or announce:
        _announce(customer_id)
    journey.stage_evidence, journey.profile_evidence = stage_evidence, profile_evidence
    journey.paid_orders = totals["count"]
    journey.revenue = totals["revenue"] or Decimal("0")
    journey.first_order_at, journey.last_order_at = totals["first"], totals["last"]
    journey.updated_at = now
    journey.save()
    return journey


def stale_journeys(now=None):
    """Customers whose stage may decay with time alone (no event): recomputed by the daily sweep."""
    now = now or timezone.now()
    threshold = now - timedelta(days=rules.AT_RISK_MIN_DAYS)
    return Journey.objects.filter(Q(last_order_at__lt=threshold) & ~Q(stage="lost") | Q(stage="repeat")).values_list(
        "customer_id", flat=True)
