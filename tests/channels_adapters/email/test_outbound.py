"""Replies over SMTP to a real aiosmtpd server: threading, alternatives, errors mapped to retries, bounces."""
import pytest

from channels_adapters.email import smtp
from channels_adapters.pipeline import process_event
from channels_adapters.types import Attachment, InboundMessage, RawRequest, Sender
from conversations.actions.inbound_events import record_raw_event
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import send_reply
from conversations.models import Message

from .conftest import SUPPORT_ADDRESS, fixture_bytes
from .servers import SMTP_PASSWORD, SMTP_USER, SmtpServer, free_port, self_signed_tls_context

# Delivery is enqueued after commit: these tests need real commits.
pytestmark = pytest.mark.django_db(transaction=True)


def receive(channel, name):
    """Process a raw email through the pipeline, as the webhook, the pipe and IMAP do."""
    event = record_raw_event(channel, RawRequest(body=fixture_bytes(name), headers={}, content_type="message/rfc822"))
    process_event(event.pk)
    return Message.objects.filter(direction=Message.Direction.INBOUND).order_by("-id").first()


def reply_to_first_email(channel, author, text="Olá"):
    """Receive the plain first email on `channel`, answer it, and return the reply after delivery."""
    inbound = receive(channel, "01_plain_first_message.eml")
    reply = send_reply(inbound.conversation, author, text)
    reply.refresh_from_db()
    return reply


@pytest.fixture
def smtp_channel(make_email_channel, smtp_server, team):
    return make_email_channel(team=team, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="none")


def test_a_reply_threads_to_the_customers_last_email(smtp_channel, smtp_server, admin_user):
    inbound = receive(smtp_channel, "01_plain_first_message.eml")
    reply = send_reply(inbound.conversation, admin_user, "Olá Maria,\nseu pedido <b>saiu</b> hoje.")
    reply.refresh_from_db()
    assert reply.status == Message.Status.SENT
    (mail,) = smtp_server.script.received
    assert mail.rcpt_tos == ["maria.teste@example.com"] and mail.mail_from == SUPPORT_ADDRESS
    message = mail.message
    assert message["From"] == f"Root <{SUPPORT_ADDRESS}>"
    assert message["Subject"] == "Re: Pedido #1234 atrasado"
    assert message["In-Reply-To"] == "<first-0001@mail.example.com>"
    assert message["References"] == "<first-0001@mail.example.com>"
    assert message["Message-ID"] == f"<{reply.external_id}>"
    assert reply.external_id.endswith("@inbox.example.com")
    assert "Auto-Submitted" not in message
    plain = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert plain == "Olá Maria,\nseu pedido <b>saiu</b> hoje.\n"
    assert "Olá Maria,<br>seu pedido &lt;b&gt;saiu&lt;/b&gt; hoje." in html


def test_references_grow_with_the_thread(smtp_channel, smtp_server, admin_user):
    inbound = receive(smtp_channel, "02_gmail_reply_quoted.eml")
    send_reply(inbound.conversation, admin_user, "Vamos verificar.")
    message = smtp_server.script.received[0].message
    assert message["Subject"] == "Re: Pedido #1234 atrasado"  # no "Re: Re:"
    assert message["References"] == (
        "<first-0001@mail.example.com> <outbound-0001@inbox.example.com> <CAFAKEgmail0002+abc=XYZ@mail.gmail.com>")


def test_a_reply_to_a_customer_who_last_wrote_elsewhere_starts_a_new_thread(
        smtp_channel, smtp_server, admin_user, make_api_channel):
    receive(smtp_channel, "01_plain_first_message.eml")
    api_channel = make_api_channel()
    result = ingest_message(api_channel, InboundMessage("shop-9", Sender("email", "maria.teste@example.com"),
                                                        "Oi, agora pelo site"))
    reply = send_reply(result.message.conversation, admin_user, "Olá Maria! Respondendo por e-mail.\nAtt.",
                       channel=smtp_channel)
    reply.refresh_from_db()
    message = smtp_server.script.received[0].message
    assert message["Subject"] == "Olá Maria! Respondendo por e-mail."
    assert "In-Reply-To" not in message and "References" not in message
    assert reply.status == Message.Status.SENT


def test_automatic_mail_says_so(smtp_channel, smtp_server, admin_user):
    inbound = receive(smtp_channel, "01_plain_first_message.eml")
    send_reply(inbound.conversation, admin_user, "Recebemos sua mensagem.", metadata={"automatic": True})
    message = smtp_server.script.received[0].message
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"


