"""Keeping the report rollups up to date: per-cycle facts and hourly message counts.

Everything here is a recomputation, never an increment: recomputing a conversation's facts or an
hour's counts twice gives the same rows, so the periodic refresh may look at the same data again
(it does, for recent data, because a transaction may commit after a later id was read).

Recomputations run one at a time across processes (a PostgreSQL advisory lock): a refresh and a rebuild
each delete and rewrite rows, and two of them interleaved would each insert what the other just did.
"""
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta, timezone as dt_timezone

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, When
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from conversations.models import Conversation, ConversationEvent, CsatRating, Message
from routing.models import SlaClock, SlaClockEvent, SlaMetric

from ..business_time import business_seconds, calendars_read_once
from ..models import (ANY, ANY_CHANNEL, NO_AGENT, NO_CHANNEL, NO_TEAM, CycleFact, DailyMessages, HourlyMessages,
                      HourlySentiment, Level, MessageSentiment, ResponseFact, RollupCursor)

# Data younger than this is read again by the next refresh (a transaction may still commit rows below the cursor).
SETTLE = timedelta(minutes=2)
BATCH = 5_000
CONVERSATION_CHUNK = 500
COUNTED = (Message.Direction.INBOUND, Message.Direction.OUTBOUND)
# Channels kept in a cycle's path (five channel ids fit CycleFact.hops).
MAX_HOPS_KEPT = 5


# pg_advisory_lock key of the rollup recomputations (any constant shared by every process).
ROLLUP_LOCK = 0x1D5_0001


def lock_rollups():
    """Wait for the other recomputations to finish; held until the end of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])


@contextmanager
def rollups_locked(wait=True):
    """The same lock for a whole refresh made of several transactions (held by this connection).

    Yields False, without the lock, when `wait` is False and another process holds it.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ROLLUP_LOCK])
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ROLLUP_LOCK])
            if not cursor.fetchone()[0]:
                yield False
                return
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ROLLUP_LOCK])


def _hour(value):
    return value.astimezone(dt_timezone.utc).replace(minute=0, second=0, microsecond=0)


def _channel_key(channel_id):
    return str(channel_id) if channel_id else NO_CHANNEL


def _cycle_messages(cycle, next_opened_at, messages):
    return [m for m in messages
            if m.created_at >= cycle.opened_at and (next_opened_at is None or m.created_at < next_opened_at)]


def _is_answer(message):
    return message.direction == Message.Direction.OUTBOUND and message.author_id is not None


def _from_customer(message):
    # A call we made is recorded as an inbound message (it comes in from the telephony system), but the
    # customer did not write: it neither waits for an answer nor shows the customer changing channel.
    return message.direction == Message.Direction.INBOUND and message.call_direction != "outbound"


def _sla_outcome(clock):
    """True when the clock was met in time, False when it breached, None while undecided (or stopped)."""
    if clock["breached_at"] is not None:
        return False
    return True if clock["state"] == SlaClock.State.MET else None


def _sla_fields(clocks):
    outcomes = [(clock["metric"], _sla_outcome(clock)) for clock in clocks]
    first = [outcome for metric, outcome in outcomes if metric == SlaMetric.FIRST_RESPONSE and outcome is not None]
    resolution = [outcome for metric, outcome in outcomes if metric == SlaMetric.RESOLUTION and outcome is not None]
    return {
        "sla_first_response": first[-1] if first else None,
        "sla_resolution": resolution[-1] if resolution else None,
        "sla_met": sum(1 for _metric, outcome in outcomes if outcome is True),
        "sla_breached": sum(1 for _metric, outcome in outcomes if outcome is False),
    }


