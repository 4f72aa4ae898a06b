"""The composer in a real browser (canned responses, line breaks, drafts, mentions, retry) and the resync after a drop."""
import pytest
from playwright.sync_api import expect

from conversations.models import CannedResponse, Message

from ..conftest import api_message
from ..fake_http import ScriptedResponse
from .conftest import post_webhook, wait_live

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(make_api_channel, team, make_agent, fake_http):
    channel = make_api_channel("WhatsApp Loja", team=team, callback_url=f"{fake_http.url}/callback")
    CannedResponse.objects.create(shortcut="oi", title="Saudação", text="Olá {{customer.first_name}}!")
    return {"channel": channel, "ana": make_agent("ana", teams=[team]), "dora": make_agent("dora", teams=[team])}


def open_conversation(page):
    page.click("#inbox .row a")
    wait_live(page)


def test_composer_canned_response_line_breaks_draft_mention_and_retry(live_server_url, sign_in, desk, fake_http):
    post_webhook(live_server_url, desk["channel"], api_message("wa-1", "+5511999990001", "Oi!", name="Maria Oliveira"))
    dora = sign_in("dora", "/?view=teams")
    ana = sign_in("ana", "/?view=teams")
    open_conversation(ana)

    # "/oi" offers the canned response, expanded for this customer; Enter picks it.
    ana.type("#composer-text", "/oi")
    expect(ana.locator("#suggestions li")).to_have_text("/oi — Saudação")
    ana.press("#composer-text", "Enter")
    expect(ana.locator("#composer-text")).to_have_value("Olá Maria!")
    # Shift+Enter breaks the line; the draft survives a reload.
    ana.press("#composer-text", "Shift+Enter")
    ana.type("#composer-text", "Tudo certo?")
    ana.reload()
    wait_live(ana)
    expect(ana.locator("#composer-text")).to_have_value("Olá Maria!\nTudo certo?")

    # The integrator refuses the first delivery: the reason and a retry button show.
    fake_http.respond(ScriptedResponse(400, {"error": "busy"}))
    ana.press("#composer-text", "Enter")
    failed = ana.locator("#timeline .message.outbound")
    expect(failed.locator(".delivery")).to_have_text("Failed")
    expect(failed.locator(".failure")).to_contain_text("HTTP 400")
    assert Message.objects.get(direction="outbound").text == "Olá Maria!\nTudo certo?"
    expect(ana.locator("#composer-text")).to_have_value("")
    fake_http.respond(ScriptedResponse(200, {"id": "ext-1"}))
    failed.locator("button[data-retry]").click()
    expect(failed.locator(".delivery")).to_have_text("Sent")

    # A private note mentioning Dora lights her bell, live.
    ana.check("input[name=mode][value=note]")
    ana.type("#composer-text", "@do")
    expect(ana.locator("#suggestions li")).to_contain_text("@dora")
    ana.press("#composer-text", "Tab")
    ana.type("#composer-text", "pode olhar?")
    ana.press("#composer-text", "Enter")
    expect(ana.locator("#timeline .message.note")).to_contain_text("@dora pode olhar?")
    expect(dora.locator("#notification-count")).to_have_text("1")


def test_after_a_network_drop_the_console_fetches_what_it_missed(live_server_url, browser, sign_in, desk):
    dropped = {"now": False}
    sockets = []

    def relay(ws):
        if dropped["now"]:
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    post_webhook(live_server_url, desk["channel"], api_message("wa-1", "+5511999990001", "Primeira", name="Maria"))
    ana = sign_in("ana", "/?view=teams")
    ana.context.route_web_socket("**/ws/console/", relay)
    ana.reload()
    wait_live(ana)
    open_conversation(ana)

    dropped["now"] = True
    for ws in sockets:
        ws.close()
    expect(ana.locator("#connection")).to_have_attribute("data-state", "reconnecting")
    post_webhook(live_server_url, desk["channel"], api_message("wa-2", "+5511999990001", "Enquanto você caiu"))
    post_webhook(live_server_url, desk["channel"], api_message("wa-3", "+5511999990002", "Cliente novo", name="João"))
    dropped["now"] = False

    wait_live(ana)
    expect(ana.locator("#timeline .message.inbound").last).to_contain_text("Enquanto você caiu")
    expect(ana.locator("#inbox .row", has_text="João")).to_contain_text("Cliente novo")
