"""Figure 4's data set, written with PostgreSQL COPY (psycopg 3 `cursor.copy`): customers, identities,
conversations, cycles and messages over every registered channel kind, agents in teams.

Deterministic (seeded) so that two runs load the same data. The rows are
consistent by construction, so foreign-key triggers are off during COPY.
"""
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from django.db import connection

from channels_adapters.registry import ADAPTERS
from conversations.models import (
    AgentProfile,
    Channel,
    Conversation,
    ConversationCycle,
    Customer,
    Identity,
    Message,
)
from insights.models import ConversationSentiment
from routing.models import SlaClock

from . import customer360_loader, fixtures, stack

HEAVY_CUSTOMERS = 0.01  # this share of customers ...
HEAVY_MESSAGES = 0.20  # ... holds this share of the messages (long-running relationships)
SECOND_CHANNEL = 0.25  # customers who also wrote on a second channel
SCORED = 0.7  # conversations whose latest customer message has a mood
MOODS = ("negative", "neutral", "positive")
MOOD_SCORES = {"negative": -1.0, "neutral": 0.2, "positive": 1.0}
STATUSES = [("resolved", 70), ("open", 20), ("pending", 7), ("snoozed", 3)]
TEXTS = [
    "Hi, where is my order #{n}? It was due yesterday.",
    "Thanks! That solved it.",
    "Can I change the delivery address for order #{n}?",
    "We have refunded order #{n}; you will see it in 3-5 business days.",
    "Olá, preciso de ajuda com o pedido #{n}, por favor.",
    "The app crashes when I open the invoice page (version 4.{n}).",
]
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass
class Loaded:
    customers: int = 0
    messages: int = 0
    events: int = 0
    orders: int = 0
    background: dict = field(default_factory=dict)
    agents: int = 0
    teams: int = 0
    seconds: float = 0.0
    supervisor: object = None
    team_agent: object = None
    conversation_ids: list = field(default_factory=list)
    heaviest_conversation: int = 0


def _field(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _line(values):
    # Generated text never holds tabs, newlines or backslashes, so no COPY escaping is needed.
    return "\t".join(_field(value) for value in values) + "\n"


def _copy(cursor, model, columns, lines):
    with cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(lines), 5_000):
            copy.write("".join(lines[start:start + 5_000]))


def _identity_kind(kind):
    kinds = ADAPTERS[kind].identity_kinds
    return "phone" if not kinds else sorted(kinds)[0]


def _address(identity_kind, customer_id):
    if identity_kind == "phone":
        return f"+55119{customer_id:08d}"
    if identity_kind == "email":
        return f"customer{customer_id}@example.com"
    return f"{identity_kind}-{customer_id}"


def _channels(teams):
    """One channel per registered kind, and a few api channels: every customer writes on one or two."""
    specs = [(kind, f"Bench {ADAPTERS[kind].label}") for kind in sorted(ADAPTERS)]
    specs += [("api", name) for name in ("Shop API", "Mobile app API", "Partner API")]
    channels = []
    for index, (kind, name) in enumerate(specs):
        # Loaded like the rest of the data set, not created through the set-up action: no
        # provider is told about these channels (no webhook registration leaves the machine).
        channel = Channel(kind=kind, name=name, team=teams[index % len(teams)])
        channel.config = {"secret": fixtures.API_SECRET} if kind == "api" else {}
        channel.save()
        channels.append(channel)
    return channels


