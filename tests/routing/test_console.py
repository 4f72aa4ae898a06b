"""The console's routing pieces, server side: due badges, due-soonest order, "why", supervisor board, lines."""
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from conversations.models import AgentProfile
from routing.actions import sla
from routing.models import CapacityRule, SlaClockEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


@pytest.fixture
def boss(make_agent):
    return make_agent("boss", role=AgentProfile.Role.SUPERVISOR)


def page(user, url, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    answer = client.get(url)
    assert answer.status_code == 200
    return BeautifulSoup(answer.content, "html.parser")


def test_inbox_rows_carry_a_due_badge_and_sort_by_due_soonest(clock, chat, write, make_policy, ana, change):
    make_policy("VIP", position=0, conditions={"labels": ["vip"]}, first_response=5)
    make_policy("Standard", position=1, first_response=60)
    older = write(chat, address="+351911000001")
    clock.shift(timedelta(minutes=1))
    vip = write(chat, address="+351911000002")
    change(vip, ana, labels=["vip"])
    waiting_order = [row["data-id"] for row in page(ana, "/?view=teams").select("#inbox .row")]
    assert waiting_order == [str(older.pk), str(vip.pk)]
    soup = page(ana, "/?view=teams&sort=due")
    rows = soup.select("#inbox .row")
    assert [row["data-id"] for row in rows] == [str(vip.pk), str(older.pk)]
    assert rows[0]["data-sort"] < rows[1]["data-sort"]
    badge = rows[0].select_one(".sla-badge")
    assert badge["data-due"] == "2026-03-02T10:06:00+00:00" and badge["data-state"] == "running"
    assert badge.select_one(".sla-left").text == "05:00"


def test_the_header_explains_the_clock(clock, chat, write, make_policy, ana, change):
    make_policy(first_response={"none": 60, "urgent": 15}, resolution=240, pause_statuses=["pending"])
    conversation = write(chat)
    clock.shift(timedelta(minutes=10))
    change(conversation, ana, priority="urgent")
    change(conversation, ana, status="pending")
    soup = page(ana, f"/conversations/{conversation.pk}/")
    header = soup.select_one("#sla-header")
    assert header.select_one(".sla-badge")["data-remaining"] == "300"
    events = [li.get_text(" ", strip=True) for li in header.select(".sla-why li")]
    assert any("First response" in text and "Target changed" in text for text in events)
    assert any("Resolution" in text and "Paused" in text and "pending" in text for text in events)


def test_the_supervisor_sees_queues_load_against_capacity_and_breaches(clock, chat, write, make_policy, auto_assign,
                                                                      status_of, ana, boss, team):
    auto_assign(live_idle_minutes=60)
    make_policy(first_response=30)
    CapacityRule.objects.create(team=team, channel_kind="api", max_active=1)
    status_of(ana)
    write(chat, address="+351911000001")
    waiting = write(chat, address="+351911000002")
    clock.shift(timedelta(minutes=31))
    status_of(ana)
    sla.sweep()
    soup = page(boss, "/supervisor/panel/")
    queue = soup.select_one("#routing-queues")
    assert [row["data-queued"] for row in queue.select("tr[data-queued]")] == [str(waiting.pk)]
    assert "1 waiting" in queue.get_text()
    load = soup.select_one(f'tr[data-routing-agent="{ana.pk}"]').get_text(" ", strip=True)
    assert "Online" in load and "api 1/1" in load
    assert soup.select_one(".breach-count").text == "2"
    assert SlaClockEvent.objects.filter(kind="breach").count() == 2


def test_routing_lines_read_in_the_agents_language(clock, chat, write, auto_assign, status_of, ana):
    auto_assign()
    status_of(ana)
    conversation = write(chat)
    soup = page(ana, f"/conversations/{conversation.pk}/", language="pt-br")
    lines = [node.get_text(" ", strip=True) for node in soup.select(".system-line")]
    assert any(re.search(r"Atribuída a Ana automaticamente \(Rodízio\): Nova conversa", line) for line in lines), lines
