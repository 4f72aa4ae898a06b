from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache

from channels_adapters.types import InboundMessage, Sender
from conversations.actions import presence
from conversations.actions.assignment import update_conversation
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import send_reply
from conversations.models import Channel, Conversation
from routing.models import AssignmentPolicy, BusinessCalendar, SlaPolicy, SlaTarget

WEEKDAYS_9_17 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
# Monday 2 March 2026, 10:00 in Lisbon (WET = UTC).
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    """A frozen clock (time.time too: presence expiry follows it); `clock.shift(seconds)` moves it."""
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block and then its after-commit work (signals, tasks run eagerly), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def chat(make_api_channel, team, fake_http):
    return make_api_channel("Chat", team=team, callback_url=fake_http.url + "/callback")


@pytest.fixture
def mail(team):
    return Channel.objects.create(kind="email", name="Mail", team=team)


@pytest.fixture
def write(committed):
    counter = iter(range(1, 10_000))

    def write(channel, address="+351911000001", text="Olá", kind="phone"):
        with committed():
            result = ingest_message(channel, InboundMessage(
                external_id=f"in-{next(counter)}", sender=Sender(kind=kind, address=address), text=text))
        return Conversation.objects.get(pk=result.message.conversation_id)

    return write


@pytest.fixture
def reply(committed):
    def reply(conversation, author, text="Hello!", channel=None):
        with committed():
            return send_reply(conversation, author, text, channel=channel)

    return reply


@pytest.fixture
def change(committed):
    def change(conversation, actor, **changes):
        with committed():
            return update_conversation(conversation, actor, **changes)

    return change


@pytest.fixture
def status_of(committed):
    """Set an agent's console presence as their console does (a heartbeat)."""
    def set_status(user, status=presence.ONLINE):
        agent = presence.describe(user)
        with committed():
            if status == presence.OFFLINE:
                presence.disconnected(agent)
            else:
                presence.heartbeat(agent, status)

    return set_status


@pytest.fixture
def lisbon_hours(db):
    return BusinessCalendar.objects.create(name="Lisbon office", time_zone="Europe/Lisbon", weekly_hours=WEEKDAYS_9_17)


@pytest.fixture
def make_policy(db):
    def make(name="Standard", position=0, calendar=None, conditions=None, pause_statuses=(), warn_before_minutes=15,
             **targets):
        """targets: first_response=30 (minutes, every priority) or first_response={"urgent": 15, "none": 60}."""
        policy = SlaPolicy.objects.create(name=name, position=position, calendar=calendar, conditions=conditions or {},
                                          pause_statuses=list(pause_statuses), warn_before_minutes=warn_before_minutes)
        for metric, minutes in targets.items():
            by_priority = minutes if isinstance(minutes, dict) else {p: minutes for p in Conversation.Priority.values}
            for priority, value in by_priority.items():
                SlaTarget.objects.create(policy=policy, metric=metric, priority=priority, minutes=value)
        return policy

    return make


@pytest.fixture
def auto_assign(team):
    def configure(mode=AssignmentPolicy.Mode.ROUND_ROBIN, **options):
        policy, _created = AssignmentPolicy.objects.update_or_create(team=team, defaults={"mode": mode, **options})
        return policy

    return configure
