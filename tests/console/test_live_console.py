"""Two agents, two browsers, one customer writing from outside: everything appears live, without reloads."""
import pytest
from playwright.sync_api import expect

from conversations.models import Conversation, Message

from ..conftest import api_message
from .conftest import post_webhook, wait_live

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(make_api_channel, team, make_agent, fake_http):
    return {
        # Replies on this channel are delivered to a local fake integrator, so they reach "sent".
        "whatsapp": make_api_channel("WhatsApp Loja", team=team, callback_url=f"{fake_http.url}/callback"),
        "email": make_api_channel("E-mail suporte", team=team, callback_url=f"{fake_http.url}/callback"),
        "ana": make_agent("ana", teams=[team]),
        "bruno": make_agent("bruno", teams=[team]),
    }


def row(page, name):
    return page.locator("#inbox .row", has_text=name)


def test_two_agents_see_the_customer_story_live(live_server_url, sign_in, desk, fake_http):
    ana = sign_in("ana", "/?view=unassigned")
    bruno = sign_in("bruno", "/?view=teams")

    # A webhook posted from outside appears in both inboxes without reload.
    post_webhook(live_server_url, desk["whatsapp"], api_message("wa-1", "+5511999990001", "Oi, cadê meu pedido?",
                                                                name="Maria Oliveira"))
    expect(row(ana, "Maria Oliveira")).to_contain_text("Oi, cadê meu pedido?")
    expect(row(bruno, "Maria Oliveira")).to_contain_text("Oi, cadê meu pedido?")
    expect(ana.locator('[data-count="unassigned"]')).to_have_text("1")

    # Both open it; each sees the other there (collision).
    bruno.click("#inbox .row a")
    wait_live(bruno)
    ana.click("#inbox .row a")
    wait_live(ana)
    expect(ana.locator("#viewers")).to_contain_text("Bruno")
    expect(bruno.locator("#viewers")).to_contain_text("Ana")

    # Ana records the customer's email; the customer then writes by email: the switch shows in both timelines.
    ana.click("#customer-panel summary:has-text('Add an address')")
    ana.select_option("#customer-panel select[name=kind]", "email")
    ana.fill("#customer-panel input[name=address]", "Maria@Example.com")
    ana.click("#customer-panel button:has-text('Add')")
    expect(ana.locator("#customer-panel .identities")).to_contain_text("maria@example.com")
    post_webhook(live_server_url, desk["email"], api_message("em-1", "maria@example.com", "Mandei a nota fiscal por e-mail.",
                                                             kind="email"))
    for page in (ana, bruno):
        expect(page.locator("#timeline .system-line")).to_contain_text(
            "Customer moved from WhatsApp Loja to E-mail suporte")
        expect(page.locator("#timeline .message.inbound").last).to_contain_text("Mandei a nota fiscal")

    # Ana answers on a channel she chooses (not the default, which is the last one the customer used).
    expect(ana.locator("#reply-channel")).to_have_value(str(desk["email"].pk))
    ana.select_option("#reply-channel", str(desk["whatsapp"].pk))
    ana.fill("#composer-text", "Recebemos, Maria! Já estamos verificando.")
    ana.press("#composer-text", "Enter")
    reply_in_bruno = bruno.locator("#timeline .message.outbound", has_text="Recebemos, Maria!")
    expect(reply_in_bruno).to_contain_text("WhatsApp Loja")
    expect(reply_in_bruno.locator(".delivery")).to_have_text("Sent")
    reply = Message.objects.get(direction=Message.Direction.OUTBOUND)
    assert (reply.channel, reply.author, reply.status) == (desk["whatsapp"], desk["ana"], Message.Status.SENT)
    assert fake_http.requests[-1].json()["text"] == "Recebemos, Maria! Já estamos verificando."

    # Assignment moves the row for both: out of Ana's Unassigned, into Bruno's Mine.
    bruno.goto(f"{live_server_url}/?view=mine")
    wait_live(bruno)
    expect(row(bruno, "Maria Oliveira")).to_have_count(0)
    ana.select_option("#actions select[name=assignee]", str(desk["bruno"].pk))
    expect(row(ana, "Maria Oliveira")).to_have_count(0)
    expect(ana.locator('[data-count="unassigned"]')).to_have_text("0")
    expect(row(bruno, "Maria Oliveira")).to_contain_text("Bruno")
    expect(bruno.locator('[data-count="mine"]')).to_have_text("1")
    expect(ana.locator("#timeline .event").last).to_contain_text("Ana assigned this conversation to Bruno")
    assert Conversation.objects.get().assignee == desk["bruno"]


def test_the_supervisor_view_moves_live(live_server_url, sign_in, desk, make_agent):
    from conversations.models import AgentProfile

    make_agent("carla", role=AgentProfile.Role.SUPERVISOR)
    carla = sign_in("carla", "/supervisor/")
    expect(carla.locator("#supervisor")).to_contain_text("Nobody is waiting without an agent.")
    post_webhook(live_server_url, desk["whatsapp"], api_message("wa-1", "+5511999990001", "Alguém aí?", name="Maria"))
    waiting = carla.locator("#supervisor .card", has_text="Unassigned, waiting longest")
    expect(waiting).to_contain_text("Maria")
    expect(carla.locator("#supervisor .card", has_text="Unresolved by channel")).to_contain_text("WhatsApp Loja")
    ana = sign_in("ana", "/")
    expect(carla.locator("tr[data-presence-user]", has_text="Ana")).to_contain_text("Online")
    ana.context.close()
    expect(carla.locator("tr[data-presence-user]", has_text="Ana")).to_contain_text("Offline")


def test_a_conversation_taken_away_says_so_and_leaves_the_inbox(live_server_url, sign_in, desk, other_team,
                                                               admin_user):
    import httpx
    from rest_framework.authtoken.models import Token

    post_webhook(live_server_url, desk["whatsapp"], api_message("wa-1", "+5511999990001", "Meu pedido sumiu",
                                                                name="Maria Oliveira"))
    conversation = Conversation.objects.get()
    ana = sign_in("ana", f"/conversations/{conversation.pk}/?view=teams")
    expect(row(ana, "Maria Oliveira")).to_contain_text("Meu pedido sumiu")

    # An admin moves it to a team Ana is not in: her open page says so at once and the row goes.
    token = Token.objects.get_or_create(user=admin_user)[0].key
    moved = httpx.patch(f"{live_server_url}/api/v1/conversations/{conversation.pk}/", json={"team": other_team.pk},
                        headers={"Authorization": f"Token {token}"}, timeout=10)
    assert moved.status_code == 200, moved.text
    expect(ana.locator("#viewers")).to_have_text("You no longer have access to this conversation.")
    expect(ana.locator("#composer-text")).to_be_disabled()
    expect(row(ana, "Maria Oliveira")).to_have_count(0)
