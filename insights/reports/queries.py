"""The reports: every number comes from the rollups (insights.models), never from a scan of messages."""
from collections import defaultdict
from datetime import timedelta, timezone as dt_timezone

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conversations.models import Channel, Identity, Label, Team, Touchpoint
from conversations.visibility import display_name
from customers.models import Order

from ..models import CycleFact, DailyMessages, Level, HourlyMessages, HourlySentiment, ResponseFact
from .registry import Chart, Column, Figure, Report, Table, report
from .stats import PercentileDisc, nearest_rank, percentiles, percentiles_of

# Identities an agent can write to first (a visitor who left one of these is a lead).
REACHABLE_KINDS = ("email", "phone")


def _scoped(queryset, filters, agent=True, channel_field="channel_key"):
    if filters.team_ids is not None:
        queryset = queryset.filter(team_id__in=filters.team_ids)
    if filters.channel_key:
        queryset = queryset.filter(**{channel_field: filters.channel_key})
    if agent and filters.agent_id:
        queryset = queryset.filter(agent_id=filters.agent_id)
    return queryset


def _between(field, filters):
    return {f"{field}__gte": filters.start, f"{field}__lt": filters.end}


def cycles(filters, field):
    return _scoped(CycleFact.objects.filter(**_between(field, filters)), filters)


def responses(filters):
    return _scoped(ResponseFact.objects.filter(**_between("answered_at", filters)), filters)


VOLUME = {"inbound": Sum("inbound"), "outbound": Sum("outbound"), "calls": Sum("calls")}
LEVEL_OF = {"channel_key": Level.CHANNEL, "team_id": Level.TEAM, "agent_id": Level.AGENT}


def _level(queryset, used):
    """Rows of the rollup level that holds exactly the `used` dimension (totals over the others), or the
    full rows when two or more are used."""
    if not used:
        return queryset.filter(level=Level.TOTAL)
    if len(used) == 1:
        return queryset.filter(level=LEVEL_OF[next(iter(used))])
    return queryset.filter(level=Level.FULL)


def _used(filters, group, dimensions):
    used = {group} if group else set()
    if filters.team_ids is not None:
        used.add("team_id")
    if filters.channel_key:
        used.add("channel_key")
    if filters.agent_id and "agent_id" in dimensions:
        used.add("agent_id")
    return used


def hourly_messages(filters, group=None):
    dimensions = ("channel_key", "team_id", "agent_id")
    queryset = _level(HourlyMessages.objects.filter(**_between("hour", filters)), _used(filters, group, dimensions))
    return _scoped(queryset, filters)


