"""The widget in Debian's Chromium: a shop page on one port embeds the snippet from the app on another."""
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from rest_framework.authtoken.models import Token

from api.serializers import ChannelSerializer
from channels_adapters.webchat.tokens import identifier_hash
from conversations.models import Conversation, Customer, Message
from conversations.presence import mark_agent_online

from ...conftest import api_message, signed
from ...services import require
from .conftest import HMAC_SECRET

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = "+5511999990001"


class ShopSite:
    """The shop's own site: pages by path, served on 127.0.0.1 (and reachable as localhost, another origin)."""

    def __init__(self):
        self.pages = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = site.pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def page(self, path, snippet, title="Shop", before=""):
        self.pages[path] = (f"<!doctype html><html lang='en'><head><title>{title}</title>"
                            f"<style>button{{background:red!important}}</style></head>"
                            f"<body><h1>{title}</h1>{before}{snippet}</body></html>")


@pytest.fixture
def shop():
    site = ShopSite()
    yield site
    site.httpd.shutdown()
    site.httpd.server_close()


@pytest.fixture
def browser(monkeypatch, live_server_url):
    """Closed before the live server's teardown, which waits for the browser's sockets to finish."""
    require("Chromium", os.path.exists(CHROMIUM), "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def setup(live_server_url, settings, shop, make_webchat_channel, make_api_channel, team, admin_user):
    settings.PUBLIC_BASE_URL = live_server_url
    channel = make_webchat_channel(team=team, allowed_origins=[f"http://127.0.0.1:{shop.port}"],
                                   prechat_fields=["name"], welcome_text="Hi! Ask us anything.")
    snippet = ChannelSerializer(channel).data["embed_snippet"]
    mark_agent_online(admin_user.pk, [team.pk])
    return channel, snippet


def agent_console(browser, base):
    """The agent, signed in, with the console websocket collecting its events in window.events."""
    page = browser.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "a-long-pass-phrase-1")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{base}/")
    page.evaluate("""() => new Promise((resolve) => {
        window.events = [];
        const ws = window.consoleSocket = new WebSocket(location.origin.replace('http', 'ws') + '/ws/console/');
        ws.onmessage = (e) => { const f = JSON.parse(e.data); if (f.type === 'hello') resolve(); window.events.push(f); };
    })""")
    return page


def api_reply(base, user, conversation_id, text):
    token = Token.objects.get_or_create(user=user)[0].key
    response = httpx.post(f"{base}/api/v1/conversations/{conversation_id}/messages/", json={"text": text},
                          headers={"Authorization": f"Token {token}"}, timeout=10)
    assert response.status_code == 201, response.text


def test_visitor_and_agent_talk_live_and_a_reload_resumes(browser, live_server_url, shop, setup, admin_user):
    from playwright.sync_api import expect

    channel, snippet = setup
    shop.page("/checkout", snippet, title="Checkout")
    agent = agent_console(browser, live_server_url)
    visitor = browser.new_page()
    visitor.goto(f"http://127.0.0.1:{shop.port}/checkout")

    visitor.evaluate("() => { window.heard = []; OmniDesk.on('message', (m) => window.heard.push(m.text)); }")
    launcher = visitor.locator("button.launcher")
    launcher.click()
    expect(visitor.locator("[role=dialog]")).to_be_visible()
    expect(visitor.locator(".welcome")).to_have_text("Hi! Ask us anything.")
    expect(visitor.locator(".status")).to_have_text("We are online and reply in minutes.")
    # The host page's CSS (red buttons) does not leak into the widget.
    assert visitor.locator("button.launcher").evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 0, 0)"
    visitor.locator(".prechat input[name=name]").fill("Paula")
    visitor.locator(".prechat button[type=submit]").click()

    visitor.locator("textarea#omnidesk-text").fill("My card is refused <img src=x onerror=window.pwned=1>")
    visitor.keyboard.press("Enter")
    expect(visitor.locator(".msg.visitor .meta")).not_to_have_text("Sending…")
    # The agent's inbox hears of the new conversation (its row; the full message goes where it is open).
    agent.wait_for_function("""() => window.events.some(f => f.event === 'conversation.created'
                                     && f.payload.last_message_preview.startsWith('My card is refused'))""")

    conversation = Conversation.objects.get()
    agent.evaluate(f"() => window.consoleSocket.send(JSON.stringify({{type: 'subscribe', conversation: {conversation.pk}}}))")
    agent.wait_for_function("() => window.events.some(f => f.type === 'subscribed')")
    assert conversation.customer.name == "Paula"
    assert conversation.customer.touchpoints.get().url == f"http://127.0.0.1:{shop.port}/checkout"
    api_reply(live_server_url, admin_user, conversation.pk, "Try again now <b>please</b>")
    agent_message = visitor.locator(".msg.agent")
    expect(agent_message.locator(".text")).to_have_text("Try again now <b>please</b>")
    expect(agent_message.locator(".author")).to_have_text("Root")
    assert visitor.evaluate("() => window.heard") == ["Try again now <b>please</b>"]
    assert visitor.evaluate("() => window.pwned") is None
    reply = Message.objects.get(direction=Message.Direction.OUTBOUND)
    agent.wait_for_function(f"""() => window.events.some(f => f.event === 'message.updated'
                                      && f.payload.id === {reply.pk} && f.payload.status === 'read')""")

    visitor.reload()
    visitor.locator("button.launcher").click()
    expect(visitor.locator(".msg .text")).to_have_text(["My card is refused <img src=x onerror=window.pwned=1>",
                                                        "Try again now <b>please</b>"])
    assert Conversation.objects.count() == 1

    # Resolved by the agent: the open widget asks for a rating at once.
    token = Token.objects.get(user=admin_user).key
    assert httpx.patch(f"{live_server_url}/api/v1/conversations/{conversation.pk}/", json={"status": "resolved"},
                       headers={"Authorization": f"Token {token}"}).status_code == 200
    csat = visitor.locator(".csat")
    csat.get_by_role("button", name="Rate 4 out of 5").click()
    csat.locator("textarea").fill("Quick, thanks")
    csat.get_by_role("button", name="Send rating").click()
    expect(csat).to_have_text("Thank you for your rating!")
    rating = conversation.cycles.get().csat
    assert (rating.rating, rating.comment) == (4, "Quick, thanks")