def _cycle_facts(conversation, cycle, messages, csat, clocks=()):
    """The CycleFact and ResponseFacts of one cycle, from its messages (in order)."""
    team_id = conversation.team_id or NO_TEAM
    end = cycle.resolved_at
    live = [m for m in messages if end is None or m.created_at <= end]
    first_answer = next((m for m in live if _is_answer(m)), None)
    first_response_at = cycle.first_response_at or (first_answer.created_at if first_answer else None)
    agent_id = (first_answer.author_id if first_answer else None) or conversation.assignee_id or NO_AGENT

    written_on = []
    for message in live:
        if _from_customer(message) and message.channel_id:
            key = _channel_key(message.channel_id)
            if key not in written_on:
                written_on.append(key)
    fact = CycleFact(
        cycle_id=cycle.pk, conversation_id=conversation.pk, customer_id=conversation.customer_id,
        channel_key=_channel_key(cycle.opened_on_channel_id), team_id=team_id, agent_id=agent_id,
        opened_at=cycle.opened_at, first_response_at=first_response_at,
        first_response_channel_key=_channel_key(first_answer.channel_id if first_answer else None),
        resolved_at=end, csat_rating=csat.get(cycle.pk),
        hops=">".join(written_on[:MAX_HOPS_KEPT]), hopped=len(written_on) > 1, **_sla_fields(clocks),
    )
    if first_response_at:
        fact.first_response_seconds = (first_response_at - cycle.opened_at).total_seconds()
        fact.first_response_business_seconds = business_seconds(cycle.opened_at, first_response_at, team_id)
    if end:
        fact.resolution_seconds = (end - cycle.opened_at).total_seconds()
        fact.resolution_business_seconds = business_seconds(cycle.opened_at, end, team_id)

    responses = []
    waiting_since = None
    for message in live:
        if first_answer is None or message.created_at <= first_answer.created_at:
            continue
        if _from_customer(message) and waiting_since is None:
            waiting_since = message.created_at
        elif _is_answer(message) and waiting_since is not None:
            responses.append(ResponseFact(
                cycle_id=cycle.pk, answered_at=message.created_at,
                seconds=(message.created_at - waiting_since).total_seconds(),
                business_seconds=business_seconds(waiting_since, message.created_at, team_id),
                channel_key=_channel_key(message.channel_id), team_id=team_id,
                agent_id=message.author_id or NO_AGENT,
            ))
            waiting_since = None
    return fact, responses


def refresh_conversations(conversation_ids):
    """Recompute the cycle and response facts of these conversations (all their cycles)."""
    conversation_ids = sorted(set(conversation_ids))
    with calendars_read_once():
        for start in range(0, len(conversation_ids), CONVERSATION_CHUNK):
            _refresh_chunk(conversation_ids[start:start + CONVERSATION_CHUNK])


def _refresh_chunk(chunk):
    """Recompute the facts of one chunk of conversations; written in one transaction."""
    conversations = {c.pk: c for c in Conversation.objects.filter(pk__in=chunk).prefetch_related("cycles")}
    messages = defaultdict(list)
    for message in (Message.objects.filter(conversation_id__in=chunk, direction__in=COUNTED)
                    .only("id", "conversation_id", "direction", "channel_id", "author_id", "created_at")
                    .annotate(call_direction=KT("metadata__call__direction"))
                    .order_by("conversation_id", "created_at", "id")):
        messages[message.conversation_id].append(message)
    csat = dict(CsatRating.objects.filter(cycle__conversation_id__in=chunk).values_list("cycle_id", "rating"))
    clocks = defaultdict(list)
    for clock in (SlaClock.objects.filter(conversation_id__in=chunk).order_by("started_at", "id")
                  .values("cycle_id", "metric", "state", "breached_at")):
        clocks[clock["cycle_id"]].append(clock)
    facts, responses = [], []
    for conversation in conversations.values():
        cycles = list(conversation.cycles.all())
        for index, cycle in enumerate(cycles):
            next_opened = cycles[index + 1].opened_at if index + 1 < len(cycles) else None
            own = _cycle_messages(cycle, next_opened, messages[conversation.pk])
            fact, cycle_responses = _cycle_facts(conversation, cycle, own, csat, clocks[cycle.pk])
            facts.append(fact)
            responses += cycle_responses
    with transaction.atomic():
        lock_rollups()
        CycleFact.objects.filter(conversation_id__in=chunk).delete()
        ResponseFact.objects.filter(cycle__conversation_id__in=chunk).delete()
        CycleFact.objects.bulk_create(facts, batch_size=2_000)
        ResponseFact.objects.bulk_create(responses, batch_size=2_000)


