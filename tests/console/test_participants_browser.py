"""In the browser: a colleague's reply shows in the customer's thread with their name; the agent's reply copies
them (Cc), and a participant removed from the composer is not copied."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from channels_adapters.pipeline import process_event
from channels_adapters.setup import create_channel
from channels_adapters.types import RawRequest
from conversations.actions.inbound_events import record_raw_event
from conversations.models import Message

from ..channels_adapters.email.conftest import fixture_bytes
from ..channels_adapters.email.servers import SmtpServer
from ..channels_adapters.email.test_participants import colleague_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def receive(channel, raw):
    event = record_raw_event(channel, RawRequest(body=raw, headers={}, content_type="message/rfc822"))
    process_event(event.pk)


def test_the_agent_sees_the_participant_and_chooses_who_is_copied(live_server_url, sign_in, team, make_agent):
    with SmtpServer() as smtp:
        channel = create_channel("email", "E-mail suporte", {
            "address": "support@inbox.example.com", "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
            "smtp_security": "none"}, team=team)
        make_agent("ana", teams=[team])
        first = fixture_bytes("01_plain_first_message.eml").replace(
            b"To: ", b"Cc: Jo Colega <jo.colega@example.com>\nTo: ", 1)
        # Ingesting sends events after commit, which Playwright's event loop in this thread would refuse.
        with ThreadPoolExecutor(1) as worker:
            worker.submit(receive, channel, first).result()
            worker.submit(receive, channel, colleague_reply()).result()
        conversation = Message.objects.get(identity__address="jo.colega@example.com").conversation

        ana = sign_in("ana", f"/conversations/{conversation.pk}/")
        participant = ana.locator("#timeline .message.inbound").last
        expect(participant.locator(".who")).to_have_text("Jo Colega")
        expect(participant.locator(".participant-tag")).to_be_visible()
        chip = ana.locator("#composer .cc-chip")
        expect(chip).to_contain_text("jo.colega@example.com")

        ana.fill("#composer-text", "Olá Maria e Jo")
        ana.click("#send")
        expect(ana.locator("#timeline .message.outbound")).to_contain_text("Olá Maria e Jo")
        ana.locator("#composer .cc-chip .cc-remove").click()
        expect(ana.locator("#composer .cc-chip")).to_have_count(0)
        ana.fill("#composer-text", "Só para a Maria")
        ana.click("#send")
        expect(ana.locator("#timeline .message.outbound").last).to_contain_text("Só para a Maria")
        with ThreadPoolExecutor(1) as worker:
            sent = worker.submit(lambda: list(Message.objects.filter(direction="outbound").order_by("id"))).result()
        assert [message.metadata.get("cc") for message in sent] == [["jo.colega@example.com"], None]
        assert sorted(smtp.script.received[0].rcpt_tos) == ["jo.colega@example.com", "maria.teste@example.com"]
        assert smtp.script.received[1].rcpt_tos == ["maria.teste@example.com"]
