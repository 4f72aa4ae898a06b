"""Under the strict Content-Security-Policy the console still works in Chromium, with no violation reported."""
import httpx
import pytest

from ..conftest import api_message, signed
from .conftest import wait_live

pytestmark = pytest.mark.django_db(transaction=True)

LISTEN = """() => { window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


def test_the_console_runs_without_a_policy_violation(live_server_url, sign_in, make_api_channel, make_agent, team):
    make_agent("ana", teams=[team])
    channel = make_api_channel("Shop API", team=team)
    body, headers = signed(api_message("m-1", "+5511999990001", "Oi <img src=x onerror=window.pwned=1>", name="Maria"))
    assert httpx.post(f"{live_server_url}/webhooks/{channel.pk}/", content=body, headers=headers).status_code == 200

    page = sign_in("ana", "/")
    reported = []
    page.on("console", lambda message: reported.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.add_init_script(f"({LISTEN})()")
    page.reload()
    wait_live(page)
    page.click("#inbox .row a")
    wait_live(page)
    page.fill("#composer-text", "Olá Maria!")
    page.press("#composer-text", "Enter")
    page.wait_for_selector("#timeline .message.outbound:has-text('Olá Maria!')")
    for path in ("/settings/", "/search/?q=Maria", "/notifications/", "/password/"):
        page.goto(f"{live_server_url}{path}")
    assert page.evaluate("() => window.cspViolations") == [] and reported == []
    assert page.evaluate("() => window.pwned") is None
