"""The Customer 360 part of the console's customer panel: a fixed number of queries whatever the history.

One timeline (messages, page views, events, orders), purchase totals, channel mix,
products viewed before writing, suggestions with their evidence, journey with its evidence.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conversations.models import Message, Touchpoint

from . import recommendations, vocabulary
from .models import CustomerEvent, CustomerEventCounter, Journey, Order, OrderItem

TIMELINE_SHOWN = 25
PER_SOURCE = 15
# "Viewed SKU 123 twice, then asked on WhatsApp": product views in the week before the last message.
VIEWS_BEFORE_WRITING = timedelta(days=7)
PRODUCTS_SHOWN = 5
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # message | page | event | order
    at: datetime
    title: str
    detail: str = ""
    channel: str = ""


def _people(customer):
    return [customer.pk, *customer.merged_from.values_list("pk", flat=True)]


def explain_stage(journey):
    evidence = journey.stage_evidence or {}
    rule = evidence.get("rule")
    if rule == "reachable":
        return _("Reachable at %(address)s.") % {"address": evidence.get("address", "")}
    if rule == "interest":
        if evidence.get("name") == "message":
            return _("Wrote to us before buying (%(channel)s).") % {"channel": evidence.get("channel") or "-"}
        return ngettext("%(name)s once before buying.", "%(name)s %(count)s times before buying.",
                        evidence.get("count", 1)) % {"name": evidence.get("name"), "count": evidence.get("count", 1)}
    if rule == "paid_order":
        return _("Paid order %(order)s, %(days)s days ago.") % evidence
    if rule == "repeat_orders":
        return _("%(orders)s paid orders in the last 365 days.") % evidence
    if rule == "no_order_at_risk":
        return _("No order for %(days)s days (more than %(limit)s for this customer).") % evidence
    if rule == "no_order_lost":
        return _("No order for %(days)s days (more than %(limit)s).") % evidence
    return _("Nothing known yet.")


def explain_profile(journey):
    evidence = journey.profile_evidence or {}
    rule = evidence.get("rule")
    if rule == "referrals":
        return ngettext("%(count)s referral.", "%(count)s referrals.", evidence["count"]) % evidence
    if rule == "audience":
        return _("Declares an audience of %(count)s.") % evidence
    if rule == "participates":
        return _("%(replies)s messages, %(ratings)s ratings, %(reviews)s reviews.") % evidence
    if rule == "reads_only":
        return ngettext("Read %(reads)s message, never wrote.", "Read %(reads)s messages, never wrote.",
                        evidence["reads"]) % evidence
    return ""


def _event_entry(event):
    properties = event.properties or {}
    if event.name == vocabulary.STAGE_CHANGED:
        stages = dict(Journey.Stage.choices)
        return TimelineEntry("event", event.occurred_at, _("Stage: %(from)s → %(to)s") % {
            "from": stages.get(properties.get("from"), properties.get("from")),
            "to": stages.get(properties.get("to"), properties.get("to"))})
    detail = properties.get("name") or properties.get("sku") or properties.get("order_id") or ""
    return TimelineEntry("event", event.occurred_at, event.name, str(detail)[:120])


def timeline(conversation, people):
    messages = (Message.objects.filter(conversation=conversation, direction__in=[
        Message.Direction.INBOUND, Message.Direction.OUTBOUND]).select_related("channel")
        .order_by("-created_at", "-id")[:PER_SOURCE])
    pages = Touchpoint.objects.filter(customer_id__in=people).order_by("-viewed_at", "-id")[:PER_SOURCE]
    events = CustomerEvent.objects.filter(customer_id__in=people).exclude(
        name__in=vocabulary.ORDER_EVENTS).order_by("-occurred_at", "-id")[:PER_SOURCE]
    orders = Order.objects.filter(customer_id__in=people).order_by("-placed_at", "-id")[:PER_SOURCE]
    statuses = dict(Order.Status.choices)
    entries = [
        *(TimelineEntry("message", m.created_at, (m.text or _("(attachment)"))[:120],
                        _("customer") if m.direction == Message.Direction.INBOUND else _("agent"),
                        m.channel.name if m.channel_id else "") for m in messages),
        *(TimelineEntry("page", p.viewed_at, p.title or p.url, p.url) for p in pages),
        *(_event_entry(e) for e in events),
        *(TimelineEntry("order", o.placed_at, _("Order %(number)s") % {"number": o.number or o.external_id},
                        f"{statuses.get(o.status, o.status)} · {o.total} {o.currency}") for o in orders),
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:TIMELINE_SHOWN]


def purchase_totals(people):
    """Per currency: paid orders, revenue, average ticket, last purchase."""
    rows = (Order.objects.filter(customer_id__in=people, status=Order.Status.PAID).values("currency")
            .annotate(orders=Count("id"), revenue=Sum("total"), last=Max("placed_at")).order_by("-revenue"))
    # SQLite sums decimals without their scale: money is shown with its two decimals everywhere.
    return [{**row, "revenue": row["revenue"].quantize(CENTS),
             "average": (row["revenue"] / row["orders"]).quantize(CENTS)} for row in rows]


def channel_mix(conversation):
    """Messages the customer sent per channel, most first, and the channel of their first contact."""
    inbound = Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
    mix = list(inbound.exclude(channel=None).values("channel__name", "channel__kind")
               .annotate(messages=Count("id")).order_by("-messages", "channel__name"))
    first = inbound.exclude(channel=None).order_by("created_at", "id").values_list("channel__name", flat=True).first()
    return {"channels": mix, "first_channel": first}


def products_viewed_before_writing(conversation, people):
    last = (Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
            .select_related("channel").order_by("-created_at", "-id").first())
    if last is None:
        return None
    views = list(CustomerEvent.objects.filter(
        customer_id__in=people, name=vocabulary.PRODUCT_VIEWED,
        occurred_at__gte=last.created_at - VIEWS_BEFORE_WRITING, occurred_at__lte=last.created_at,
    ).annotate(sku=KeyTextTransform("sku", "properties")).exclude(sku=None).values("sku")
        .annotate(views=Count("id"), name=Max(KeyTextTransform("name", "properties")), last=Max("occurred_at"))
        .order_by("-views", "-last")[:PRODUCTS_SHOWN])
    if not views:
        return None
    return {"products": [{"sku": v["sku"], "name": v["name"], "views": v["views"]} for v in views],
            "channel": last.channel.name if last.channel_id else "", "at": last.created_at}


def suggested_products(people):
    bought = list(OrderItem.objects.filter(order__customer_id__in=people, order__status=Order.Status.PAID)
                  .order_by("sku").values_list("sku", flat=True).distinct()[:50])
    return recommendations.suggestions_for(bought)


def panel_facts(conversation):
    customer = conversation.customer
    people = _people(customer)
    journey = Journey.objects.filter(customer=customer).first()
    return {
        "customer360": customer,
        "journey": journey,
        "stage_evidence": explain_stage(journey) if journey else "",
        "profile_evidence": explain_profile(journey) if journey else "",
        "totals": purchase_totals(people),
        "mix": channel_mix(conversation),
        "viewed": products_viewed_before_writing(conversation, people),
        "suggestions": suggested_products(people),
        "activity": list(CustomerEventCounter.objects.filter(customer_id__in=people).exclude(
            name__in=vocabulary.RESERVED).order_by("-last_at")[:8]),
        "customer_timeline": timeline(conversation, people),
    }
