"""In Chromium: an admin builds a segment with its live count, composes an SMS campaign while reading it in each
language, starts it after confirming, and the provider receives it with the footer in the customer's language."""
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from channels_adapters.setup import create_channel
from conversations.models import Customer

from ..console.conftest import browser, fresh_presence, sign_in  # noqa: F401 (fixtures)
from ..fake_http import ScriptedResponse
from .conftest import TWILIO, customer_with_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_builds_a_segment_previews_and_sends_a_campaign(live_server_url, sign_in, make_agent, team,
                                                                    fake_http):
    fake_http.respond(ScriptedResponse(201, {"sid": "SM" + "1" * 32, "status": "queued"}))
    create_channel("twilio_sms", "SMS Loja", {**TWILIO, "api_base_url": fake_http.url}, team=team)
    joana = customer_with_phone("+5511999990001", granted=("sms",), name="Joana Prado")
    Customer.objects.filter(pk=joana.pk).update(language="pt-br")
    customer_with_phone("+5511999990002", granted=(), name="Sem Consentimento")
    make_agent("rosa", role="admin")
    page = sign_in("rosa", "/")

    page.goto(f"{live_server_url}/marketing/campaigns/")
    expect(page.locator("[data-empty=segments]")).to_be_visible()
    page.locator("[data-empty=segments] a").click()

    builder = page.locator("#segment-builder")
    builder.locator("input[name=name]").fill("Phones")
    page.click("#add-row")
    row = page.locator("#segment-rows li").first
    row.locator("select[name=field]").select_option("identity")
    row.locator("input[name=value]").fill("phone")
    expect(page.locator("#segment-count")).to_have_text("2")
    expect(page.locator("#segment-sample li")).to_have_count(2)
    builder.locator("button[type=submit]").click()
    expect(page.locator("table td", has_text="Phones")).to_be_visible()

    page.goto(f"{live_server_url}/marketing/campaigns/")
    composer = page.locator("#campaign-composer")
    composer.locator("input[name=name]").fill("Black Friday")
    composer.locator("textarea[name=text]").fill('Oi {{ customer.first_name|default:"cliente" }}, 20% hoje')
    preview = page.locator("#campaign-preview")
    expect(preview.locator("[data-language=pt-br] [data-part=text]")).to_have_text(
        "Oi Joana, 20% hoje\n\nResponda SAIR para não receber mais ofertas.")
    expect(preview.locator("[data-language=es] [data-part=text]")).to_contain_text("Responde BAJA")
    expect(preview.locator("[data-language=en] [data-part=text]")).to_contain_text("Reply STOP")
    composer.locator("textarea[name=text]").fill("Oi {{ nome }}")
    expect(page.locator("#campaign-error")).to_contain_text("nome")
    composer.locator("textarea[name=text]").fill('Oi {{ customer.first_name|default:"cliente" }}, 20% hoje')
    expect(page.locator("#campaign-error")).to_have_text("")
    composer.locator("button[type=submit]").click()

    expect(page.locator("h1")).to_have_text("Black Friday")
    expect(page.locator("[data-status]")).to_have_text("Draft")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.locator("button", has_text="Start now").click()
    expect(page.locator("[data-status]")).to_have_text("Completed")
    assert "2 customers of Phones" in dialogs[0]
    expect(page.locator("#campaign-report tbody td").first).to_have_text("2")
    expect(page.locator("li", has_text="No marketing consent")).to_have_text("No marketing consent: 1")

    sent = [parse_qs(request.body.decode()) for request in fake_http.requests if request.method == "POST"]
    assert [(fields["To"], fields["Body"]) for fields in sent] == [
        (["+5511999990001"], ["Oi Joana, 20% hoje\n\nResponda SAIR para não receber mais ofertas."])]