def _utc_midnight(value, later=False):
    midnight = value.astimezone(dt_timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(days=1) if later and midnight != value else midnight


def messages_per(filters, field):
    """{value of field: {"inbound", "outbound", "calls"}} over the period, for a breakdown by one dimension.

    The whole UTC days inside the period are read from DailyMessages, the hours at its two ends from
    HourlyMessages: about a row per day and value instead of one per hour.
    """
    dimensions = ("channel_key", "team_id", "agent_id")
    used = _used(filters, field, dimensions)
    first_day, last_day = _utc_midnight(filters.start, later=True), _utc_midnight(filters.end)
    totals = defaultdict(lambda: {"inbound": 0, "outbound": 0, "calls": 0})
    if len(used) > 1 or first_day >= last_day:
        parts = [hourly_messages(filters, field)]
    else:
        edges = Q(hour__lt=first_day) | Q(hour__gte=last_day)
        days = DailyMessages.objects.filter(level=LEVEL_OF[field], day__gte=first_day, day__lt=last_day)
        parts = [hourly_messages(filters, field).filter(edges), _scoped(days, filters)]
    for part in parts:
        for row in part.values(field).annotate(**VOLUME):
            for key in ("inbound", "outbound", "calls"):
                totals[row[field]][key] += row[key] or 0
    return totals


def hourly_sentiment(filters, group=None):
    dimensions = ("channel_key", "team_id")
    queryset = _level(HourlySentiment.objects.filter(**_between("hour", filters)), _used(filters, group, dimensions))
    return _scoped(queryset, filters, agent=False)


def _grouped_median(queryset, group, field):
    """{group value: median of field} for the rows of `queryset`."""
    queryset = queryset.filter(**{f"{field}__isnull": False})
    if connection.vendor == "postgresql":
        rows = queryset.values(group).annotate(m=PercentileDisc(field, 0.5)).values_list(group, "m")
        return dict(rows)
    values = defaultdict(list)
    for key, value in queryset.values_list(group, field):
        values[key].append(value)
    return {key: nearest_rank(sorted(found), 0.5) for key, found in values.items()}


def _times(queryset, calendar_field, business_field, key, label):
    # Both are set on the same rows (a response or resolution has both times): one query for the four.
    found = percentiles_of(queryset, (calendar_field, business_field))
    calendar, business = found[calendar_field], found[business_field]
    return [
        Figure(f"{key}_median", _("%(what)s, median") % {"what": label}, calendar[0.5], "duration"),
        Figure(f"{key}_p90", _("%(what)s, 90th percentile") % {"what": label}, calendar[0.9], "duration"),
        Figure(f"{key}_business_median", _("%(what)s in business time, median") % {"what": label},
               business[0.5], "duration"),
        Figure(f"{key}_business_p90", _("%(what)s in business time, 90th percentile") % {"what": label},
               business[0.9], "duration"),
    ]


RESOLVED_COUNTS = {"n": Count("*"), "rated": Count("csat_rating"), "rating_sum": Sum("csat_rating")}


def _csat_figures(found):
    """From the sums of resolved cycles (RESOLVED_COUNTS): the average, answers and response rate."""
    resolved, rated = found.get("n") or 0, found.get("rated") or 0
    return [
        Figure("csat_average", _("CSAT, average (1-5)"), (found.get("rating_sum") or 0) / rated if rated else None,
               "rating"),
        Figure("csat_responses", _("CSAT answers"), rated),
        Figure("csat_response_rate", _("CSAT response rate"), rated / resolved if resolved else None, "percent"),
    ]


# Of the cycles opened in the period: their decided SLA clocks, met in time and breached.
SLA_COUNTS = {
    "sla_met": Sum("sla_met"), "sla_breached": Sum("sla_breached"),
    "sla_first_met": Count("sla_first_response", filter=Q(sla_first_response=True)),
    "sla_first_decided": Count("sla_first_response"),
    "sla_resolution_met": Count("sla_resolution", filter=Q(sla_resolution=True)),
    "sla_resolution_decided": Count("sla_resolution"),
}


def _rate(part, whole):
    return part / whole if whole else None


def sla_hit_rate(found):
    met = found.get("sla_met") or 0
    return _rate(met, met + (found.get("sla_breached") or 0))


def _sla_figures(found):
    return [
        Figure("sla_hit_rate", _("SLA hit rate"), sla_hit_rate(found), "percent"),
        Figure("sla_breached", _("SLA breaches"), found.get("sla_breached") or 0),
        Figure("sla_first_response_hit_rate", _("First response SLA hit rate"),
               _rate(found.get("sla_first_met") or 0, found.get("sla_first_decided") or 0), "percent"),
        Figure("sla_resolution_hit_rate", _("Resolution SLA hit rate"),
               _rate(found.get("sla_resolution_met") or 0, found.get("sla_resolution_decided") or 0), "percent"),
    ]


def _totals(rows, keys):
    return {key: sum(row.get(key) or 0 for row in rows) for key in keys}


def _by_day(queryset, field, filters, **aggregates):
    rows = (queryset.annotate(day=TruncDate(field, tzinfo=filters.zone)).values("day")
            .annotate(**aggregates).order_by("day"))
    return {row["day"]: row for row in rows}


DAY = Column("day", gettext_lazy("Day"), "date")


@report("overview", gettext_lazy("Overview"))
def overview(filters, title):
    # One query per rollup index: the per-day rows, and the period's totals summed from them.
    opened = _by_day(cycles(filters, "opened_at"), "opened_at", filters, n=Count("*"), **SLA_COUNTS)
    resolved = _by_day(cycles(filters, "resolved_at"), "resolved_at", filters, **RESOLVED_COUNTS)
    volume = _by_day(hourly_messages(filters), "hour", filters, **VOLUME)
    rows = [
        {"day": day.isoformat(), "opened": opened.get(day, {}).get("n", 0), "resolved": resolved.get(day, {}).get("n", 0),
         "messages_in": volume.get(day, {}).get("inbound", 0), "messages_out": volume.get(day, {}).get("outbound", 0),
         "calls": volume.get(day, {}).get("calls", 0), "sla_hit_rate": sla_hit_rate(opened.get(day, {}))}
        for day in filters.days()
    ]
    summary = [
        Figure("opened", _("Conversations opened"), sum(r["opened"] for r in rows)),
        Figure("resolved", _("Conversations resolved"), sum(r["resolved"] for r in rows)),
        Figure("messages_in", _("Messages in"), sum(r["messages_in"] for r in rows)),
        Figure("messages_out", _("Messages out"), sum(r["messages_out"] for r in rows)),
        Figure("calls", _("Calls"), sum(r["calls"] for r in rows)),
        *_times(cycles(filters, "first_response_at"), "first_response_seconds", "first_response_business_seconds",
                "first_response", _("First response")),
        *_times(responses(filters), "seconds", "business_seconds", "next_response", _("Next response")),
        *_times(cycles(filters, "resolved_at"), "resolution_seconds", "resolution_business_seconds",
                "resolution", _("Resolution")),
        *_csat_figures(_totals(resolved.values(), RESOLVED_COUNTS)),
        *_sla_figures(_totals(opened.values(), SLA_COUNTS)),
    ]
    table = Table("per_day", _("Per day"), [
        DAY, Column("opened", _("Opened")), Column("resolved", _("Resolved")),
        Column("messages_in", _("Messages in")), Column("messages_out", _("Messages out")), Column("calls", _("Calls")),
        Column("sla_hit_rate", _("SLA hit rate"), "percent"),
    ], rows)
    return Report("overview", title, summary, [table], [
        Chart("line", "per_day", "day", ("opened", "resolved"), _("Conversations")),
        Chart("bar", "per_day", "day", ("messages_in", "messages_out", "calls"), _("Messages and calls")),
    ])


@report("response-times", gettext_lazy("Response times"))
def response_times(filters, title):
    first = _grouped_median(
        cycles(filters, "first_response_at").annotate(day=TruncDate("first_response_at", tzinfo=filters.zone)),
        "day", "first_response_seconds")
    later = _grouped_median(
        responses(filters).annotate(day=TruncDate("answered_at", tzinfo=filters.zone)), "day", "seconds")
    resolution = _grouped_median(
        cycles(filters, "resolved_at").annotate(day=TruncDate("resolved_at", tzinfo=filters.zone)),
        "day", "resolution_seconds")
    rows = [{"day": day.isoformat(), "first_response": first.get(day), "next_response": later.get(day),
             "resolution": resolution.get(day)} for day in filters.days()]
    summary = [
        *_times(cycles(filters, "first_response_at"), "first_response_seconds", "first_response_business_seconds",
                "first_response", _("First response")),
        *_times(responses(filters), "seconds", "business_seconds", "next_response", _("Next response")),
        *_times(cycles(filters, "resolved_at"), "resolution_seconds", "resolution_business_seconds",
                "resolution", _("Resolution")),
    ]
    table = Table("per_day", _("Medians per day"), [
        DAY, Column("first_response", _("First response"), "duration"),
        Column("next_response", _("Next response"), "duration"), Column("resolution", _("Resolution"), "duration"),
    ], rows)
    return Report("response-times", title, summary, [table], [
        Chart("line", "per_day", "day", ("first_response", "next_response"), _("Median response times")),
    ])


@report("csat", gettext_lazy("Customer satisfaction"))
def csat(filters, title):
    counts = dict(cycles(filters, "resolved_at").values_list("csat_rating").annotate(n=Count("*")))
    rated = sum(n for rating, n in counts.items() if rating is not None)
    summary = _csat_figures({"n": sum(counts.values()), "rated": rated,
                             "rating_sum": sum(rating * n for rating, n in counts.items() if rating is not None)})
    rows = [{"rating": rating, "answers": counts.get(rating, 0),
             "share": counts.get(rating, 0) / rated if rated else None} for rating in range(1, 6)]
    table = Table("distribution", _("Distribution"), [
        Column("rating", _("Rating"), "rating"), Column("answers", _("Answers")), Column("share", _("Share"), "percent"),
    ], rows)
    return Report("csat", title, summary, [table], [Chart("bar", "distribution", "rating", ("answers",), _("Ratings"))])


WEEKDAYS = [gettext_lazy("Monday"), gettext_lazy("Tuesday"), gettext_lazy("Wednesday"), gettext_lazy("Thursday"),
            gettext_lazy("Friday"), gettext_lazy("Saturday"), gettext_lazy("Sunday")]


@report("heatmap", gettext_lazy("Messages in by day and hour"))
def heatmap(filters, title):
    counts = (hourly_messages(filters)
              .annotate(weekday=ExtractIsoWeekDay("hour", tzinfo=filters.zone), at=ExtractHour("hour", tzinfo=filters.zone))
              .values("weekday", "at").annotate(n=Sum("inbound")))
    grid = defaultdict(int)
    for row in counts:
        grid[(row["weekday"], row["at"])] += row["n"] or 0
    rows = [{"weekday": str(WEEKDAYS[day - 1]), **{f"h{hour:02d}": grid[(day, hour)] for hour in range(24)}}
            for day in range(1, 8)]
    columns = [Column("weekday", _("Day of the week"), "text")] + [
        Column(f"h{hour:02d}", f"{hour:02d}h") for hour in range(24)]
    busiest = max(grid.items(), key=lambda item: item[1], default=None)
    summary = [Figure("messages_in", _("Messages in"), sum(grid.values()))]
    if busiest and busiest[1]:
        (day, hour), _count = busiest
        summary.append(Figure("busiest", _("Busiest hour"), f"{WEEKDAYS[day - 1]} {hour:02d}h", "text"))
    table = Table("grid", _("Messages in"), columns, rows)
    return Report("heatmap", title, summary, [table],
                  [Chart("heatmap", "grid", "weekday", tuple(f"h{hour:02d}" for hour in range(24)), title)])


BREAKDOWN_COLUMNS = [
    Column("opened", gettext_lazy("Opened")), Column("resolved", gettext_lazy("Resolved")),
    Column("messages_in", gettext_lazy("Messages in")), Column("messages_out", gettext_lazy("Messages out")),
    Column("first_response_median", gettext_lazy("First response, median"), "duration"),
    Column("resolution_median", gettext_lazy("Resolution, median"), "duration"),
    Column("csat_average", gettext_lazy("CSAT, average"), "rating"),
    Column("sla_hit_rate", gettext_lazy("SLA hit rate"), "percent"),
    Column("calls", gettext_lazy("Calls")),
]


def _breakdown(filters, field, names, messages=True):
    opened = {row[field]: row for row in cycles(filters, "opened_at").values(field)
              .annotate(n=Count("*"), sla_met=Sum("sla_met"), sla_breached=Sum("sla_breached"))}
    resolved_set = cycles(filters, "resolved_at")
    resolved = {row[field]: row for row in resolved_set.values(field)
                .annotate(n=Count("*"), csat_average=Avg("csat_rating"))}
    first = _grouped_median(cycles(filters, "first_response_at"), field, "first_response_seconds")
    resolution = _grouped_median(resolved_set, field, "resolution_seconds")
    volume = {}
    if messages:
        volume = messages_per(filters, field)
    keys = set(opened) | set(resolved) | set(volume)
    rows = [{
        "name": names.get(key) or _("None"), "opened": opened.get(key, {}).get("n", 0),
        "resolved": resolved.get(key, {}).get("n", 0),
        "messages_in": volume.get(key, {}).get("inbound", 0) if messages else None,
        "messages_out": volume.get(key, {}).get("outbound", 0) if messages else None,
        "first_response_median": first.get(key), "resolution_median": resolution.get(key),
        "csat_average": resolved.get(key, {}).get("csat_average"),
        "sla_hit_rate": sla_hit_rate(opened.get(key, {})),
        "calls": volume.get(key, {}).get("calls", 0) if messages else None,
    } for key in keys]
    return sorted(rows, key=lambda row: (-row["opened"], -row["resolved"], str(row["name"])))


def _breakdown_report(name, title, rows, first_label, messages=True):
    columns = [Column("name", first_label, "text")] + [
        c for c in BREAKDOWN_COLUMNS if messages or not (c.key.startswith("messages") or c.key == "calls")]
    table = Table("rows", title, columns, rows)
    summary = [Figure("rows", _("Rows"), len(rows))]
    return Report(name, title, summary, [table], [Chart("bar", "rows", "name", ("opened", "resolved"), title)])


@report("channels", gettext_lazy("Per channel"))
def per_channel(filters, title):
    names = {str(pk): name for pk, name in Channel.objects.values_list("pk", "name")}
    return _breakdown_report("channels", title, _breakdown(filters, "channel_key", names), _("Channel"))


@report("teams", gettext_lazy("Per team"))
def per_team(filters, title):
    names = dict(Team.objects.values_list("pk", "name"))
    return _breakdown_report("teams", title, _breakdown(filters, "team_id", names), _("Team"))


@report("agents", gettext_lazy("Per agent"))
def per_agent(filters, title):
    users = get_user_model().objects.filter(agent__isnull=False).select_related("agent")
    names = {user.pk: display_name(user) for user in users}
    return _breakdown_report("agents", title, _breakdown(filters, "agent_id", names), _("Agent"))


@report("labels", gettext_lazy("Per label"))
def per_label(filters, title):
    # A conversation with two labels counts under each; messages are not kept per label.
    names = dict(Label.objects.values_list("pk", "name"))
    rows = _breakdown(filters, "conversation__labels", names, messages=False)
    return _breakdown_report("labels", title, rows, _("Label"), messages=False)


def _buyers(customer_ids, before):
    """The customers among these with a paid order placed before `before` (a merged customer's orders count)."""
    orders = (Order.objects.filter(status=Order.Status.PAID, placed_at__lt=before)
              .filter(Q(customer_id__in=customer_ids) | Q(customer__merged_into_id__in=customer_ids))
              .values_list("customer_id", "customer__merged_into_id").distinct())
    return {merged_into if merged_into in customer_ids else customer for customer, merged_into in orders}


@report("funnel", gettext_lazy("Funnel per channel"))
def funnel(filters, title):
    touchpoints = Touchpoint.objects.filter(**_between("viewed_at", filters), customer__merged_into__isnull=True)
    if filters.channel_key:
        touchpoints = touchpoints.filter(channel_id=filters.channel_key)
    if filters.team_ids is not None:
        touchpoints = touchpoints.filter(customer__conversation__team_id__in=filters.team_ids)
    visitors = defaultdict(set)
    for channel_id, customer_id in touchpoints.values_list("channel_id", "customer_id").distinct():
        visitors[channel_id].add(customer_id)
    everyone = set().union(*visitors.values()) if visitors else set()
    reachable = set(Identity.objects.filter(customer_id__in=everyone, kind__in=REACHABLE_KINDS)
                    .values_list("customer_id", flat=True).distinct())
    buyers = _buyers(everyone, filters.end) if everyone else set()
    names = dict(Channel.objects.values_list("pk", "name"))
    rows = []
    for channel_id, customers in visitors.items():
        leads, customers_with_order = len(customers & reachable), len(customers & buyers)
        rows.append({"channel": names.get(channel_id) or _("None"), "visitors": len(customers), "leads": leads,
                     "lead_rate": _rate(leads, len(customers)), "customers": customers_with_order,
                     "order_rate": _rate(customers_with_order, len(customers))})
    rows.sort(key=lambda row: (-row["visitors"], str(row["channel"])))
    summary = [
        Figure("visitors", _("Visitors with touchpoints"), len(everyone)),
        Figure("leads", _("Leads with a reachable identity"), len(everyone & reachable)),
        Figure("customers", _("Customers with an order"), len(everyone & buyers)),
        Figure("lead_rate", _("Visitors who became leads"), _rate(len(everyone & reachable), len(everyone)),
               "percent"),
        Figure("order_rate", _("Visitors who ordered"), _rate(len(everyone & buyers), len(everyone)), "percent"),
    ]
    table = Table("rows", title, [
        Column("channel", _("Channel"), "text"), Column("visitors", _("Visitors")), Column("leads", _("Leads")),
        Column("lead_rate", _("Lead rate"), "percent"), Column("customers", _("Customers with an order")),
        Column("order_rate", _("Order rate"), "percent"),
    ], rows)
    return Report("funnel", title, summary, [table],
                  [Chart("bar", "rows", "channel", ("visitors", "leads", "customers"), title)])


@report("hops", gettext_lazy("Channel hops"))
def hops(filters, title):
    opened = cycles(filters, "opened_at")
    hopped = opened.filter(hopped=True)
    pairs = defaultdict(set)
    for customer_id, path in hopped.values_list("customer_id", "hops"):
        channels = path.split(">")
        for before, after in zip(channels, channels[1:]):
            pairs[(before, after)].add(customer_id)
    resolved = cycles(filters, "resolved_at")
    with_hop = percentiles(resolved.filter(hopped=True), "resolution_seconds", (0.5,))[0.5]
    without = percentiles(resolved.filter(hopped=False), "resolution_seconds", (0.5,))[0.5]
    customers = opened.values("customer_id").distinct().count()
    hopping = hopped.values("customer_id").distinct().count()
    summary = [
        Figure("customers_hopped", _("Customers who changed channel"), hopping),
        Figure("share_hopped", _("Share of customers"), hopping / customers if customers else None, "percent"),
        Figure("resolution_with_hop", _("Resolution with a hop, median"), with_hop, "duration"),
        Figure("resolution_without_hop", _("Resolution on one channel, median"), without, "duration"),
        Figure("hop_shortened", _("The hop shortened resolution"),
               None if with_hop is None or without is None else with_hop < without, "boolean"),
    ]
    names = {str(pk): name for pk, name in Channel.objects.values_list("pk", "name")}
    rows = sorted(({"from": names.get(before, before), "to": names.get(after, after), "customers": len(found)}
                   for (before, after), found in pairs.items()),
                  key=lambda row: (-row["customers"], row["from"], row["to"]))
    table = Table("pairs", _("From channel to channel"), [
        Column("from", _("From"), "text"), Column("to", _("To"), "text"), Column("customers", _("Customers")),
    ], rows)
    compare = Table("resolution", _("Resolution time"), [
        Column("path", _("Cycles"), "text"), Column("cycles", _("Resolved")),
        Column("resolution_median", _("Resolution, median"), "duration"),
    ], [
        {"path": _("With a channel hop"), "cycles": resolved.filter(hopped=True).count(),
         "resolution_median": with_hop},
        {"path": _("On one channel"), "cycles": resolved.filter(hopped=False).count(), "resolution_median": without},
    ])
    return Report("hops", title, summary, [table, compare], [Chart("bar", "pairs", "from", ("customers",), title)])


@report("sentiment", gettext_lazy("Sentiment"))
def sentiment(filters, title):
    sums = {"negative": Sum("negative"), "neutral": Sum("neutral"), "positive": Sum("positive"),
            "score": Sum("score_sum")}
    days = _by_day(hourly_sentiment(filters), "hour", filters, **sums)

    def row(found):
        total = sum(found.get(k) or 0 for k in ("negative", "neutral", "positive"))
        return {"negative": found.get("negative") or 0, "neutral": found.get("neutral") or 0,
                "positive": found.get("positive") or 0, "average": (found.get("score") or 0) / total if total else None}

    per_day = [{"day": day.isoformat(), **row(days.get(day, {}))} for day in filters.days()]
    names = {str(pk): name for pk, name in Channel.objects.values_list("pk", "name")}
    per_channel = sorted(
        ({"channel": names.get(found["channel_key"]) or _("None"), **row(found)}
         for found in hourly_sentiment(filters, "channel_key").values("channel_key").annotate(**sums)),
        key=lambda r: (r["average"] if r["average"] is not None else 0, str(r["channel"])))
    totals = row(hourly_sentiment(filters).aggregate(**sums))
    scored = totals["negative"] + totals["neutral"] + totals["positive"]
    summary = [
        Figure("scored", _("Customer messages scored"), scored),
        Figure("average", _("Average score (-1 to 1)"), totals["average"], "score"),
        Figure("negative_share", _("Negative"), totals["negative"] / scored if scored else None, "percent"),
        Figure("positive_share", _("Positive"), totals["positive"] / scored if scored else None, "percent"),
    ]
    counts = [Column("negative", _("Negative")), Column("neutral", _("Neutral")), Column("positive", _("Positive")),
              Column("average", _("Average score"), "score")]
    return Report("sentiment", title, summary, [
        Table("per_day", _("Per day"), [DAY, *counts], per_day),
        Table("per_channel", _("Per channel"), [Column("channel", _("Channel"), "text"), *counts], per_channel),
    ], [
        Chart("stacked", "per_day", "day", ("negative", "neutral", "positive"), _("Customer messages by sentiment")),
        Chart("line", "per_day", "day", ("average",), _("Average score")),
        Chart("bar", "per_channel", "channel", ("negative", "positive"), _("Per channel")),
    ])