def with_totals(hour, channel, team, agent=None):
    """The (level, key) rollup rows one message counts under: its own, per single dimension, the hour's total."""
    if agent is None:
        return [(Level.FULL, (hour, channel, team)), (Level.CHANNEL, (hour, channel, ANY)),
                (Level.TEAM, (hour, ANY_CHANNEL, team)), (Level.TOTAL, (hour, ANY_CHANNEL, ANY))]
    return [(Level.FULL, (hour, channel, team, agent)), (Level.CHANNEL, (hour, channel, ANY, ANY)),
            (Level.TEAM, (hour, ANY_CHANNEL, team, ANY)), (Level.AGENT, (hour, ANY_CHANNEL, ANY, agent)),
            (Level.TOTAL, (hour, ANY_CHANNEL, ANY, ANY))]


def refresh_hours(since, until=None):
    """Recompute HourlyMessages for every hour from `since`'s hour to `until` (now)."""
    start = _hour(since)
    until = until or timezone.now()
    with transaction.atomic():
        lock_rollups()
        HourlyMessages.objects.filter(hour__gte=start).delete()
        if connection.vendor == "postgresql":
            _insert_hours_in_sql(start, until)
        else:
            HourlyMessages.objects.bulk_create(_hour_rows(start, until), batch_size=5_000)
        _refresh_days(start)


DAILY_LEVELS = (Level.TOTAL, Level.CHANNEL, Level.TEAM, Level.AGENT)