def _messages_per_customer(customers, messages, rng):
    heavy = max(1, int(customers * HEAVY_CUSTOMERS))
    heavy_total = int(messages * HEAVY_MESSAGES)
    counts = [heavy_total // heavy] * heavy
    rest = customers - heavy
    counts += [(messages - heavy_total) // rest] * rest
    for _ in range(messages - sum(counts)):
        counts[rng.randrange(heavy, customers)] += 1
    return counts


def load(customers, messages, agents, teams, seed=8, events=0, orders=0):
    """Replace the bench database's contents with the data set (with `events` customer events and `orders`
    orders: bench/customer360_loader.py); returns what was loaded."""
    started = time.monotonic()
    rng = random.Random(seed)
    stack.reset_database()
    team_rows = [fixtures.team(f"Team {index + 1:02d}") for index in range(teams)]
    team_agents = {team.pk: fixtures.agents(f"t{team.pk}", max(1, agents // teams), team) for team in team_rows}
    supervisor = fixtures.agents("supervisor", 1, team_rows[0], role=AgentProfile.Role.SUPERVISOR)[0]
    channels = _channels(team_rows)
    counts = _messages_per_customer(customers, messages, rng)

    customer_rows, identity_rows, conversation_rows, cycle_rows, message_rows = [], [], [], [], []
    # What the inbox's mood and SLA filters read: a mood for most conversations, a first-response clock
    # for each waiting one (breached, due soon or on time, due around the time of the load).
    mood_rows, clock_rows = [], []
    now = datetime.now(timezone.utc)
    message_id = identity_id = 0
    for customer_id in range(1, customers + 1):
        created = EPOCH + timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
        own = [channels[customer_id % len(channels)]]
        if rng.random() < SECOND_CHANNEL:
            own.append(channels[(customer_id + 1) % len(channels)])
        identity_of = {}  # identity kind -> id: two channels of one kind reach the same identity
        for channel in own:
            kind = _identity_kind(channel.kind)
            if kind not in identity_of:
                identity_id += 1
                identity_of[kind] = identity_id
                identity_rows.append(_line((identity_id, kind, _address(kind, customer_id), True, False, created,
                                            customer_id)))
        identities = [identity_of[_identity_kind(channel.kind)] for channel in own]
        team = team_rows[customer_id % teams]
        assignee = rng.choice(team_agents[team.pk]).pk if rng.random() < 0.6 else None
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]

        at = created
        last_inbound = last = None
        for position in range(counts[customer_id - 1]):
            message_id += 1
            at += timedelta(minutes=rng.randrange(1, 600))
            which = position % len(own)
            direction = "inbound" if position % 3 != 1 else ("outbound" if position % 9 != 4 else "note")
            channel = own[which] if direction != "note" else None
            text = TEXTS[rng.randrange(len(TEXTS))].format(n=message_id % 100_000)
            if direction == "inbound":
                last_inbound = own[which]
                row = (message_id, "inbound", text, "", f"in-{message_id}", "received", "", 0, "{}", None, at, None,
                       None, channel.pk, customer_id, identities[which])
            elif direction == "outbound":
                row = (message_id, "outbound", text, "", f"out-{message_id}", "delivered", "", 1, "{}", at, at, at,
                       assignee, channel.pk, customer_id, identities[which])
            else:
                row = (message_id, "note", text, "", None, "received", "", 0, "{}", None, at, None,
                       assignee, None, customer_id, None)
            message_rows.append(_line((*row, "{}")))  # failure_params
            last = row
        waiting = last[10] if last and last[1] == "inbound" and status in ("open", "pending") else None
        customer_rows.append(_line((customer_id, f"Customer {customer_id}", "{}", created, at, None, "")))
        conversation_rows.append(_line((customer_id, status, at + timedelta(days=3) if status == "snoozed" else None, "none",
                                  at, waiting, created, at, assignee, last_inbound.pk if last_inbound else None,
                                  customer_id, last[0] if last else None, team.pk)))
        cycle_rows.append(_line((customer_id, created, None, at if status == "resolved" else None, customer_id,
                                 own[0].pk)))
        if last_inbound is not None and rng.random() < SCORED:
            label = rng.choice(MOODS)
            mood_rows.append(_line((customer_id, label, MOOD_SCORES[label] * rng.random(), last[0], at)))
        if waiting is not None:
            due = now + timedelta(minutes=rng.randrange(-240, 240))
            clock_rows.append(_line((customer_id, customer_id, customer_id, "first_response", 0, None, 3600,
                                     "running", waiting, 0, waiting, due, due - timedelta(minutes=30), None,
                                     due if due <= now else None, None, None)))

    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        cursor.execute("SET session_replication_role = replica")
        _copy(raw, Customer, ["id", "name", "attributes", "first_seen_at", "last_seen_at", "merged_into_id", "language"],
              customer_rows)
        _copy(raw, Identity, ["id", "kind", "address", "verified", "claimed", "created_at", "customer_id"], identity_rows)
        _copy(raw, Conversation, ["id", "status", "snoozed_until", "priority", "last_message_at", "waiting_since",
                                  "created_at", "updated_at", "assignee_id", "last_inbound_channel_id", "customer_id",
                                  "last_message_id", "team_id"], conversation_rows)
        _copy(raw, ConversationCycle, ["id", "opened_at", "first_response_at", "resolved_at", "conversation_id",
                                       "opened_on_channel_id"], cycle_rows)
        _copy(raw, Message, ["id", "direction", "text", "html", "external_id", "status", "failure_code",
                             "delivery_attempts", "metadata", "sent_at", "created_at", "status_changed_at", "author_id",
                             "channel_id", "conversation_id", "identity_id", "failure_params"], message_rows)
        _copy(raw, ConversationSentiment, ["conversation_id", "label", "score", "message_id", "written_at"], mood_rows)
        _copy(raw, SlaClock, ["id", "conversation_id", "cycle_id", "metric", "turn", "policy_id", "target_seconds",
                              "state", "started_at", "used_seconds", "running_since", "due_at", "warn_at", "warned_at",
                              "breached_at", "stopped_at", "met_by_id"], clock_rows)
        if events or orders:
            customer360_loader.copy(cursor, raw, customer360_loader.rows(
                customers, events, orders, _messages_per_customer, now), _copy)
        cursor.execute("SET session_replication_role = DEFAULT")
        for model in (Customer, Identity, Conversation, ConversationCycle, Message, SlaClock):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    stack.analyze()
    seconds = time.monotonic() - started
    # Timed apart from the load: what the workers would compute afterwards, in the background.
    background = customer360_loader.compute_background() if orders else {}

    conversation_ids = list(range(1, customers + 1))
    heaviest = max(range(customers), key=lambda index: counts[index]) + 1
    first_team = team_rows[0]
    # The measured agent has open conversations of their own at every size, so their "Mine" view
    # is a page of rows (an empty page skips the rows' label query) on the small set too.
    open_assigned = {pk: 0 for pk in (agent.pk for agent in team_agents[first_team.pk])}
    for assignee_id in Conversation.objects.filter(status="open", assignee__in=list(open_assigned)).values_list(
            "assignee", flat=True):
        open_assigned[assignee_id] += 1
    team_agent_id = max(open_assigned, key=lambda pk: (open_assigned[pk], -pk))
    return Loaded(
        customers=customers, messages=message_id, events=events, orders=orders, background=background,
        agents=sum(len(v) for v in team_agents.values()) + 1, teams=teams, seconds=seconds, supervisor=supervisor,
        team_agent=next(agent for agent in team_agents[first_team.pk] if agent.pk == team_agent_id),
        conversation_ids=conversation_ids, heaviest_conversation=heaviest,
    )

