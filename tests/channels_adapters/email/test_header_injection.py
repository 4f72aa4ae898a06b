"""Outbound mail headers cannot be injected through CR/LF in the subject, names or reply references."""
import base64

import pytest

from channels_adapters.email import smtp
from conversations.actions.replies import send_reply
from conversations.models import Message

from .conftest import SUPPORT_ADDRESS, fixture_bytes
from .test_outbound import receive

pytestmark = pytest.mark.django_db(transaction=True)
INJECTION = "\r\nBcc: victim@evil.example\r\nX-Injected: yes"


def encoded(text):
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


@pytest.fixture
def smtp_channel(make_email_channel, smtp_server, team):
    return make_email_channel(team=team, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="none")


def test_compose_keeps_every_header_on_one_line():
    message = smtp.compose(from_address=SUPPORT_ADDRESS, from_name="Ana" + INJECTION, to="maria@example.com",
                           subject="Pedido" + INJECTION, text="Olá", html="", message_id="id-1@inbox.example.com",
                           in_reply_to="x@y" + INJECTION, references=["r@s" + INJECTION])
    raw = message.as_bytes()
    assert b"\nBcc:" not in raw and b"\nX-Injected:" not in raw
    assert [key for key in message.keys() if key.lower() in ("bcc", "x-injected")] == []
    assert message["Subject"].startswith("Pedido") and "\n" not in message["Subject"]


def test_a_reply_with_a_hostile_subject_and_agent_name_reaches_only_the_customer(smtp_channel, smtp_server,
                                                                                admin_user):
    # The customer's subject decodes (RFC 2047) to text with CR/LF in it; the agent's name has them too.
    raw = fixture_bytes("01_plain_first_message.eml").replace(
        b"Subject: Pedido #1234 atrasado", b"Subject: " + encoded("Pedido" + INJECTION).encode())
    from channels_adapters.pipeline import process_event
    from channels_adapters.types import RawRequest
    from conversations.actions.inbound_events import record_raw_event

    event = record_raw_event(smtp_channel, RawRequest(body=raw, headers={}, content_type="message/rfc822"))
    process_event(event.pk)
    inbound = Message.objects.get(direction=Message.Direction.INBOUND)
    admin_user.agent.name = "Root" + INJECTION
    admin_user.agent.save()

    reply = send_reply(inbound.conversation, admin_user, "Olá Maria")
    reply.refresh_from_db()
    assert reply.status == Message.Status.SENT
    (mail,) = smtp_server.script.received
    assert mail.rcpt_tos == ["maria.teste@example.com"]
    assert b"\nBcc:" not in mail.data and b"\nX-Injected:" not in mail.data
    assert "victim@evil.example" not in str(mail.message["To"]) and mail.message["Bcc"] is None
    assert "\n" not in mail.message["Subject"] and "\n" not in mail.message["From"]


def test_a_hostile_customer_name_does_not_reach_the_headers(smtp_channel, smtp_server, admin_user):
    inbound = receive(smtp_channel, "01_plain_first_message.eml")
    customer = inbound.conversation.customer
    customer.name = "Maria" + INJECTION
    customer.save()
    send_reply(inbound.conversation, admin_user, "Olá")
    (mail,) = smtp_server.script.received
    assert mail.rcpt_tos == ["maria.teste@example.com"] and b"X-Injected" not in mail.data