def test_a_verified_user_sees_earlier_whatsapp_history_and_a_forged_hash_does_not(
        browser, live_server_url, shop, setup, make_api_channel, team):
    from playwright.sync_api import expect

    channel, snippet = setup
    whatsapp = make_api_channel("WhatsApp", team=team)
    body, headers = signed(api_message("wa-1", PHONE, "Order 4512 never arrived"))
    assert httpx.post(f"{live_server_url}/webhooks/{whatsapp.pk}/", content=body, headers=headers).status_code == 200

    def page_as(hash_value):
        call = f"<script>window.OmniDesk={{q:[]}};</script>" \
               f"<script>var o=window.OmniDesk;o.q.push(['setUser',['{PHONE}',{{identifier_hash:'{hash_value}'}}]]);</script>"
        return call + snippet

    shop.page("/account", page_as(identifier_hash(HMAC_SECRET, PHONE)), title="My account")
    shop.page("/forged", page_as("0" * 64), title="Forged")

    verified = browser.new_context().new_page()
    verified.goto(f"http://127.0.0.1:{shop.port}/account")
    verified.locator("button.launcher").click()
    expect(verified.locator(".msg.visitor .text")).to_have_text(["Order 4512 never arrived"])
    expect(verified.locator(".msg.visitor .meta")).to_contain_text("via API")
    verified.locator("textarea#omnidesk-text").fill("Any news about it?")
    verified.keyboard.press("Enter")
    expect(verified.locator(".msg.visitor .text")).to_have_text(["Order 4512 never arrived", "Any news about it?"])
    expect(verified.locator(".msg.visitor .meta").last).not_to_have_text("Sending…")
    assert Conversation.objects.count() == 1
    # Logging out of the shop: the widget forgets the customer and shows nothing of them.
    verified.evaluate("() => OmniDesk.reset()")
    expect(verified.locator(".msg.visitor")).to_have_count(0)
    expect(verified.locator(".prechat input[name=name]")).to_be_visible()

    forged = browser.new_context().new_page()
    forged.goto(f"http://127.0.0.1:{shop.port}/forged")
    forged.locator("button.launcher").click()
    forged.locator(".prechat input[name=name]").fill("Mallory")
    forged.locator(".prechat button[type=submit]").click()
    forged.locator("textarea#omnidesk-text").fill("Show me my orders")
    forged.keyboard.press("Enter")
    expect(forged.locator(".msg.visitor .meta")).not_to_have_text("Sending…")  # history came before this
    expect(forged.locator(".msg.visitor .text")).to_have_text(["Show me my orders"])
    assert Conversation.objects.count() == 2
    assert Customer.objects.get(identities__kind="webchat").name == "Mallory"


def test_a_disallowed_origin_is_refused(browser, live_server_url, shop, setup):
    channel, snippet = setup
    shop.page("/elsewhere", snippet)
    page = browser.new_page()
    page.goto(f"http://localhost:{shop.port}/elsewhere")  # another origin than the allowed 127.0.0.1 one
    outcome = page.evaluate("""async ([base, channel]) => {
        let session;
        try { await fetch(base + '/webchat/' + channel + '/session/', {method: 'POST', body: '{}',
                          headers: {'Content-Type': 'application/json'}}); session = 'answered'; }
        catch (e) { session = 'blocked'; }
        const socket = await new Promise((resolve) => {
            const ws = new WebSocket(base.replace('http', 'ws') + '/ws/webchat/' + channel + '/');
            ws.onopen = () => resolve('open');
            ws.onclose = () => resolve('refused');
        });
        return [session, socket];
    }""", [live_server_url, str(channel.pk)])
    assert outcome == ["blocked", "refused"]
    assert not Customer.objects.exists()


