"""axe-core (vendored from npm in static/vendor/axe-core) on every kind of page: no serious or critical violation."""
from pathlib import Path

import pytest
from django.conf import settings

from api.serializers import ChannelSerializer
from channels_adapters.setup import create_channel
from conversations.models import AgentProfile, Conversation

from ..conftest import api_message
from .conftest import PASSWORD, post_webhook, wait_live

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
# axe is injected as an inline script, which the console's CSP (script-src 'self') rightly refuses: the
# browser contexts of these checks bypass CSP; tests/test_security_headers.py and test_csp_browser.py check the policy.
NO_CSP = {"bypass_csp": True}


def serious_violations(page, context="document"):
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(f"""async () => (await axe.run({context}, {{resultTypes: ["violations"]}})).violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({{id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary)}}))""")
    return violations


@pytest.fixture
def desk(live_server_url, make_api_channel, team, make_agent):
    channel = make_api_channel("WhatsApp Loja", team=team)
    make_agent("ana", teams=[team])
    make_agent("sofia", role=AgentProfile.Role.SUPERVISOR, teams=[team])
    post_webhook(live_server_url, channel, api_message("wa-1", "+5511999990001", "Cadê meu pedido?", name="Maria Oliveira"))
    return channel


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_sign_in_page(browser, live_server_url, scheme):
    context = browser.new_context(color_scheme=scheme, **NO_CSP)
    page = context.new_page()
    page.goto(f"{live_server_url}/login/")
    assert serious_violations(page) == []
    # The check does look: an unlabelled icon button is reported.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<button>×</button><img src=x>')")
    page.evaluate("document.querySelector('main button:last-of-type').textContent = ''")
    assert {v["id"] for v in serious_violations(page)} >= {"button-name", "image-alt"}
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_console_pages(browser, live_server_url, desk, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1400, "height": 900}, **NO_CSP)
    page = context.new_page()
    page.goto(f"{live_server_url}/login/")
    page.fill("#id_username", "sofia")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server_url}/")
    wait_live(page)
    conversation = Conversation.objects.get()
    found = {}
    for name, path in (("inbox", "/"), ("conversation", f"/conversations/{conversation.pk}/"),
                       ("supervisor", "/supervisor/"), ("settings", "/settings/")):
        page.goto(f"{live_server_url}{path}")
        wait_live(page)
        found[name] = serious_violations(page)
    # The keyboard's dialogs are part of the page too.
    page.goto(f"{live_server_url}/conversations/{conversation.pk}/")
    wait_live(page)
    page.keyboard.press("Control+k")
    page.locator(".palette-input").fill("mar")
    page.wait_for_selector(".palette-option >> text=Maria Oliveira")
    found["palette"] = serious_violations(page)
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    found["shortcuts"] = serious_violations(page)
    context.close()
    assert found == {name: [] for name in found}


def test_the_web_chat_widget(browser, live_server_url, settings, team):
    """The widget as a shop's visitor sees it, opened, on a page of the shop's own."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    settings.PUBLIC_BASE_URL = live_server_url
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    channel = create_channel("webchat", "Site chat", {"allowed_origins": [f"http://127.0.0.1:{port}"],
                                                      "prechat_fields": ["name"]}, team=team)
    body = (f"<!doctype html><html lang='en'><head><title>Shop</title></head><body><main><h1>Shop</h1></main>"
            f"{ChannelSerializer(channel).data['embed_snippet']}</body></html>").encode()

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server.RequestHandlerClass = Shop
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page(**NO_CSP)
        page.goto(f"http://127.0.0.1:{port}/")
        page.locator("button.launcher").click()
        page.wait_for_selector(".prechat input[name=name]")
        assert serious_violations(page) == []
        page.close()
    finally:
        server.shutdown()
        server.server_close()