def _refresh_days(since):
    """Recompute DailyMessages from the hourly rows of every UTC day from `since`'s day on."""
    day = since.astimezone(dt_timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    DailyMessages.objects.filter(day__gte=day).delete()
    sums = (HourlyMessages.objects.filter(level__in=DAILY_LEVELS, hour__gte=day)
            .annotate(utc_day=TruncDay("hour", tzinfo=dt_timezone.utc))
            .values("level", "utc_day", "channel_key", "team_id", "agent_id")
            .annotate(inbound_sum=Sum("inbound"), outbound_sum=Sum("outbound"), calls_sum=Sum("calls")))
    DailyMessages.objects.bulk_create([
        DailyMessages(level=row["level"], day=row["utc_day"], channel_key=row["channel_key"], team_id=row["team_id"],
                      agent_id=row["agent_id"], inbound=row["inbound_sum"], outbound=row["outbound_sum"],
                      calls=row["calls_sum"])
        for row in sums
    ], batch_size=5_000)


def _counted_messages():
    """Messages in and out, and calls (an agent's logged call is a note)."""
    return Message.objects.filter(Q(direction__in=COUNTED) | Q(direction=Message.Direction.NOTE,
                                                                metadata__has_key="call"))


def _hour_rows(start, until):
    counts = defaultdict(lambda: [0, 0, 0])
    rows = (
        _counted_messages().filter(created_at__gte=start, created_at__lte=until)
        .annotate(bucket=TruncHour("created_at", tzinfo=dt_timezone.utc),
                  call=Case(When(metadata__has_key="call", then=1), default=0, output_field=IntegerField()))
        .values("bucket", "channel_id", "direction", "call", "author_id", "conversation__team_id",
                "conversation__assignee_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        inbound = row["direction"] == Message.Direction.INBOUND
        agent = row["conversation__assignee_id"] if inbound else row["author_id"]
        slot = 2 if row["call"] else 0 if inbound else 1
        for level, key in with_totals(row["bucket"], _channel_key(row["channel_id"]),
                                      row["conversation__team_id"] or NO_TEAM, agent or NO_AGENT):
            counts[(level, *key)][slot] += row["n"]
    return [HourlyMessages(level=level, hour=hour, channel_key=channel, team_id=team, agent_id=agent, inbound=i,
                           outbound=o, calls=calls)
            for (level, hour, channel, team, agent), (i, o, calls) in counts.items()]


def _insert_hours_in_sql(start, until):
    """The same rows as _hour_rows, in one statement: the totals are PostgreSQL's GROUPING SETS."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {HourlyMessages._meta.db_table}
                (level, hour, channel_key, team_id, agent_id, inbound, outbound, calls)
            SELECT CASE GROUPING(channel_key, team_id, agent_id)
                       WHEN 0 THEN %(full)s WHEN 3 THEN %(channel)s WHEN 5 THEN %(team)s WHEN 6 THEN %(agent)s
                       ELSE %(total)s END,
                   hour,
                   CASE WHEN GROUPING(channel_key) = 1 THEN %(any_channel)s ELSE channel_key END,
                   CASE WHEN GROUPING(team_id) = 1 THEN %(any)s ELSE team_id END,
                   CASE WHEN GROUPING(agent_id) = 1 THEN %(any)s ELSE agent_id END,
                   SUM(inbound), SUM(outbound), SUM(calls)
            FROM (
                SELECT date_trunc('hour', m.created_at, 'UTC') AS hour,
                       COALESCE(m.channel_id::text, %(no_channel)s) AS channel_key,
                       COALESCE(c.team_id, %(no_team)s) AS team_id,
                       COALESCE(CASE WHEN m.direction = 'inbound' THEN c.assignee_id ELSE m.author_id END,
                                %(no_agent)s) AS agent_id,
                       (m.direction = 'inbound' AND NOT m.metadata ? 'call')::int AS inbound,
                       (m.direction = 'outbound' AND NOT m.metadata ? 'call')::int AS outbound,
                       (m.metadata ? 'call')::int AS calls
                FROM {Message._meta.db_table} m JOIN {Conversation._meta.db_table} c ON c.id = m.conversation_id
                WHERE (m.direction IN ('inbound', 'outbound') OR (m.direction = 'note' AND m.metadata ? 'call'))
                  AND m.created_at >= %(start)s AND m.created_at <= %(until)s
            ) messages
            GROUP BY hour, GROUPING SETS ((channel_key, team_id, agent_id), (channel_key), (team_id), (agent_id), ())
        """, {"start": start, "until": until, "any_channel": ANY_CHANNEL, "any": ANY, "no_channel": NO_CHANNEL,
              "no_team": NO_TEAM, "no_agent": NO_AGENT, "full": Level.FULL, "channel": Level.CHANNEL,
              "team": Level.TEAM, "agent": Level.AGENT, "total": Level.TOTAL})


SENTIMENT_COUNTS = ("negative", "neutral", "positive", "score_sum")


def count_sentiment(record, team_id):
    """Add one scored message to its hour's sentiment rows (its own, per channel, per team, the total).

    One INSERT ... ON CONFLICT DO UPDATE: workers scoring messages of the same hour at once add to the
    same rows, whichever of them makes a row first.
    """
    counts = {"negative": 0, "neutral": 0, "positive": 0}
    counts[record.label] = 1
    rows = [(level, hour, channel, team, counts["negative"], counts["neutral"], counts["positive"], record.score)
            for level, (hour, channel, team) in with_totals(_hour(record.written_at), _channel_key(record.channel_id),
                                                             team_id or NO_TEAM)]
    table = HourlySentiment._meta.db_table
    sets = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in SENTIMENT_COUNTS)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (level, hour, channel_key, team_id, {', '.join(SENTIMENT_COUNTS)}) VALUES {values} "
            f"ON CONFLICT (hour, channel_key, team_id) DO UPDATE SET {sets}",
            [value for row in rows for value in row])


