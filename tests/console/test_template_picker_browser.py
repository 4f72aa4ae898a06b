"""In the browser: a closed WhatsApp window turns the composer into the template picker, and the template goes out."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.management.commands.seed_demo import DEMO_TEMPLATES
from conversations.models import Message

from ..fake_http import ScriptedResponse
pytestmark = pytest.mark.browser


def test_the_agent_fills_and_sends_a_template_when_the_window_closed(live_server_url, sign_in, team, make_agent,
                                                                      fake_http):
    fake_http.respond(ScriptedResponse(201, {"sid": "SM" + "a" * 32, "status": "queued"}))
    whatsapp = create_channel("twilio_whatsapp", "WhatsApp Loja", {
        "account_sid": "AC" + "0" * 32, "auth_token": "token", "from_number": "+15005550006",
        "api_base_url": fake_http.url, "templates": DEMO_TEMPLATES}, team=team)
    make_agent("ana", teams=[team])
    inbound = InboundMessage("in-1", Sender("phone", "+5511999990001", "Maria"), "Oi",
                             sent_at=timezone.now() - timedelta(hours=30))
    # Ingesting sends events after commit, which Playwright's event loop in this thread would refuse.
    with ThreadPoolExecutor(1) as worker:
        conversation = worker.submit(lambda: ingest_message(whatsapp, inbound).message.conversation).result()

    ana = sign_in("ana", f"/conversations/{conversation.pk}/")
    composer = ana.locator("#composer")
    expect(composer.locator(".unavailable")).to_contain_text("within 24 hours")
    expect(composer.locator(".template-fields:visible")).to_contain_text("Podemos continuar o seu atendimento?")
    expect(ana.locator("#composer-text")).to_be_disabled()

    # A note is still free text.
    composer.locator("input[name=mode][value=note]").check()
    expect(ana.locator("#composer-text")).to_be_enabled()
    expect(composer.locator(".template-picker")).to_be_hidden()
    composer.locator("input[name=mode][value=reply]").check()

    composer.locator("input[name='template_variable.1']").fill("Maria")
    composer.locator("#send").click()
    expect(ana.locator("#timeline .message.outbound")).to_contain_text("Olá Maria! Podemos continuar")
    message = Message.objects.get(direction=Message.Direction.OUTBOUND)
    assert message.metadata["template"]["variables"] == {"1": "Maria"}
    sent = parse_qs(fake_http.requests[-1].body.decode())
    assert sent["ContentSid"] == [DEMO_TEMPLATES[0]["content_sid"]]
