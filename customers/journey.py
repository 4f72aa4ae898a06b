"""The journey rules, as pure functions of a customer's facts: stage and profile class, with evidence.

visitor -> lead (an identity we can reach) -> prospect (a question or interest
before buying) -> customer (a paid order) -> repeat (2+ paid orders in 365
days) -> at risk (no order for max(180 days, twice their own median gap)) ->
lost (no order for more than 365 days). Days are calendar days in the shop's
time zone: an order 180 days ago is not at risk yet, 181 days ago is.
"""
import statistics
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

REACHABLE_KINDS = ("email", "phone", "messenger", "instagram", "telegram")
REPEAT_WINDOW_DAYS = 365
AT_RISK_MIN_DAYS = 180
LOST_AFTER_DAYS = 365


@dataclass(frozen=True)
class Facts:
    reachable: tuple = ()  # (kind, address) of the first reachable identity
    interest: dict = field(default_factory=dict)  # {"name": ..., "count": ..., "at": ...} or a message
    paid_orders: tuple = ()  # ((placed_at, number), ...) oldest first
    referrals: int = 0
    declared_audience: int = 0
    replies: int = 0
    ratings: int = 0
    reviews: int = 0
    reads: int = 0


def _day(moment):
    return timezone.localtime(moment).date()


def days_between(earlier, later):
    return (_day(later) - _day(earlier)).days


def at_risk_after_days(order_dates):
    """max(180, 2x the customer's own median gap between paid orders), in days."""
    gaps = [days_between(a, b) for a, b in zip(order_dates, order_dates[1:])]
    return max(AT_RISK_MIN_DAYS, 2 * statistics.median(gaps)) if gaps else AT_RISK_MIN_DAYS


def stage_of(facts, now):
    """(stage, evidence) for `facts` at `now`; evidence is JSON the panel explains."""
    if facts.paid_orders:
        dates = [placed for placed, _number in facts.paid_orders]
        last_at, last_number = facts.paid_orders[-1]
        idle = days_between(last_at, now)
        last = {"order": last_number, "at": last_at.isoformat(), "days": idle}
        if idle > LOST_AFTER_DAYS:
            return "lost", {"rule": "no_order_lost", **last, "limit": LOST_AFTER_DAYS}
        limit = at_risk_after_days(dates)
        if idle > limit:
            return "at_risk", {"rule": "no_order_at_risk", **last, "limit": limit}
        recent = [moment for moment in dates if days_between(moment, now) <= REPEAT_WINDOW_DAYS]
        if len(recent) >= 2:
            return "repeat", {"rule": "repeat_orders", "orders": len(recent), **last}
        return "customer", {"rule": "paid_order", **last}
    if facts.interest:
        return "prospect", {"rule": "interest", **facts.interest}
    if facts.reachable:
        kind, address = facts.reachable
        return "lead", {"rule": "reachable", "kind": kind, "address": address}
    return "visitor", {"rule": "unknown"}


def profile_class_of(facts):
    """(class, evidence): influencer > participant > observer > not known yet."""
    min_referrals = settings.CUSTOMER_INFLUENCER_MIN_REFERRALS
    min_audience = settings.CUSTOMER_INFLUENCER_MIN_AUDIENCE
    if facts.referrals >= min_referrals:
        return "influencer", {"rule": "referrals", "count": facts.referrals}
    if facts.declared_audience >= min_audience:
        return "influencer", {"rule": "audience", "count": facts.declared_audience}
    if facts.replies or facts.ratings or facts.reviews:
        return "participant", {"rule": "participates", "replies": facts.replies, "ratings": facts.ratings,
                               "reviews": facts.reviews}
    if facts.reads:
        return "observer", {"rule": "reads_only", "reads": facts.reads}
    return "", {}
