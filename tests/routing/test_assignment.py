"""Presence, capacity and automatic assignment on a frozen clock: who gets what, when, and why."""
from datetime import timedelta

import pytest

from conversations.actions import presence
from conversations.models import Conversation, Message
from routing.actions import queue
from routing.availability import loads
from routing.models import AssignmentRecord, CapacityRule, QueueEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


@pytest.fixture
def bruno(make_agent, team):
    return make_agent("bruno", teams=[team])


def phone(n):
    return f"+35191100{n:04d}"


def lines(conversation):
    return list(Message.objects.filter(conversation=conversation, direction=Message.Direction.SYSTEM,
                                       metadata__event__startswith="routing.").values_list("text", flat=True))


def test_round_robin_takes_turns_and_says_why(clock, chat, write, auto_assign, status_of, ana, bruno):
    auto_assign()
    status_of(ana)
    status_of(bruno)
    owners = []
    for n in range(4):
        clock.shift(timedelta(seconds=1))
        owners.append(write(chat, address=phone(n)).assignee)
    assert owners == [ana, bruno, ana, bruno]
    conversation = Conversation.objects.get(customer__identities__address=phone(0))
    assert lines(conversation) == ["Waiting in the Suporte queue: New conversation",
                                   "Assigned to Ana automatically (Round robin): New conversation"]
    record = AssignmentRecord.objects.get(conversation=conversation, kind="auto")
    assert record.agent == ana and record.reason == "new" and record.detail["mode"] == "round_robin"


def test_least_loaded_prefers_the_agent_with_less_work(clock, chat, write, auto_assign, status_of, ana, bruno, change):
    auto_assign(mode="least_loaded")
    status_of(ana)
    first = write(chat, address=phone(1))
    assert first.assignee == ana
    status_of(bruno)  # bruno comes online with nothing
    clock.shift(timedelta(seconds=1))
    assert write(chat, address=phone(2)).assignee == bruno
    clock.shift(timedelta(seconds=1))
    change(first, ana, status="resolved")  # ana now has none, bruno one
    assert write(chat, address=phone(3)).assignee == ana


def test_away_agents_take_email_but_not_chat(clock, chat, mail, write, auto_assign, status_of, ana):
    auto_assign()
    status_of(ana, presence.AWAY)
    assert write(chat, address=phone(1)).assignee is None
    assert write(mail, address="maria@example.com", kind="email").assignee == ana
    assert QueueEntry.objects.get().conversation.last_inbound_channel == chat


def test_a_heartbeat_older_than_90_seconds_is_offline(clock, chat, write, auto_assign, status_of, ana):
    auto_assign()
    status_of(ana)
    clock.shift(timedelta(seconds=89))
    assert write(chat, address=phone(1)).assignee == ana
    clock.shift(timedelta(seconds=2))  # 91 s after the last heartbeat
    assert presence.statuses([ana.pk]) == {ana.pk: presence.OFFLINE}
    assert write(chat, address=phone(2)).assignee is None


def test_nobody_eligible_waits_and_is_assigned_when_someone_comes_online(clock, chat, write, auto_assign, status_of,
                                                                       ana):
    auto_assign()
    conversation = write(chat, address=phone(1))
    entry = QueueEntry.objects.get(conversation=conversation)
    assert conversation.assignee is None and entry.reason == "new"
    clock.shift(timedelta(minutes=3))
    status_of(ana)
    conversation.refresh_from_db()
    assert conversation.assignee == ana and not QueueEntry.objects.exists()
    assert AssignmentRecord.objects.get(kind="auto").detail["waited_seconds"] == 180


def test_capacity_holds_and_freed_capacity_is_used_at_once(clock, chat, write, auto_assign, status_of, ana, change,
                                                            team):
    auto_assign()
    CapacityRule.objects.create(team=team, channel_kind="api", max_active=1)
    status_of(ana)
    first = write(chat, address=phone(1))
    clock.shift(timedelta(seconds=1))
    second = write(chat, address=phone(2))
    assert first.assignee == ana and second.assignee is None
    change(first, ana, status="snoozed", snoozed_until=clock.time() and first.created_at + timedelta(days=1))
    second.refresh_from_db()
    assert second.assignee == ana


