"""In a real browser: the SLA badge counts down, and the supervisor's queue moves live as agents come online."""
import re

import pytest
from playwright.sync_api import expect

from conversations.models import AgentProfile, Conversation
from routing.models import AssignmentPolicy, SlaPolicy, SlaTarget

from ..conftest import api_message
from ..console.conftest import browser, fresh_presence, post_webhook, sign_in, wait_live  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(make_api_channel, team, make_agent, fake_http):
    AssignmentPolicy.objects.create(team=team, mode=AssignmentPolicy.Mode.ROUND_ROBIN)
    policy = SlaPolicy.objects.create(name="Standard")
    SlaTarget.objects.create(policy=policy, metric="first_response", priority="none", minutes=30)
    return {
        "chat": make_api_channel("Chat da loja", team=team, callback_url=f"{fake_http.url}/callback"),
        "ana": make_agent("ana", teams=[team]),
        "boss": make_agent("boss", role=AgentProfile.Role.SUPERVISOR),
    }


def test_the_badge_counts_down_and_the_queue_moves_live(live_server_url, sign_in, desk):
    boss = sign_in("boss", "/supervisor/")
    queue = boss.locator("#routing-queues")
    expect(queue).to_contain_text("Nobody is waiting for an agent.")

    # Nobody of the team is online: the new conversation waits in the queue, shown at once.
    post_webhook(live_server_url, desk["chat"], api_message("c-1", "+5511999990001", "Oi!", name="Maria Oliveira"))
    waiting = queue.locator("tr[data-queued]", has_text="Maria Oliveira")
    expect(waiting).to_contain_text("New conversation")
    expect(queue.locator(".queue-count")).to_have_text("1 waiting")

    # Its first-response badge counts down, second by second, in the browser.
    badge = waiting.locator(".sla-badge .sla-left")
    expect(badge).to_have_text(re.compile(r"^(29|30):\d\d$"))
    first = badge.text_content()
    expect(badge).not_to_have_text(first)
    assert badge.text_content() < first

    # Ana opens her console: she is online, so the conversation is hers and leaves the queue live.
    ana = sign_in("ana", "/?view=mine")
    expect(queue.locator("tr[data-queued]")).to_have_count(0)
    expect(queue).to_contain_text("Nobody is waiting for an agent.")
    expect(boss.locator(f'tr[data-routing-agent="{desk["ana"].pk}"]')).to_contain_text("Online")
    conversation = Conversation.objects.get()
    assert conversation.assignee == desk["ana"]

    # In her inbox, the row carries the same badge, counting down too.
    row_badge = ana.locator(f"#row-{conversation.pk} .sla-badge .sla-left")
    expect(row_badge).to_have_text(re.compile(r"^(29|30):\d\d$"))
    shown = row_badge.text_content()
    expect(row_badge).not_to_have_text(shown)

    # The conversation header explains the clock.
    ana.click(f"#row-{conversation.pk} a")
    wait_live(ana)
    ana.click("#sla-header .sla-why summary")
    expect(ana.locator("#sla-header .sla-events")).to_contain_text("First response")
    expect(ana.locator("#sla-header .sla-events")).to_contain_text("Started")
