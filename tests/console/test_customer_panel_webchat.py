"""The customer panel shows what the web chat learnt: pages viewed before writing, CSAT, an unproven claim."""
from datetime import timedelta

from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from channels_adapters.webchat import tokens, visitors
from conversations.actions.assignment import update_conversation
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation


def test_the_panel_shows_touchpoints_csat_and_the_merge_suggestion(team, make_agent, make_api_channel):
    webchat = create_channel("webchat", "Site chat", {"allowed_origins": ["https://shop.example"],
                                                      "hmac_secret": "s" * 32}, team=team)
    known = ingest_message(make_api_channel("Support line", team=team), InboundMessage(
        "1", Sender("email", "maria@example.com", "Maria Souza"), "Oi")).message.conversation
    ana = make_agent("ana", teams=[team])

    # A visitor browses, types Maria's email into the pre-chat form (unproven) and writes.
    widget = visitors.webchat_channel(webchat.pk)
    visitor = tokens.new_visitor(webchat.pk).with_profile(name="Visitante", email="maria@example.com")
    viewed_at = timezone.now() - timedelta(minutes=3)
    visitors.accept_message(widget, visitor, {"client_id": "client-0001", "text": "Cadê meu pedido?", "pages": [
        {"url": "https://shop.example/checkout", "title": "Checkout", "at": viewed_at.isoformat()}]})
    conversation = Conversation.objects.exclude(pk=known.pk).get()
    update_conversation(conversation, ana, status=Conversation.Status.RESOLVED)
    visitors.rate(widget, visitor, conversation.cycles.get().pk, 4, "Rápido, obrigada")

    client = Client()
    client.force_login(ana)
    panel = BeautifulSoup(client.get(f"/conversations/{conversation.pk}/").content, "html.parser").select_one(
        "#customer-panel")
    pages = panel.select_one("[data-fact=touchpoints]")
    assert pages.select_one("a")["href"] == "https://shop.example/checkout" and "Checkout" in pages.text
    assert "viewed 3 min before writing" in " ".join(pages.text.split())
    rating = panel.select_one("[data-fact=csat]")
    assert rating.select_one(".csat-rating").text == "4/5" and "Rápido, obrigada" in rating.text
    duplicates = panel.select_one(".suggestions-merge")
    assert "Maria Souza" in duplicates.text and "Claimed maria@example.com without proving it." in duplicates.text
    assert panel.select_one("[data-fact=unverified]").text == "Sender unverified"  # no setUser hash, no code

    # The live sync redraws the same panel.
    synced = client.get(f"/conversations/{conversation.pk}/sync/").json()["panel"]
    assert "shop.example/checkout" in synced and "4/5" in synced and "without proving it" in synced
