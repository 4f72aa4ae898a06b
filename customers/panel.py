"""The Customer 360 part of the console's customer panel: a fixed number of bounded, indexed queries.

One timeline (messages, page views, events, orders) a page at a time, purchase totals, channel mix,
products viewed before writing, suggestions with their evidence, journey with its evidence.
Whatever the customer's history, each query reads one customer's (or conversation's) rows through an
index, and the timeline never more than a page of each source.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, NullIf, Substr
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conversations.models import Conversation, Message, Touchpoint

from . import recommendations, vocabulary
from .actions.journey import people_of
from .models import CustomerEvent, CustomerEventCounter, Journey, Order, OrderItem

TIMELINE_PAGE = 10
# "Viewed SKU 123 twice, then asked on WhatsApp": product views in the week before the last message.
VIEWS_BEFORE_WRITING = timedelta(days=7)
PRODUCTS_SHOWN = 5
ACTIVITY_SHOWN = 8
# Suggestions start from what the customer bought in their latest paid orders.
ORDERS_FOR_SUGGESTIONS = 20
TITLE_LENGTH = 120
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # message | page | event | order
    at: datetime
    title: str
    detail: str = ""
    channel: str = ""


@dataclass(frozen=True)
class Cursor:
    """Where a timeline page ended: entries are ordered by time, then source, then id, newest first."""

    at: datetime
    rank: int
    id: int

    def __str__(self):
        return f"{self.at.isoformat()}~{self.rank}~{self.id}"

    @classmethod
    def parse(cls, raw):
        """The cursor of a "show older" link, or ValueError."""
        at, _sep, rest = (raw or "").partition("~")
        rank, _sep, pk = rest.partition("~")
        try:
            moment = parse_datetime(at)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None or not rank.isdigit() or not pk.isdigit():
            raise ValueError(raw)
        return cls(moment, int(rank), int(pk))


def panel_conversations():
    """Conversations with what the panel reads of them in the same query: customer, journey, the time and
    channel of the customer's last message."""
    last_inbound = (Message.objects.filter(conversation=OuterRef("pk"), direction=Message.Direction.INBOUND)
                    .order_by("-created_at", "-id").values("created_at")[:1])
    return (Conversation.objects.select_related("customer__journey", "last_inbound_channel")
            .annotate(last_inbound_at=Subquery(last_inbound)))


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


def _text(value):
    return Value(value, output_field=CharField())


def _json_text(key):
    return KeyTextTransform(key, "properties")


# The timeline's sources, in the order their entries sort at the same instant (rank: higher first), each
# as the same seven columns so that one UNION ALL reads a page of all of them.
MESSAGE, PAGE, EVENT, ORDER = 3, 2, 1, 0
COLUMNS = ("t_at", "t_rank", "t_id", "t_a", "t_b", "t_c", "t_d")


def _source(queryset, time_field, rank, a, b, c, d, cursor):
    """A page of one source (its newest rows past `cursor`, read through its timeline index) as COLUMNS."""
    if cursor is not None:
        if rank > cursor.rank:
            queryset = queryset.filter(**{f"{time_field}__lt": cursor.at})
        elif rank < cursor.rank:
            queryset = queryset.filter(**{f"{time_field}__lte": cursor.at})
        else:
            queryset = queryset.filter(Q(**{f"{time_field}__lt": cursor.at}) | Q(**{time_field: cursor.at,
                                                                                     "id__lt": cursor.id}))
    # The page's ids as a subquery: SQLite allows no LIMIT in a part of a UNION, but does in an IN.
    newest = queryset.order_by(f"-{time_field}", "-id").values("pk")[:TIMELINE_PAGE + 1]
    columns = dict(zip(COLUMNS, (F(time_field), Value(rank, output_field=IntegerField()), F("id"), a, b, c, d)))
    return queryset.model.objects.filter(pk__in=newest).order_by().annotate(**columns).values(*COLUMNS)


def _entry(row, stages, classes, statuses):
    rank, a, b, c, d = row["t_rank"], row["t_a"] or "", row["t_b"] or "", row["t_c"] or "", row["t_d"] or ""
    at = row["t_at"]
    if rank == MESSAGE:
        return TimelineEntry("message", at, a or _("(attachment)"),
                             _("customer") if b == Message.Direction.INBOUND else _("agent"), c)
    if rank == PAGE:
        return TimelineEntry("page", at, a or b, b)
    if rank == EVENT:
        if a == vocabulary.STAGE_CHANGED:
            return TimelineEntry("event", at, _("Stage: %(from)s → %(to)s") % {
                "from": stages.get(c, c), "to": stages.get(d, d)})
        if a == vocabulary.PROFILE_CLASS_CHANGED:
            return TimelineEntry("event", at, _("Profile: %(from)s → %(to)s") % {
                "from": classes.get(c, c), "to": classes.get(d, d)})
        return TimelineEntry("event", at, a, b[:TITLE_LENGTH])
    return TimelineEntry("order", at, _("Order %(number)s") % {"number": a}, f"{statuses.get(b, b)} · {c} {d}")