def test_the_widget_speaks_the_page_language(browser, shop, setup):
    from playwright.sync_api import expect

    channel, snippet = setup
    page = browser.new_page()
    for lang, label, status in (("pt-BR", "Abrir chat", "Estamos online e respondemos em minutos."),
                                ("es-AR", "Abrir chat", "Estamos en línea y respondemos en minutos."),
                                ("de", "Open chat", "We are online and reply in minutes.")):
        shop.pages[f"/{lang}"] = f"<!doctype html><html lang='{lang}'><body>{snippet}</body></html>"
        page.goto(f"http://127.0.0.1:{shop.port}/{lang}")
        launcher = page.locator("button.launcher")
        expect(launcher).to_have_attribute("aria-label", label)
        launcher.click()
        expect(page.locator(".status")).to_have_text(status)


def test_a_typed_email_is_proven_by_a_code_typed_back_in_the_widget(browser, live_server_url, shop, settings,
                                                                     make_webchat_channel, team, admin_user):
    from playwright.sync_api import expect

    from channels_adapters.setup import create_channel

    from ..email.servers import SmtpServer

    settings.PUBLIC_BASE_URL = live_server_url
    channel = make_webchat_channel(team=team, allowed_origins=[f"http://127.0.0.1:{shop.port}"],
                                   prechat_fields=["email"])
    mark_agent_online(admin_user.pk, [team.pk])
    with SmtpServer() as smtp:
        create_channel("email", "E-mail suporte", {"address": "support@inbox.example.com", "smtp_host": "127.0.0.1",
                                                   "smtp_port": smtp.port, "smtp_security": "none"}, team=team)
        shop.pages["/pt"] = ("<!doctype html><html lang='pt-BR'><body>"
                             f"{ChannelSerializer(channel).data['embed_snippet']}</body></html>")
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{shop.port}/pt")
        page.locator("button.launcher").click()
        page.locator(".prechat input[name=email]").fill("paula@example.com")
        page.locator(".prechat button[type=submit]").click()
        page.locator("textarea#omnidesk-text").fill("Oi, meu pedido?")
        page.keyboard.press("Enter")

        card = page.locator(".verify")
        expect(card).to_contain_text("Verifique paula@example.com")
        card.get_by_role("button", name="Enviar código").click()
        expect(card).to_contain_text("Enviamos um código para paula@example.com.")
        (mail,) = smtp.script.received
        text = mail.message.get_body(preferencelist=("plain",)).get_content()
        code = next(word.rstrip(".") for word in text.split() if word.rstrip(".").isdigit())
        card.get_by_label("Código").fill("999999" if code != "999999" else "000000")
        card.get_by_role("button", name="Verificar").click()
        expect(card.locator(".error")).to_contain_text("Este código não está certo")
        card.get_by_label("Código").fill(code)
        card.get_by_role("button", name="Verificar").click()
        expect(page.locator(".verified")).to_have_text("Verificado: paula@example.com")
        expect(page.locator(".msg.visitor .text")).to_have_text(["Oi, meu pedido?"])
        expect(page.locator(".verify")).to_have_count(0)
    identity = Customer.objects.get(identities__kind="webchat").identities.get(kind="email")
    assert (identity.address, identity.verified, identity.claimed) == ("paula@example.com", True, False)


def test_the_widget_works_on_the_demo_shop_page_under_its_policy(browser, live_server_url, settings,
                                                                 make_webchat_channel, team, admin_user):
    from playwright.sync_api import expect

    settings.PUBLIC_BASE_URL = live_server_url
    settings.WEBCHAT_DEMO_PAGE = True
    make_webchat_channel(team=team, allowed_origins=[live_server_url], prechat_fields=[])
    mark_agent_online(admin_user.pk, [team.pk])
    page = browser.new_page()
    page.add_init_script("""window.cspViolations = []; document.addEventListener('securitypolicyviolation',
        (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));""")
    page.goto(f"{live_server_url}/demo/shop/")
    page.locator("button.launcher").click()
    page.locator("textarea#omnidesk-text").fill("Tem o tamanho M?")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.visitor .meta")).not_to_have_text("Enviando…")  # the page is in Portuguese
    assert Message.objects.filter(text="Tem o tamanho M?").exists()
    assert page.evaluate("() => window.cspViolations") == []


def test_a_refusal_is_shown_in_the_widgets_language(browser, live_server_url, settings, shop, make_webchat_channel,
                                                     team):
    """The server answers a code; the widget words it in the page's language, not the server's English."""
    from playwright.sync_api import expect

    settings.PUBLIC_BASE_URL = live_server_url
    channel = make_webchat_channel(team=team, allowed_origins=[f"http://127.0.0.1:{shop.port}"],
                                   prechat_fields=["phone"])
    snippet = ChannelSerializer(channel).data["embed_snippet"]
    shop.pages["/pt"] = f"<!doctype html><html lang='pt-BR'><body>{snippet}</body></html>"
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{shop.port}/pt")
    page.locator("button.launcher").click()
    page.locator(".prechat input[name=phone]").fill("12")
    page.locator(".prechat input[name=email]").fill("ana@example.com")
    page.locator(".prechat button[type=submit]").click()
    expect(page.locator(".prechat .error")).to_have_text("Este telefone não parece certo.")
    assert not Customer.objects.exists()