def test_a_temporary_refusal_is_retried(smtp_channel, smtp_server, admin_user):
    smtp_server.script.rcpt_replies = ["450 4.2.1 Mailbox busy, try later"]
    reply = reply_to_first_email(smtp_channel, admin_user)
    assert (reply.status, reply.delivery_attempts) == (Message.Status.SENT, 2)
    assert len(smtp_server.script.received) == 1


def test_a_permanent_refusal_fails_at_once_with_the_reason(smtp_channel, smtp_server, admin_user):
    smtp_server.script.rcpt_replies = ["550 5.1.1 No such user here"]
    reply = reply_to_first_email(smtp_channel, admin_user)
    assert (reply.status, reply.delivery_attempts) == (Message.Status.FAILED, 1)
    assert reply.failure_reason == "The SMTP server refused the recipient: 550 5.1.1 No such user here"


def test_an_unreachable_server_is_retried_then_given_up(make_email_channel, admin_user, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    channel = make_email_channel(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_security="none")
    reply = reply_to_first_email(channel, admin_user)
    assert (reply.status, reply.delivery_attempts) == (Message.Status.FAILED, 2)
    assert "Could not reach the SMTP server" in reply.failure_reason and "after 2 attempts" in reply.failure_reason


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("password, status", [(SMTP_PASSWORD, Message.Status.SENT), ("wrong", Message.Status.FAILED)])
def test_smtp_login(make_email_channel, admin_user, password, status):
    with SmtpServer(require_auth=True) as server:
        channel = make_email_channel(smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="none",
                                     smtp_user=SMTP_USER, smtp_password=password)
        reply = reply_to_first_email(channel, admin_user)
    assert reply.status == status
    assert {login for login, _ in server.script.logins} == {SMTP_USER.encode()}
    assert {ok for _, ok in server.script.logins} == {status == Message.Status.SENT}
    if status == Message.Status.FAILED:
        assert reply.failure_reason.startswith("SMTP login failed") and reply.delivery_attempts == 1


def test_an_untrusted_starttls_certificate_fails_at_once(make_email_channel, admin_user, tmp_path):
    with SmtpServer(tls_context=self_signed_tls_context(tmp_path)) as server:
        channel = make_email_channel(smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="starttls")
        reply = reply_to_first_email(channel, admin_user)
    assert (reply.status, reply.delivery_attempts) == (Message.Status.FAILED, 1)
    assert reply.failure_reason.startswith("TLS with the SMTP server failed: CERTIFICATE_VERIFY_FAILED")
    assert server.script.received == []


def test_a_server_without_starttls_is_refused_when_starttls_is_asked(make_email_channel, smtp_server, admin_user):
    channel = make_email_channel(smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_security="starttls")
    reply = reply_to_first_email(channel, admin_user)
    assert reply.status == Message.Status.FAILED and "does not support" in reply.failure_reason
    assert smtp_server.script.received == []


def test_a_channel_without_smtp_fails_clearly(make_email_channel, admin_user):
    reply = reply_to_first_email(make_email_channel(), admin_user)
    assert reply.status == Message.Status.FAILED and "no SMTP server" in reply.failure_reason


def test_a_bounce_marks_our_message_failed(smtp_channel, smtp_server, admin_user):
    reply = reply_to_first_email(smtp_channel, admin_user)
    bounce = fixture_bytes("06_bounce_dsn.eml").replace(b"outbound-0006@inbox.example.com", reply.external_id.encode())
    event = record_raw_event(smtp_channel, RawRequest(body=bounce, headers={}, content_type="message/rfc822"))
    process_event(event.pk)
    reply.refresh_from_db()
    assert reply.status == Message.Status.FAILED
    assert reply.failure_reason.startswith("Bounced: nobody-0006@remote.example: 550 5.1.1")
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1  # the bounce is no message


def test_compose_adds_attachments_after_the_alternatives():
    message = smtp.compose(
        from_address=SUPPORT_ADDRESS, from_name="Ana Souza", to="maria@example.com", subject="Nota", text="Segue.",
        html="", message_id="omnidesk.1.x@inbox.example.com",
        attachments=(Attachment(filename="nota.pdf", content_type="application/pdf", content=b"%PDF-1.4 x"),),
    )
    assert message.get_content_type() == "multipart/mixed"
    (attachment,) = message.iter_attachments()
    assert (attachment.get_filename(), attachment.get_content()) == ("nota.pdf", b"%PDF-1.4 x")
    assert message["From"] == f"Ana Souza <{SUPPORT_ADDRESS}>"

