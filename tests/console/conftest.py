"""Browser fixtures: Playwright driving Debian's Chromium (never a downloaded browser) against the live ASGI server."""
import os

import httpx
import pytest

from ..conftest import signed
from ..services import require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "a-long-pass-phrase-1"  # the make_agent fixture's


@pytest.fixture(scope="module")
def browser():
    require("Chromium", os.path.exists(CHROMIUM), "apt-get install chromium (.ci/run does it)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    # Playwright's sync API keeps an (idle) event loop in this thread; the test's own ORM calls are
    # still plain synchronous calls, which Django would otherwise refuse.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def sign_in(browser, live_server_url):
    """Open a fresh browser context (its own cookies) signed in as `username`; returns its page."""
    contexts = []

    def open_page(username, path="/", locale="en-US", viewport=None):
        context = browser.new_context(locale=locale, timezone_id="America/Sao_Paulo",
                                      viewport=viewport or {"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server_url}/login/?next={path}")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server_url}{path}")
        wait_live(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


def wait_live(page):
    """The console's websocket is connected (and will not miss the next event)."""
    page.wait_for_selector("#connection[data-state=live]", state="attached")


def post_webhook(base_url, channel, payload):
    """A provider (here the api channel's integrator) posting from outside, over real HTTP."""
    body, headers = signed(payload)
    response = httpx.post(f"{base_url}/webhooks/{channel.pk}/", content=body, headers=headers, timeout=10)
    assert response.status_code == 200, response.text


@pytest.fixture(autouse=True)
def fresh_presence():
    """Presence lives in the cache, which outlives the test database: start every test with nobody online."""
    from django.core.cache import cache

    cache.clear()