def timeline(conversation, people, cursor=None):
    """([TimelineEntry], the cursor of the next page or None): one page, newest first, in one query."""
    messages = _source(
        Message.objects.filter(conversation=conversation,
                               direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND]),
        "created_at", MESSAGE, Substr("text", 1, TITLE_LENGTH), F("direction"), F("channel__name"), _text(""), cursor)
    pages = _source(Touchpoint.objects.filter(customer_id__in=people), "viewed_at", PAGE,
                    Substr("title", 1, TITLE_LENGTH), F("url"), _text(""), _text(""), cursor)
    events = _source(
        CustomerEvent.objects.filter(customer_id__in=people).exclude(name__in=vocabulary.ORDER_EVENTS),
        "occurred_at", EVENT, F("name"),
        Coalesce(_json_text("name"), _json_text("sku"), _json_text("order_id")), _json_text("from"), _json_text("to"),
        cursor)
    orders = _source(Order.objects.filter(customer_id__in=people), "placed_at", ORDER,
                     Coalesce(NullIf("number", _text("")), "external_id"), F("status"),
                     Cast("total", CharField()), F("currency"), cursor)
    rows = list(messages.union(pages, events, orders, all=True).order_by("-t_at", "-t_rank", "-t_id")[
        :TIMELINE_PAGE + 1])
    stages, classes = dict(Journey.Stage.choices), dict(Journey.ProfileClass.choices)
    statuses = dict(Order.Status.choices)
    entries = [_entry(row, stages, classes, statuses) for row in rows[:TIMELINE_PAGE]]
    last = rows[TIMELINE_PAGE - 1] if len(rows) > TIMELINE_PAGE else None
    return entries, (Cursor(last["t_at"], last["t_rank"], last["t_id"]) if last else None)


def purchase_totals(people):
    """Per currency: paid orders, revenue, average ticket, last purchase."""
    rows = (Order.objects.filter(customer_id__in=people, status=Order.Status.PAID).values("currency")
            .annotate(orders=Count("id"), revenue=Sum("total"), last=Max("placed_at")).order_by("-revenue"))
    # SQLite sums decimals without their scale: money is shown with its two decimals everywhere.
    return [{**row, "revenue": row["revenue"].quantize(CENTS),
             "average": (row["revenue"] / row["orders"]).quantize(CENTS)} for row in rows]


def channel_mix(conversation):
    """Messages the customer sent per channel, most first, and the channel of their first contact."""
    mix = list(Message.objects.filter(conversation=conversation, direction=Message.Direction.INBOUND)
               .exclude(channel=None).values("channel_id", "channel__name", "channel__kind")
               .annotate(messages=Count("id"), first=Min("created_at")).order_by("-messages", "channel__name"))
    first = min(mix, key=lambda row: row["first"])["channel__name"] if mix else None
    return {"channels": mix, "first_channel": first}


def products_viewed_before_writing(conversation, people):
    """Products the customer viewed in the week before their last message (`panel_conversations` reads when)."""
    last = conversation.last_inbound_at
    if last is None:
        return None
    views = list(CustomerEvent.objects.filter(
        customer_id__in=people, name=vocabulary.PRODUCT_VIEWED,
        occurred_at__gte=last - VIEWS_BEFORE_WRITING, occurred_at__lte=last,
    ).annotate(sku=KeyTextTransform("sku", "properties")).exclude(sku=None).values("sku")
        .annotate(views=Count("id"), name=Max(KeyTextTransform("name", "properties")), last=Max("occurred_at"))
        .order_by("-views", "-last")[:PRODUCTS_SHOWN])
    if not views:
        return None
    channel = conversation.last_inbound_channel
    return {"products": [{"sku": v["sku"], "name": v["name"], "views": v["views"]} for v in views],
            "channel": channel.name if channel else "", "at": last}


def suggested_products(people):
    latest = (Order.objects.filter(customer_id__in=people, status=Order.Status.PAID)
              .order_by("-placed_at", "-id").values("pk")[:ORDERS_FOR_SUGGESTIONS])
    return recommendations.suggestions_for(OrderItem.objects.filter(order_id__in=latest).values("sku"))


def journey_of(customer):
    """The journey `panel_conversations` read with the customer, or None for a customer with none yet."""
    try:
        return customer.journey
    except ObjectDoesNotExist:
        return None


def panel_facts(conversation):
    """Everything the sections show, for a conversation read by `panel_conversations`."""
    customer = conversation.customer
    people = people_of(customer)
    journey = journey_of(customer)
    entries, more = timeline(conversation, people)
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
            name__in=vocabulary.RESERVED).order_by("-last_at")[:ACTIVITY_SHOWN]),
        "customer_timeline": entries,
        "timeline_more": more,
    }
