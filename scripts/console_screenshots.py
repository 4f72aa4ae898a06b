"""Take the README's console screenshots from a running OmniDesk with the demo data (`make run`).

    .venv/bin/python scripts/console_screenshots.py [http://127.0.0.1:8000]

It signs in as the demo admin, works one conversation a little through the UI
(assign, label, a private note) so the timeline shows what agents see, then
saves PNGs in docs/screenshots/. Uses Debian's Chromium, never a downloaded browser.
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
VIEWPORT = {"width": 1440, "height": 860}


def sign_in(browser, base, username, locale):
    context = browser.new_context(viewport=VIEWPORT, locale=locale, timezone_id="America/Sao_Paulo")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "omnidesk-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("#connection[data-state=live]", state="attached")
    return page


def main(base):
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = sign_in(browser, base, "admin", "en-US")
        page.click("#inbox .row a:has-text('Maria Oliveira')")
        page.wait_for_selector("#connection[data-state=live]", state="attached")
        if not page.locator("#timeline .message.note").count():
            page.select_option("#actions select[name=assignee]", label="Ana Souza")
            page.wait_for_selector("#timeline .event")
            page.fill("#actions input[name=labels]", "pedido-4512")
            page.press("#actions input[name=labels]", "Enter")
            page.check("input[name=mode][value=note]")
            page.fill("#composer-text", "@carla a nota fiscal chegou por e-mail, vou conferir o pedido.")
            page.press("#composer-text", "Escape")
            page.click("#send")
            page.wait_for_selector("#timeline .message.note")
            page.check("input[name=mode][value=reply]")
        page.fill("#composer-text", "/")
        page.mouse.move(0, 0)
        page.screenshot(path=str(OUT / "conversation.png"))
        page.fill("#composer-text", "")

        supervisor = sign_in(browser, base, "carla", "en-US")
        supervisor.goto(f"{base}/supervisor/")
        supervisor.wait_for_selector("#supervisor .card")
        supervisor.screenshot(path=str(OUT / "supervisor.png"))

        agent = sign_in(browser, base, "ana", "pt-BR")
        agent.click("#inbox .row a:has-text('Lucía')")
        agent.wait_for_selector("#connection[data-state=live]", state="attached")
        agent.screenshot(path=str(OUT / "inbox-pt-br.png"))
        browser.close()
    print(f"Screenshots saved in {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