def rebuild_sentiment_hours():
    """Recompute the hourly sentiment rows from the scores (a conversation may have moved team since).

    Workers keep scoring meanwhile. The table lock waits for those writing a score now (their scores
    are then in the recount) and makes later ones wait for the recount (they add to its rows).
    """
    counts = defaultdict(lambda: [0, 0, 0, 0.0])
    slot = {"negative": 0, "neutral": 1, "positive": 2}
    with transaction.atomic():
        lock_rollups()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {HourlySentiment._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        HourlySentiment.objects.all().delete()
        scores = (MessageSentiment.objects.annotate(bucket=TruncHour("written_at", tzinfo=dt_timezone.utc))
                  .values("bucket", "channel_id", "conversation__team_id", "label")
                  .annotate(n=Count("pk"), score=Sum("score")))
        for row in scores:
            for level, key in with_totals(row["bucket"], _channel_key(row["channel_id"]),
                                          row["conversation__team_id"] or NO_TEAM):
                found = counts[(level, *key)]
                found[slot[row["label"]]] += row["n"]
                found[3] += row["score"]
        HourlySentiment.objects.bulk_create([
            HourlySentiment(level=level, hour=hour, channel_key=channel, team_id=team, negative=negative,
                            neutral=neutral, positive=positive, score_sum=score_sum)
            for (level, hour, channel, team), (negative, neutral, positive, score_sum) in counts.items()
        ], batch_size=5_000)


def _cursor(name):
    cursor, _ = RollupCursor.objects.get_or_create(name=name)
    return cursor


def _advance(cursor, rows, now):
    """Move the cursor past the rows old enough to be settled; younger ones are read again next time."""
    settled = [pk for pk, created_at in rows if created_at <= now - SETTLE]
    if settled:
        cursor.position = max(settled)
    cursor.updated_at = now
    cursor.save()


def refresh_rollups(now=None, wait=True):
    """Bring the rollups up to date with what happened since the last refresh; returns conversations refreshed.

    With `wait` False it gives way (returns None) while another refresh or a rebuild runs.
    """
    with rollups_locked(wait) as locked:
        if locked:
            return _refresh(now or timezone.now())
    return None


def _refresh(now):
    message_cursor, audit_cursor, csat_cursor = _cursor("messages"), _cursor("audit"), _cursor("csat")
    previous_run = csat_cursor.updated_at if csat_cursor.position else None

    dirty, earliest = set(), None
    while True:
        rows = list(Message.objects.filter(pk__gt=message_cursor.position).order_by("pk")
                    .values_list("pk", "created_at", "conversation_id")[:BATCH])
        if not rows:
            break
        dirty.update(conversation for _, _, conversation in rows)
        oldest = min(created_at for _, created_at, _ in rows)
        earliest = oldest if earliest is None else min(earliest, oldest)
        _advance(message_cursor, [(pk, created_at) for pk, created_at, _ in rows], now)
        if len(rows) < BATCH or message_cursor.position < rows[-1][0]:
            break

    events = list(ConversationEvent.objects.filter(pk__gt=audit_cursor.position).order_by("pk")
                  .values_list("pk", "created_at", "conversation_id"))
    dirty.update(conversation for _, _, conversation in events)
    _advance(audit_cursor, [(pk, created_at) for pk, created_at, _ in events], now)

    sla_cursor = _cursor("sla")
    steps = list(SlaClockEvent.objects.filter(pk__gt=sla_cursor.position).order_by("pk")
                 .values_list("pk", "at", "clock__conversation_id"))
    dirty.update(conversation for _, _, conversation in steps)
    _advance(sla_cursor, [(pk, at) for pk, at, _ in steps], now)

    ratings = CsatRating.objects.all()
    if previous_run is not None:
        ratings = ratings.filter(updated_at__gte=previous_run - SETTLE)
    dirty.update(ratings.values_list("cycle__conversation_id", flat=True))
    csat_cursor.position = 1
    csat_cursor.updated_at = now
    csat_cursor.save()

    if dirty:
        refresh_conversations(dirty)
    refresh_hours(min(earliest, now - SETTLE) if earliest else now - SETTLE, now)
    return len(dirty)


def rebuild_rollups():
    """Recompute every rollup from scratch (after an import, or a change of the business calendars)."""
    with rollups_locked():
        _rebuild()


def _rebuild():
    RollupCursor.objects.all().delete()
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    refresh_conversations(ids)
    first = Message.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first:
        refresh_hours(first)
    rebuild_sentiment_hours()
    now = timezone.now()
    last = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    RollupCursor.objects.bulk_create([
        RollupCursor(name="messages", position=last, updated_at=now),
        RollupCursor(name="audit", position=ConversationEvent.objects.order_by("-pk")
                     .values_list("pk", flat=True).first() or 0, updated_at=now),
        RollupCursor(name="csat", position=1, updated_at=now),
        RollupCursor(name="sla", position=SlaClockEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
                     or 0, updated_at=now),
    ])