def test_an_agent_rule_beats_the_team_default(clock, chat, write, auto_assign, status_of, ana, team):
    auto_assign()
    CapacityRule.objects.create(team=team, channel_kind="api", max_active=1)
    CapacityRule.objects.create(agent=ana, channel_kind="api", max_active=2)
    status_of(ana)
    assert [write(chat, address=phone(n)).assignee for n in range(3)] == [ana, ana, None]


def test_load_counts_each_conversation_once_on_its_current_channel(clock, chat, mail, write, auto_assign, status_of,
                                                                   ana, committed):
    auto_assign()
    status_of(ana)
    conversation = write(mail, address="maria@example.com", kind="email")
    assert loads([ana.pk])[ana.pk] == {"email": 1}
    # Maria (the same customer, her phone added) now writes on the chat: the unit moves.
    conversation.customer.identities.create(kind="phone", address=phone(1))
    write(chat, address=phone(1))
    assert loads([ana.pk])[ana.pk] == {"api": 1}


def test_a_live_conversation_idle_too_long_stops_counting(clock, chat, write, auto_assign, status_of, ana):
    auto_assign(live_idle_minutes=10)
    status_of(ana)
    write(chat, address=phone(1))
    assert loads([ana.pk])[ana.pk] == {"api": 1}
    clock.shift(timedelta(minutes=11))
    assert loads([ana.pk])[ana.pk] == {}


def test_the_queue_serves_priority_then_sla_due_then_waiting_time(clock, chat, write, auto_assign, status_of, ana,
                                                                  change, make_policy):
    auto_assign()
    make_policy("VIP", position=0, conditions={"labels": ["vip"]}, first_response=10)
    make_policy("Standard", position=1, first_response=60)
    older = write(chat, address=phone(1))
    clock.shift(timedelta(minutes=1))
    vip = write(chat, address=phone(2))
    change(vip, None, labels=["vip"])  # due 10:11, before the older one's 11:00
    clock.shift(timedelta(minutes=1))
    urgent = write(chat, address=phone(3))
    change(urgent, None, priority="urgent")
    clock.shift(timedelta(minutes=1))
    normal_later = write(chat, address=phone(4))
    order = list(QueueEntry.objects.order_by(*queue.QUEUE_ORDER).values_list("conversation_id", flat=True))
    assert order == [urgent.pk, vip.pk, older.pk, normal_later.pk]
    CapacityRule.objects.create(agent=ana, channel_kind="api", max_active=2)
    status_of(ana)
    assert set(Conversation.objects.filter(assignee=ana).values_list("pk", flat=True)) == {urgent.pk, vip.pk}


def test_reopened_while_the_owner_is_offline_goes_to_the_queue_not_to_them(clock, chat, write, auto_assign, status_of,
                                                                          ana, bruno, change):
    auto_assign()
    status_of(ana)
    conversation = write(chat, address=phone(1))
    assert conversation.assignee == ana
    change(conversation, ana, status="resolved")
    status_of(ana, presence.OFFLINE)
    clock.shift(timedelta(hours=2))
    status_of(bruno)
    conversation = write(chat, address=phone(1), text="it broke again")
    assert conversation.assignee == bruno
    record = AssignmentRecord.objects.filter(conversation=conversation, kind="requeued").get()
    assert record.agent == ana and record.reason == "reopened"
    assert "Taken from Ana and returned to the Suporte queue: Reopened while its owner is not available" in lines(
        conversation)


