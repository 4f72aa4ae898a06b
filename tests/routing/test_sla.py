"""SLA clocks on a frozen clock: start, meet, pause, re-target, warn, breach once, and every step recorded."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from channels_adapters.types import InboundStatus
from conversations.actions.ingest import apply_status
from conversations.actions.replies import add_note
from conversations.failure_reasons import provider_text
from conversations.models import Message
from routing.actions import sla
from routing.actions.calendars import save_calendar
from routing.actions.policies import save_sla_policy
from routing.models import SlaClock, SlaClockEvent
from routing.signals import sla_breached
from routing.summary import sla_payload
from tests.fake_http import ScriptedResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


def clocks(conversation, metric=None):
    found = SlaClock.objects.filter(conversation=conversation)
    return list(found.filter(metric=metric) if metric else found)


def kinds(clock):
    return list(clock.events.values_list("kind", flat=True))


def test_a_customer_message_starts_first_response_and_resolution(clock, chat, write, make_policy):
    make_policy(first_response=30, resolution=240)
    conversation = write(chat)
    first, = clocks(conversation, "first_response")
    assert first.state == "running" and first.due_at == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert first.warn_at == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    resolution, = clocks(conversation, "resolution")
    assert resolution.due_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert kinds(first) == ["start"]


def test_business_time_due_across_the_weekend(chat, write, make_policy, lisbon_hours):
    with time_machine.travel(datetime(2026, 3, 6, 16, 30, tzinfo=UTC), tick=False):  # Friday 16:30 in Lisbon
        make_policy(first_response=60, calendar=lisbon_hours)
        conversation = write(chat)
        payload = sla_payload(conversation)
    assert clocks(conversation, "first_response")[0].due_at == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)
    assert payload["business"] and payload["remaining_seconds"] == 3600
    # The badge counts down only while the office is open: Friday 16:30-17:00, then Monday 09:00-09:30.
    assert payload["periods"] == [["2026-03-06T16:30:00+00:00", "2026-03-06T17:00:00+00:00"],
                                  ["2026-03-09T09:00:00+00:00", "2026-03-09T09:30:00+00:00"]]


def test_a_human_reply_on_another_channel_meets_the_clock(clock, chat, make_api_channel, team, fake_http, write, reply,
                                                          make_policy, ana):
    make_policy(first_response=30, next_response=20)
    conversation = write(chat)
    other = make_api_channel("Shop app", team=team, callback_url=fake_http.url + "/callback")
    write(other)  # the same customer (same phone) now also writes on the other channel
    clock.shift(timedelta(minutes=10))
    message = reply(conversation, ana, channel=other)
    first, = clocks(conversation, "first_response")
    assert first.state == "met" and first.met_by_id == message.pk and first.used_seconds == 600
    assert kinds(first) == ["start", "met"]
    # The customer writes again: the next-response clock starts at that message.
    clock.shift(timedelta(minutes=5))
    write(chat)
    nrt, = clocks(conversation, "next_response")
    assert nrt.started_at == datetime(2026, 3, 2, 10, 15, tzinfo=UTC) and nrt.turn == 1


def test_the_next_response_clock_starts_at_the_oldest_unanswered_message(clock, chat, write, reply, make_policy, ana):
    make_policy(first_response=30, next_response=20)
    conversation = write(chat)
    reply(conversation, ana)
    clock.shift(timedelta(minutes=1))
    write(chat, text="one more thing")
    clock.shift(timedelta(minutes=3))
    write(chat, text="hello?")
    nrt, = clocks(conversation, "next_response")
    assert nrt.started_at == datetime(2026, 3, 2, 10, 1, tzinfo=UTC)
    assert nrt.due_at == datetime(2026, 3, 2, 10, 21, tzinfo=UTC)


def test_notes_bots_and_automatic_messages_do_not_count(clock, chat, write, reply, make_policy, ana, committed):
    make_policy(first_response=30)
    conversation = write(chat)
    with committed():
        add_note(conversation, ana, "checking with the warehouse")
        bot = Message.objects.create(conversation=conversation, direction=Message.Direction.OUTBOUND, channel=chat,
                                     text="I am a bot", status=Message.Status.SENT)
    sla.reply_sent(bot.pk)
    automatic = Message.objects.create(conversation=conversation, direction=Message.Direction.OUTBOUND, channel=chat,
                                       author=ana, text="Auto", status=Message.Status.SENT, metadata={"automatic": "x"})
    sla.reply_sent(automatic.pk)
    assert clocks(conversation, "first_response")[0].state == "running"


def test_a_reply_that_fails_later_gives_the_clock_back_with_its_due_time(clock, chat, write, reply, make_policy, ana,
                                                                         committed):
    make_policy(first_response=30)
    conversation = write(chat)
    due = clocks(conversation, "first_response")[0].due_at
    clock.shift(timedelta(minutes=5))
    message = reply(conversation, ana)
    assert clocks(conversation, "first_response")[0].state == "met"
    clock.shift(timedelta(minutes=2))
    with committed():
        apply_status(chat, InboundStatus(external_id=f"omnidesk-{message.pk}", status="failed", reason=provider_text("blocked")))
    first, = clocks(conversation, "first_response")
    assert first.state == "running" and first.due_at == due
    assert kinds(first) == ["start", "met", "resume"]
    assert first.events.last().data["reason"] == "reply_failed"


def test_a_reply_refused_at_once_never_meets_the_clock(clock, chat, write, reply, make_policy, ana, fake_http):
    make_policy(first_response=30)
    conversation = write(chat)
    fake_http.respond(ScriptedResponse(500, {"error": "down"}))
    message = reply(conversation, ana)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    first, = clocks(conversation, "first_response")
    assert first.state == "running" and first.met_by is None


def test_pending_pauses_resolution_and_keeps_the_used_time(clock, chat, write, change, make_policy, ana):
    make_policy(resolution=120, pause_statuses=["pending"])
    conversation = write(chat)
    clock.shift(timedelta(minutes=30))
    change(conversation, ana, status="pending")
    resolution, = clocks(conversation, "resolution")
    assert resolution.state == "paused" and resolution.used_seconds == 1800 and resolution.due_at is None
    clock.shift(timedelta(hours=3))
    change(conversation, ana, status="open")
    resolution.refresh_from_db()
    # 90 minutes left, from now (13:30): due 15:00.
    assert resolution.state == "running" and resolution.due_at == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert kinds(resolution) == ["start", "pause", "resume"]


def test_resolving_stops_clocks_and_a_reopen_starts_a_new_cycle(clock, chat, write, change, make_policy, ana):
    make_policy(first_response=30, resolution=120)
    conversation = write(chat)
    clock.shift(timedelta(minutes=10))
    change(conversation, ana, status="resolved")
    states = {c.metric: c.state for c in clocks(conversation)}
    assert states == {"first_response": "cancelled", "resolution": "met"}
    clock.shift(timedelta(hours=1))
    write(chat, text="it broke again")
    running = [c for c in clocks(conversation) if c.state == "running"]
    assert {c.metric for c in running} == {"first_response", "resolution"}
    assert len({c.cycle_id for c in clocks(conversation)}) == 2


def test_a_priority_change_keeps_the_time_used_and_can_breach_at_once(clock, chat, write, change, make_policy, ana):
    make_policy(first_response={"none": 60, "urgent": 15})
    conversation = write(chat)
    clock.shift(timedelta(minutes=30))
    breached = []
    sla_breached.connect(lambda sender, **kw: breached.append(kw), weak=False, dispatch_uid="test-breach")
    try:
        change(conversation, ana, priority="urgent")
    finally:
        sla_breached.disconnect(dispatch_uid="test-breach")
    first, = clocks(conversation, "first_response")
    assert first.target_seconds == 900 and first.used_seconds == 1800
    # 30 minutes used of the 15 now allowed: breached the moment the target changed.
    assert first.breached_at == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert kinds(first) == ["start", "recompute", "breach"]
    assert breached == [{"clock_id": first.pk, "conversation_id": conversation.pk, "metric": "first_response",
                         "cause": None, "signal": sla_breached}]


def test_policies_match_by_position_and_conditions(clock, chat, mail, write, make_policy, change, ana):
    make_policy("E-mail", position=1, conditions={"channel_kinds": ["email"]}, first_response=240)
    make_policy("VIP", position=0, conditions={"labels": ["vip"]}, first_response=10)
    make_policy("Default", position=2, first_response=60)
    conversation = write(mail, address="maria@example.com", kind="email")
    assert clocks(conversation)[0].policy.name == "E-mail"
    change(conversation, ana, labels=["vip"])
    first, = clocks(conversation)
    assert first.policy.name == "VIP" and first.target_seconds == 600


def test_warning_then_one_breach_however_often_checked(clock, chat, write, make_policy):
    make_policy(first_response=30, warn_before_minutes=10)
    conversation = write(chat)
    first, = clocks(conversation)
    clock.shift(timedelta(minutes=19))
    assert sla.sweep() == 0
    clock.shift(timedelta(minutes=1))
    assert sla.sweep() == 1 and sla.check_clock(first.pk) is False
    clock.shift(timedelta(minutes=10))
    assert sla.check_clock(first.pk) is True
    assert sla.sweep() == 0 and sla.check_clock(first.pk) is False
    first.refresh_from_db()
    assert kinds(first) == ["start", "warning", "breach"]
    assert first.display_state == "breached"
    assert SlaClockEvent.objects.filter(clock=first, kind="breach").count() == 1


def test_a_duplicate_breach_is_refused_by_the_database(clock, chat, write, make_policy):
    make_policy(first_response=30)
    first, = clocks(write(chat))
    SlaClockEvent.objects.create(clock=first, kind="breach")
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaClockEvent.objects.create(clock=first, kind="breach")


def test_editing_the_calendar_moves_running_due_times(clock, chat, write, make_policy, lisbon_hours, committed):
    make_policy(first_response=120, calendar=lisbon_hours)
    conversation = write(chat)  # Monday 10:00, due 12:00
    clock.shift(timedelta(minutes=30))
    with committed():
        save_calendar(lisbon_hours.name, "Europe/Lisbon", {"mon": [["09:00", "11:00"], ["14:00", "18:00"]]},
                      instance=lisbon_hours)
    first, = clocks(conversation)
    # 30 minutes used; 90 left from 10:30: 30 until 11:00, then 60 from 14:00.
    assert first.due_at == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert first.events.last().kind == "recompute" and first.events.last().data["reason"] == "calendar_changed"


def test_editing_a_policy_retargets_open_conversations(clock, chat, write, make_policy, committed):
    policy = make_policy(first_response=60)
    conversation = write(chat)
    clock.shift(timedelta(minutes=10))
    with committed():
        save_sla_policy({"targets": [{"metric": "first_response", "priority": "none", "minutes": 20}]}, policy)
    first, = clocks(conversation)
    assert first.target_seconds == 1200 and first.used_seconds == 600
    assert first.due_at == datetime(2026, 3, 2, 10, 20, tzinfo=UTC)


def test_a_reply_handled_after_the_next_customer_message_still_starts_next_response(clock, chat, write, make_policy,
                                                                                   ana):
    make_policy(first_response=30, next_response=20)
    conversation = write(chat)
    clock.shift(timedelta(minutes=5))
    answer = Message.objects.create(conversation=conversation, direction=Message.Direction.OUTBOUND, channel=chat,
                                    author=ana, text="On it", status=Message.Status.SENT)
    clock.shift(timedelta(minutes=1))
    write(chat, text="thanks, and the invoice?")  # its task runs before the reply's
    assert clocks(conversation, "next_response") == []
    sla.reply_sent(answer.pk)
    first, = clocks(conversation, "first_response")
    nrt, = clocks(conversation, "next_response")
    assert first.state == "met" and first.stopped_at == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert nrt.started_at == datetime(2026, 3, 2, 10, 6, tzinfo=UTC) and nrt.state == "running"