def test_an_owner_offline_past_the_grace_period_loses_live_conversations(clock, chat, mail, write, auto_assign,
                                                                         status_of, ana):
    auto_assign(offline_grace_seconds=120)
    status_of(ana)
    chat_conversation = write(chat, address=phone(1))
    mail_conversation = write(mail, address="maria@example.com", kind="email")
    status_of(ana, presence.OFFLINE)
    clock.shift(timedelta(seconds=119))
    assert queue.sweep_offline_owners() == 0
    clock.shift(timedelta(seconds=2))
    assert queue.sweep_offline_owners() == 1
    chat_conversation.refresh_from_db()
    mail_conversation.refresh_from_db()
    assert chat_conversation.assignee is None and QueueEntry.objects.get().reason == "owner_offline"
    assert mail_conversation.assignee == ana  # e-mail waits for them


def test_a_reconnect_within_the_grace_period_keeps_the_conversations(clock, chat, write, auto_assign, status_of, ana):
    auto_assign(offline_grace_seconds=120)
    status_of(ana)
    conversation = write(chat, address=phone(1))
    status_of(ana, presence.OFFLINE)
    clock.shift(timedelta(seconds=60))
    status_of(ana)
    clock.shift(timedelta(seconds=100))
    assert queue.sweep_offline_owners() == 0
    conversation.refresh_from_db()
    assert conversation.assignee == ana


def test_no_reply_within_business_minutes_requeues_to_someone_else(clock, chat, write, auto_assign, status_of, ana,
                                                                   bruno, lisbon_hours, committed):
    auto_assign(no_reply_requeue_minutes=30, calendar=lisbon_hours)
    status_of(ana)
    conversation = write(chat, address=phone(1))
    assert conversation.assignee == ana
    clock.shift(timedelta(minutes=29))
    assert queue.sweep_unanswered() == 0
    status_of(bruno)
    status_of(ana)
    clock.shift(timedelta(minutes=1))
    with committed():
        assert queue.sweep_unanswered() == 1
    conversation.refresh_from_db()
    assert conversation.assignee == bruno  # not back to ana, who did not answer
    assert AssignmentRecord.objects.filter(kind="requeued", reason="no_reply", agent=ana).exists()


def test_the_no_reply_timer_does_not_tick_when_closed(chat, write, auto_assign, status_of, ana, lisbon_hours):
    import time_machine
    from datetime import UTC, datetime

    with time_machine.travel(datetime(2026, 3, 6, 16, 50, tzinfo=UTC), tick=False) as clock:  # Friday 16:50
        auto_assign(no_reply_requeue_minutes=30, calendar=lisbon_hours)
        status_of(ana)
        conversation = write(chat, address=phone(1))
        clock.shift(timedelta(days=2, hours=16))  # Monday 08:50: only 10 business minutes passed
        assert queue.sweep_unanswered() == 0
        clock.shift(timedelta(minutes=30))  # Monday 09:20: 30
        assert queue.sweep_unanswered() == 1
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_manual_assignment_may_exceed_capacity_and_is_flagged(clock, chat, write, auto_assign, status_of, ana, bruno,
                                                              change):
    auto_assign()
    CapacityRule.objects.create(agent=ana, channel_kind="api", max_active=1)
    status_of(ana)
    write(chat, address=phone(1))
    second = write(chat, address=phone(2))
    assert second.assignee is None
    change(second, bruno, assignee=ana)
    record = AssignmentRecord.objects.get(conversation=second, kind="manual")
    assert record.over_capacity and record.detail == {"load": 2, "capacity": 1}
    assert not QueueEntry.objects.exists()
    assert lines(second)[-1] == "Assigned to Ana over capacity (api: 2 of 1)"


def test_unassigning_by_hand_puts_it_back_in_the_queue(clock, chat, write, auto_assign, status_of, ana, change):
    auto_assign()
    conversation = write(chat, address=phone(1))
    change(conversation, ana, assignee=ana)
    assert not QueueEntry.objects.exists()
    change(conversation, ana, assignee=None)
    assert QueueEntry.objects.get(conversation=conversation).reason == "unassigned"


def test_a_team_with_assignment_off_queues_nothing(clock, chat, write, status_of, ana):
    status_of(ana)
    conversation = write(chat, address=phone(1))
    assert conversation.assignee is None and not QueueEntry.objects.exists()
